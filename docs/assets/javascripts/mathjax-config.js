// Material's recipe for pymdownx.arithmatex (generic mode), with MathJax served by this site.
// Notebook pages (mkdocs-jupyter) leave $…$ and $$…$$ in their Markdown cells unwrapped: those cells are
// marked "arithmatex" below so MathJax typesets them too, with the dollar delimiters.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true
  },
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

markNotebookMath();

// Instant navigation swaps the page without reloading scripts: typeset each new page again.
// (No output.clearCache(): with MathJax 3.2.2 it drops the CHTML font styles and formulas render 0 px wide.)
document$.subscribe(() => {
  if (!MathJax.startup || !MathJax.typesetPromise) return;
  markNotebookMath();
  MathJax.typesetClear();
  MathJax.texReset();
  MathJax.typesetPromise();
});
