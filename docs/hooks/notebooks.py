"""MkDocs hook: notebook pages from mkdocs-jupyter 0.26.3 work with the site's own MathJax 3.

mkdocs-jupyter writes a MathJax 2 slot, `<script src=""> </script>`, which makes the browser load the
page itself as a script (a console error). The math in notebook cells is typeset by the site's MathJax;
assets/javascripts/mathjax-config.js marks those cells for it.
"""
EMPTY_MATHJAX_SLOT = '<script src=""> </script>'


def on_post_page(output: str, page, config) -> str:
    if page.file.src_uri.endswith(".ipynb"):
        return output.replace(EMPTY_MATHJAX_SLOT, "")
    return output
