// Material's recipe for pymdownx.arithmatex (generic mode), with MathJax 3 served by this site and
// loaded only by pages that have math.
// Notebook pages (mkdocs-jupyter) leave $…$ and $$…$$ in their Markdown cells unwrapped: those cells are
// marked "arithmatex" below so MathJax typesets them too, with the dollar delimiters.
const MATHJAX_ROOT = new URL("../vendor/mathjax", document.currentScript.src).href;
let mathjaxRequested = false;

window.MathJax = {
  // Explicit, so extensions and fonts never come from MathJax's default CDN, whatever script tag loaded it.
  loader: { paths: { mathjax: MATHJAX_ROOT } },
  tex: {
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true
  },
  // Instant navigation re-attaches MathJax's stylesheet; with adaptive CSS the glyph rules added after
  // the first page are lost and formulas render 0 px wide. (For the same reason, no output.clearCache().)
  chtml: { adaptiveCSS: false },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex"
  }
};

// ignoreHtmlClass skips every element without the class, so mark each one in the cell but code.
function markNotebookMath() {
  document.querySelectorAll(".jupyter-wrapper .jp-MarkdownOutput, .jupyter-wrapper .jp-MarkdownOutput *")
    .forEach((el) => { if (!el.closest("pre, code")) el.classList.add("arithmatex"); });
}

// Material swaps pages without reloading scripts (instant navigation): typeset each new page.
document$.subscribe(() => {
  markNotebookMath();
  if (!document.querySelector(".arithmatex")) return;
  if (!MathJax.version) {  // not loaded yet: once loaded, MathJax typesets the page it finds
    // A flag, not a lookup by id: instant navigation removes head elements the next page lacks.
    if (!mathjaxRequested) {
      const script = document.createElement("script");
      script.src = MATHJAX_ROOT + "/tex-chtml.js";
      script.async = true;
      document.head.appendChild(script);
      mathjaxRequested = true;
    }
    return;
  }
  MathJax.startup.promise.then(() => {
    MathJax.typesetClear();
    MathJax.texReset();
    return MathJax.typesetPromise();
  });
});
