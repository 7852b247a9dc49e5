"""Running a page: its Python blocks, in page order, as the code cells of a notebook in a fresh kernel.

That one execution is the page's doc test (one pytest item per block), the source of every output and
notebook the site shows, and what the chapter's claims are asserted on.
"""
from __future__ import annotations

import asyncio
import base64
import os
import posixpath
import re
import textwrap
from collections import Counter
from pathlib import Path
from urllib.parse import urljoin

import nbformat
from nbclient import NotebookClient

from pages import DOCS, split_page

RUN_TIMEOUT = 900  # seconds per cell; the longest, chapter lstm-by-hand's training, takes one to two minutes

# How the suite's kernels differ from a reader's Jupyter, for speed only (the outputs are the same):
# - No progress bar: in a kernel every refresh is a blocking round trip to ipykernel's IO thread
#   (training in chapter lstm-by-hand took twice as long with it), and clean() drops it anyway.
# - One thread: these tensors are too small for torch to split, and several processes' threads waiting
#   on each other for the same cores cost more than the math.
KERNEL_ENV = dict(os.environ, PL_TRAINER_ENABLE_PROGRESS_BAR="0", OMP_NUM_THREADS="1")

ADMONITION = re.compile(r'^(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?)\s+(?P<kind>[\w-]+)(?:\s+"(?P<title>[^"]*)")?\s*$')
FIGURE = re.compile(r'<figure markdown="span">\s*!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)\)\s*'
                    r'<figcaption>(?P<caption>.*?)</figcaption>\s*</figure>', re.S)
WIDGET = re.compile(r'<div class="lstm-(?P<kind>explorer|trainer)".*?</div>', re.S)


