// Material's recipe for pymdownx.arithmatex (generic mode), with MathJax served by this site.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex"
  }
};

// Instant navigation swaps the page without reloading scripts: typeset each new page again.
// (No output.clearCache(): with MathJax 3.2.2 it drops the CHTML font styles and formulas render 0 px wide.)
document$.subscribe(() => {
  if (!MathJax.startup || !MathJax.typesetPromise) return;
  MathJax.typesetClear();
  MathJax.texReset();
  MathJax.typesetPromise();
});
