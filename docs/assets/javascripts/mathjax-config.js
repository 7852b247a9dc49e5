// Material's recipe for pymdownx.arithmatex (generic mode), with MathJax 3 served by this site and
// loaded only by pages that have math.
// Notebook pages (mkdocs-jupyter) leave $…$ and $$…$$ in their Markdown cells unwrapped: those cells are
// marked "arithmatex" below so MathJax typesets them too, with the dollar delimiters.
const MATHJAX_ROOT = new URL("../vendor/mathjax", document.currentScript.src).href;
let mathjaxRequested = false;
let pageCount = 0;

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
  },
  startup: { pageReady: () => typesetInSlices(pageCount) }
};

// One formula per task, not the whole page in one: the page stays responsive while MathJax works
// (the theory page's 55 formulas blocked it for about a second at Lighthouse's 4x CPU slowdown).
// The first formula waits too, so that it is not typeset inside the task that evaluated MathJax.
async function typesetInSlices(page) {
  MathJax.typesetClear();
  MathJax.texReset();
  const roots = [...document.querySelectorAll(".arithmatex")]
    .filter((el) => !el.parentElement.closest(".arithmatex"));
  for (const el of roots) {
    await new Promise((resolve) => setTimeout(resolve));
    if (page !== pageCount) return;  // instant navigation has moved on to another page
    await MathJax.typesetPromise([el]);
  }
}

// ignoreHtmlClass skips every element without the class, so mark each one in the cell but code.
function markNotebookMath() {
  document.querySelectorAll(".jupyter-wrapper .jp-MarkdownOutput, .jupyter-wrapper .jp-MarkdownOutput *")
    .forEach((el) => { if (!el.closest("pre, code")) el.classList.add("arithmatex"); });
}

// The text first, then the 1.2 MB of MathJax: requested earlier, it competes with the page's first paint.
function afterFirstPaint(run) {
  const whenPainted = () => requestAnimationFrame(() => setTimeout(run));
  if (document.readyState === "complete") whenPainted();
  else window.addEventListener("load", whenPainted, { once: true });
}

// Material swaps pages without reloading scripts (instant navigation): typeset each new page.
document$.subscribe(() => {
  const page = ++pageCount;
  markNotebookMath();
  if (!document.querySelector(".arithmatex")) return;
  if (!MathJax.version) {  // not loaded yet: once loaded, MathJax typesets the page it finds
    // A flag, not a lookup by id: instant navigation removes head elements the next page lacks.
    if (!mathjaxRequested) {
      mathjaxRequested = true;
      afterFirstPaint(() => {
        const script = document.createElement("script");
        script.src = MATHJAX_ROOT + "/tex-chtml.js";
        script.async = true;
        document.head.appendChild(script);
      });
    }
    return;
  }
  // Chained on MathJax's own promise, as MathJax advises, so that it also tells when this page is done.
  MathJax.startup.promise = MathJax.startup.promise.then(() => typesetInSlices(page));
});