def to_notebook_markdown(text: str, page: str) -> tuple[str, dict]:
    """Material-only syntax made readable in Jupyter: admonitions become quotes, figures plain images with
    their SVG attached, the site's widgets a link to the page where they run. Links become root-relative
    ("/nn-lstm/#34"): the build gives them the site's address (docs/hooks/notebooks.py)."""
    out, attachments = [], {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = ADMONITION.match(lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        inner, i = [], i + 1
        body_indent = m["indent"] + "    "
        while i < len(lines) and (lines[i].startswith(body_indent) or not lines[i].strip()):
            inner.append(lines[i][len(body_indent):])
            i += 1
        while inner and not inner[-1].strip():
            inner.pop()
        title = m["title"] if m["title"] is not None else m["kind"]
        quoted = ([f"> **{title}**", ">"] if title else []) + [f"> {line}".rstrip() for line in inner]
        out += [m["indent"] + q for q in quoted] + [""]

    def figure(match: re.Match) -> str:
        source = DOCS / posixpath.normpath(posixpath.join(posixpath.dirname(page), match["src"]))
        attachments[source.name] = {"image/svg+xml": base64.b64encode(source.read_bytes()).decode()}
        return f"![{match['alt']}](attachment:{source.name})\n\n*{match['caption'].strip()}*"

    body = FIGURE.sub(figure, "\n".join(out))
    # One line for each drawn figure, whatever box holds it: docs/hooks/notebooks.py draws it there.
    body = re.sub(r'(<figure class="data-view"[^>]*>)\s*\n[ \t>]*(<figcaption>.*?</figcaption>)\s*\n[ \t>]*(</figure>)',
                  r"\1\2\3", body)
    body = WIDGET.sub(lambda m: f"> 这个交互演示只能在网页上运行：<{markdown_link(page, '')}>", body)
    body = re.sub(r"\]\(([^)\s]+)\)", lambda m: f"]({markdown_link(page, m[1])})", body)
    body = re.sub(r'href="([^"]+)"', lambda m: f'href="{html_link(page, m[1])}"', body)
    body = re.sub(r"^(#+ .*?)\s*\{[^}]*\}\s*$", r"\1", body, flags=re.M)  # attr lists are Material's
    # mkdocs-jupyter's table of contents drops code spans from heading ids, nbconvert keeps them
    body = re.sub(r"^#+ .*$", lambda m: m[0].replace("`", ""), body, flags=re.M)
    return body.strip("\n"), attachments


def markdown_link(page: str, target: str) -> str:
    """A Markdown link of docs/<page>.md as a path from the site's root: "nn-lstm.md#34" -> "/nn-lstm/#34"."""
    if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("/"):
        return target  # another site, an attachment, or already from the root
    path, _, anchor = target.partition("#")
    path = posixpath.normpath(posixpath.join(posixpath.dirname(page), path or f"{page}.md"))
    if path.startswith(".."):
        return target  # a file of the repository outside docs/: docs/hooks/notebooks.py links it there
    path = re.sub(r"(^|/)index\.md$", r"\1", path)
    path = re.sub(r"\.(md|ipynb)$", "/", path)
    return "/" + path.lstrip("./") + (f"#{anchor}" if anchor else "")


def html_link(page: str, href: str) -> str:
    """An href in a page's raw HTML (relative to the page's address, /<page>/) as a path from the root."""
    return urljoin(f"/{page}/", href)


def build_notebook(page: str) -> nbformat.NotebookNode:
    """The page as a notebook: Python blocks are code cells; output blocks are left to the run."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "source": f"docs/{page}.md",
    }
    prose: list[str] = []

    def flush():
        text = "\n\n".join(p for p in prose if p.strip())
        prose.clear()
        if text.startswith((" ", "\t")):  # the rest of an admonition that a code cell interrupted
            text = textwrap.indent(textwrap.dedent(text), "> ", lambda line: True)
        if text.strip():
            source, attachments = to_notebook_markdown(text, page)
            cell = nbformat.v4.new_markdown_cell(source, id=f"md-{len(nb.cells)}")
            if attachments:
                cell.attachments = attachments
            nb.cells.append(cell)

    for part in split_page(page):
        if isinstance(part, str):
            prose.append(part)
        elif part.lang == "python":
            flush()
            nb.cells.append(nbformat.v4.new_code_cell(
                part.code, id=f"code-{part.index}", metadata={"block": part.index, "snippets": part.targets}))
        elif part.lang in ("bash", "sh"):
            prose.append(textwrap.indent(f"```bash\n{part.code}\n```", part.indent))
    flush()
    return nb


async def execute(page: str, nb: nbformat.NotebookNode, workdir: Path) -> nbformat.NotebookNode:
    workdir.mkdir(parents=True, exist_ok=True)
    running = {}  # the block in the kernel now: a timeout or a dead kernel names it
    # "immediate": the kernel is killed once the last cell has run. Everything a chapter writes is on disk
    # by then (Lightning closes its loggers when fit() returns), and a graceful exit spends about 2 s per
    # kernel tearing torch and Lightning down.
    client = NotebookClient(nb, timeout=RUN_TIMEOUT, kernel_name="python3", allow_errors=True,
                            shutdown_kernel="immediate", resources={"metadata": {"path": str(workdir)}},
                            on_cell_execute=lambda cell, cell_index: running.update(block=cell.metadata.get("block")))
    try:
        await client.async_execute(env=KERNEL_ENV)
    except Exception as e:  # an error a cell raised is in its outputs; this is the kernel failing
        where = f"{page}.md block {running['block']}" if "block" in running else f"{page}.md, before its first block,"
        raise RuntimeError(f"{where} did not finish: {type(e).__name__}: {e}") from e
    return nb


def run_pages(pages: list[str], workroot: Path) -> dict[str, "Run"]:
    """Each page's notebook in its own fresh kernel and folder, all at once."""
    notebooks = {page: build_notebook(page) for page in pages}

    async def all_runs():
        return await asyncio.gather(*(execute(page, nb, workroot / page) for page, nb in notebooks.items()))

    executed = asyncio.run(all_runs())
    return {page: Run(page, nb, workroot / page) for page, nb in zip(pages, executed)}


ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
PROGRESS = re.compile(r"(?:Epoch \d+|Training|Sanity Checking|Validation)[^\n|]*?:\s*(?:\d+%)?\|[^|]*\|[^\]]*\]")
# Lines a run prints that the book's outputs leave out, each with the words an output block's title
# uses to say so: the reader sees them when running the code, and lstm-by-hand.md says what they are.
LEFT_OUT = {
    "提示": re.compile(r"^💡 Tip: .*(litlogger|litmodels)"),  # Lightning's adverts for its cloud services
    "弃用警告": re.compile(r"LeafSpec\)` is deprecated"),  # torch 2.13 deprecating what Lightning 2.6.6 calls
}


def clean(text: str, workdir: Path) -> tuple[str, Counter]:
    """What a terminal finally shows, without progress bars, LEFT_OUT lines and machine-specific paths;
    and how many lines of each of LEFT_OUT were left out (plus "进度条" when there were bars)."""
    lines, left_out = [], Counter()
    for line in ANSI.sub("", text).split("\n"):
        line = line.rstrip("\r").split("\r")[-1].rstrip()
        if PROGRESS.search(line):
            left_out["进度条"] = 1
            line = PROGRESS.sub("", line).strip()
            if not line:
                continue
        dropped = [what for what, pattern in LEFT_OUT.items() if pattern.search(line)]
        if dropped:
            left_out.update(dropped)  # each is one line: a tip, a warning
            continue
        line = line.replace(str(workdir.resolve()), ".").replace(str(workdir), ".")
        lines.append(re.sub(r"\S*/site-packages/", "", line))
    return "\n".join(lines).strip("\n") + "\n", left_out


class Run:
    """One executed page: its notebook, and the folder it ran in (lightning_logs/ lives there)."""

    def __init__(self, page: str, nb: nbformat.NotebookNode, workdir: Path):
        self.page, self.nb, self.workdir = page, nb, workdir
        self.left_out: dict[int, Counter] = {}  # block -> what clean() left out of its output
        nb.metadata.get("language_info", {}).pop("version", None)  # the kernel's patch release varies by machine
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = self._cleaned(cell)
                cell.metadata.pop("execution", None)

    def _cleaned(self, cell) -> list:
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        kept = []
        if text.strip():
            cleaned, left_out = clean(text, self.workdir)
            if "`Trainer.fit` stopped" in text:  # KERNEL_ENV kept the bar a reader sees from being drawn
                left_out["进度条"] = 1
            self.left_out[cell.metadata["block"]] = left_out
            kept = [nbformat.v4.new_output("stream", name="stdout", text=cleaned)]
        return kept + [o for o in cell.outputs if o.output_type != "stream"]

    def cell(self, block: int):
        for cell in self.nb.cells:
            if cell.cell_type == "code" and cell.metadata.get("block") == block:
                return cell
        raise LookupError(f"{self.page}.md has no Python block {block}")

    def cell_for(self, target: str):
        for cell in self.nb.cells:
            if cell.cell_type == "code" and target in cell.metadata.get("snippets", []):
                return cell
        raise LookupError(f"{self.page}.md shows no block from {target}")

    def text_for(self, target: str) -> str:
        return self.text(self.cell_for(target))

    @staticmethod
    def error(cell) -> str | None:
        for out in cell.outputs:
            if out.output_type == "error":
                return ANSI.sub("", "\n".join(out.traceback)) or f"{out.ename}: {out.evalue}"
        return None

    @staticmethod
    def text(cell) -> str:
        return "".join(o.text for o in cell.outputs if o.output_type == "stream")


def page_notebook(page: str, run: Run | None) -> nbformat.NotebookNode:
    """The notebook the site offers for a page: its run's, or, for a page without code, the page's own."""
    return run.nb if run is not None else build_notebook(page)
