// Accessible names and keyboard access that Material 9.8 and mkdocs-jupyter leave out (axe-core rules
// aria-dialog-name, landmark-unique and scrollable-region-focusable: notebook code, and tables too wide
// for the screen). Runs on every page, instant navigation included.
document$.subscribe(() => {
  document.querySelectorAll(".md-search[role=dialog]:not([aria-label])")
    .forEach((dialog) => dialog.setAttribute("aria-label", "搜索"));
  document.querySelectorAll("nav.md-code__nav").forEach((nav, i) => {
    nav.setAttribute("aria-label", `代码块 ${i + 1} 的操作`);
  });
  document.querySelectorAll(".jupyter-wrapper .highlight-ipynb, .jupyter-wrapper .jp-OutputArea-output pre, .md-typeset__scrollwrap")
    .forEach((region) => {
      if (region.scrollWidth > region.clientWidth && !region.hasAttribute("tabindex")) {
        region.setAttribute("tabindex", "0");
      }
    });
});
