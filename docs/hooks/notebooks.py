"""MkDocs hook for the chapters' notebooks (docs/generated/notebooks/, rendered by mkdocs-jupyter 0.26.3 and
offered for download): what the committed notebooks cannot hold is completed while the site is built.

- Links: the committed notebooks link from the site's root ("/nn-lstm/#34"); a downloaded notebook has
  no neighbours, so each link gets the site's address (`site_url`, which the workflow sets to the Pages
  address), and a link to a file of the repository (`../snippets/seeds.py`) the repository's address, as
  addresses.py does for the pages. Both the page mkdocs-jupyter renders and the download are made from
  this copy.
- Figures: each `<figure class="data-view">` a page holds becomes, in its notebook, the same view that
  figures.py draws on the page: a chart as a standalone SVG attachment, a table as a Markdown table,
  each followed by its caption.
- The notebooks are committed already executed (`execute: false`), so `allow_errors: false` never sees
  them run: a notebook holding an error output fails the build here instead, naming the cell.
- mkdocs-jupyter writes a MathJax 2 loader: `<script src=""> </script>` (the browser loads the page
  itself as a script, a console error) and a `text/x-mathjax-config` block calling `MathJax.Hub`, which
  Material's instant navigation runs as plain JavaScript (another error). Both go; mathjax.py typesets
  the cells' math when the site is built.
- Search: a notebook page repeats its chapter, so it is left out of the search index. Each hit then
  leads to the chapter once, and the index every page loads is half the size (373 KB to 170 KB).
"""
import base64
import json
import re
import tempfile
from pathlib import Path

import addresses  # MkDocs puts docs/hooks/ on sys.path while it loads a hook
import figures
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

DOCS = Path(__file__).parents[1]
MATHJAX2_LOADER = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S)
ROOT_LINK = re.compile(r'(\]\(|href=")/(?!/)')
FIGURE_LINE = re.compile(r'^(?P<prefix>[> ]*)<figure class="data-view"(?P<attrs>[^>]*)>\s*<figcaption>(?P<caption>.*?)'
                         r"</figcaption>\s*</figure>[ \t]*$", re.M)

_copies = tempfile.TemporaryDirectory(prefix="lstm-book-notebooks-")


def raised_cells(notebook: dict) -> list[str]:
    return [f"cell {i} ({out.get('ename')}: {out.get('evalue')})"
            for i, cell in enumerate(notebook.get("cells", []))
            for out in cell.get("outputs", []) if out.get("output_type") == "error"]


def complete(notebook: dict, site_url: str, where: str, repository: str | None = None) -> dict:
    """The committed notebook made whole: absolute links (to the site, or to the repository for its files),
    its figures drawn."""
    base = site_url.rstrip("/") + "/"
    page = notebook.get("metadata", {}).get("source", "docs/index.md").removeprefix("docs/")
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        number = len(cell.get("attachments", {}))

        def figure(match: re.Match) -> str:
            nonlocal number
            caption = match["caption"].strip()
            view = figures.render(match["attrs"], caption, where)
            summary = view.summary
            if isinstance(view, figures.Chart):
                number += 1
                name = f"figure-{number}.svg"
                data = figures.svg(view, "", standalone=True).encode()
                cell.setdefault("attachments", {})[name] = {"image/svg+xml": base64.b64encode(data).decode()}
                lines = [f"![{re.sub(r'<[^>]+>', '', caption)}](attachment:{name})", "", f"*{caption}{summary}*"]
            else:
                lines = figures.table_markdown(view).split("\n") + ["", f"*{caption}{summary}*"]
            return "\n".join((match["prefix"] + line).rstrip() for line in lines)

        source = FIGURE_LINE.sub(figure, source)
        source = addresses.OUT_OF_DOCS.sub(lambda m: addresses.repository_link(m, page, DOCS, repository), source)
        cell["source"] = ROOT_LINK.sub(lambda m: m[1] + base, source)
    return notebook


def on_files(files, config):
    for file in files:
        if not file.src_uri.endswith(".ipynb"):
            continue
        notebook = json.loads(file.content_string)
        failed = raised_cells(notebook)
        if failed:
            raise PluginError(f"{file.src_uri}: cells raised when the notebook ran: {', '.join(failed)}")
        copy = Path(_copies.name) / file.src_uri  # the same path under docs/: mkdocs-jupyter's `include` matches it
        copy.parent.mkdir(parents=True, exist_ok=True)
        made = complete(notebook, config.site_url or "/", file.src_uri, config.extra.get("repository"))
        copy.write_text(json.dumps(made, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        file.abs_src_path = str(copy)  # what mkdocs-jupyter renders and offers for download
    return files


@event_priority(100)  # before Material's search plugin indexes the page
def on_page_context(context, page, config, nav):
    if page.file.src_uri.endswith(".ipynb"):
        page.meta["search"] = {**(page.meta.get("search") or {}), "exclude": True}
    return context


def on_post_page(output: str, page, config) -> str:
    if page.file.src_uri.endswith(".ipynb"):
        return MATHJAX2_LOADER.sub("", output)
    return output
