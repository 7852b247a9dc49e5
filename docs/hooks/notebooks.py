"""MkDocs hook for the notebook pages that mkdocs-jupyter 0.26.3 renders from docs/generated/notebooks/.

- The notebooks are committed already executed (`execute: false`), so `allow_errors: false` never sees
  them run: a notebook holding an error output fails the build here instead, naming the cell.
- mkdocs-jupyter writes a MathJax 2 loader: `<script src=""> </script>` (the browser loads the page
  itself as a script, a console error) and a `text/x-mathjax-config` block calling `MathJax.Hub`, which
  Material's instant navigation runs as plain JavaScript (another error). Both go; mathjax.py typesets
  the cells' math when the site is built.
"""
import json
import re

from mkdocs.exceptions import PluginError

MATHJAX2_LOADER = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S)


def raised_cells(notebook: dict) -> list[str]:
    return [f"cell {i} ({out.get('ename')}: {out.get('evalue')})"
            for i, cell in enumerate(notebook.get("cells", []))
            for out in cell.get("outputs", []) if out.get("output_type") == "error"]


def on_files(files, config):
    for file in files:
        if file.src_uri.endswith(".ipynb"):
            failed = raised_cells(json.loads(file.content_string))
            if failed:
                raise PluginError(f"{file.src_uri}: cells raised when the notebook ran: {', '.join(failed)}")
    return files


def on_post_page(output: str, page, config) -> str:
    if page.file.src_uri.endswith(".ipynb"):
        return MATHJAX2_LOADER.sub("", output)
    return output
