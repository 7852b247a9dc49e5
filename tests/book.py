"""The book's machinery: read a page as the reader sees it, run it, and turn the run into artifacts.

A page is expanded with the same pymdownx.snippets settings as mkdocs.yml, cut into prose and fenced
blocks, and turned into a notebook whose code cells are the page's Python blocks in page order.
Executing that notebook in a fresh kernel is "running the page"; its outputs, logs and checkpoints
are what the generated artifacts (docs/generated/) are made from.
"""
from __future__ import annotations

import asyncio
import base64
import csv
import io
import json
import math
import os
import re
import textwrap
from urllib.parse import urljoin
from dataclasses import dataclass
from pathlib import Path

import markdown
import nbformat
import yaml
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SNIPPETS = ROOT / "snippets"
GENERATED = DOCS / "generated"

# Pages that become notebooks, in reading order.
CHAPTERS = ("theory", "lstm-by-hand", "nn-lstm")
RUN_TIMEOUT = 900  # seconds per cell: chapter 2's training is the longest, about a minute and a half here

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
INCLUDE = re.compile(r'^\s*-{1,2}8<-{1,2}\s+"(?P<target>[^"]+)"\s*$')
SECTION = re.compile(r"#\s*--8<--\s*\[(start|end):([a-z][-_0-9a-z]*)\]")  # a named section in a snippet
ADMONITION = re.compile(r'^(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?)\s+(?P<kind>[\w-]+)(?:\s+"(?P<title>[^"]*)")?\s*$')
IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>assets/[^)\s]+\.svg)\)(?:\{[^}]*\})?")


@dataclass
class Block:
    """One fenced block of a page, after snippet expansion."""

    page: str
    index: int  # 1-based position among the page's fenced blocks
    lang: str  # "python", "bash", "text" (outputs)
    targets: list[str]  # the snippet includes it is made of, e.g. ["chapter2.py:train"]
    code: str
    indent: str = ""  # blocks nested in an admonition or a list are indented

    @property
    def name(self) -> str:
        return f"{self.page}.md block {self.index} ({', '.join(self.targets) or 'inline'})"


def snippet_config() -> dict:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    for ext in config["markdown_extensions"]:
        if isinstance(ext, dict) and "pymdownx.snippets" in ext:
            return ext["pymdownx.snippets"]
    raise LookupError("mkdocs.yml does not configure pymdownx.snippets")


def expand(text: str) -> str:
    """Expand --8<-- includes exactly as the site build does (paths relative to the repository root)."""
    config = dict(snippet_config())
    config["base_path"] = [str(ROOT / p) for p in config["base_path"]]
    md = markdown.Markdown(extensions=["pymdownx.snippets"], extension_configs={"pymdownx.snippets": config})
    return "\n".join(md.preprocessors["snippet"].run(text.split("\n")))


def info_lang(info: str) -> str:
    """The language of a fence's info string: `python`, `{.text .output title="…"}`, `bash` …"""
    info = info.strip().lstrip("{").strip()
    return info.split()[0].lstrip(".").lower() if info else ""


def output_file(target: str) -> str:
    """Where, under docs/generated/, the output of a block showing `target` ("chapter2.py:check") lives."""
    script, section = target.split(":")
    return f"outputs/{Path(script).stem}/{section}.txt"


def is_generated(target: str) -> bool:
    return not (SNIPPETS / target.split(":")[0]).exists()


def split_page(page: str) -> list[str | Block]:
    """The page as a list of prose chunks (expanded markdown) and fenced blocks.

    Includes of generated artifacts (outputs, charts) are left out: they are what running the page
    produces, not part of its source.
    """
    raw = (DOCS / f"{page}.md").read_text(encoding="utf-8").split("\n")
    parts: list[str | Block] = []
    prose: list[str] = []
    i = 0
    while i < len(raw):
        m = FENCE.match(raw[i])
        if not m:
            include = INCLUDE.match(raw[i])
            if not (include and is_generated(include["target"])):
                prose.append(raw[i])
            i += 1
            continue
        indent, fence = m["indent"], m["fence"]
        j = i + 1
        while j < len(raw) and raw[j].strip() != fence:
            j += 1
        body = [line[len(indent):] if line.startswith(indent) else line.lstrip() for line in raw[i + 1:j]]
        targets = [t["target"] for t in map(INCLUDE.match, body) if t]
        if prose:
            parts.append(expand("\n".join(prose)))
            prose = []
        index = sum(isinstance(p, Block) for p in parts) + 1
        code = "\n".join(body) if any(map(is_generated, targets)) else expand("\n".join(body)).strip("\n")
        parts.append(Block(page, index, info_lang(m["info"]), targets, code, indent))
        i = j + 1
    if prose:
        parts.append(expand("\n".join(prose)))
    return parts


def blocks(page: str) -> list[Block]:
    return [p for p in split_page(page) if isinstance(p, Block)]


def code_blocks(page: str) -> list[Block]:
    return [b for b in blocks(page) if b.lang in ("python", "bash", "sh")]


# --- notebooks -----------------------------------------------------------------------------------

WIDGET = re.compile(r'<div class="lstm-explorer".*?</div>', re.S)


def to_notebook_markdown(text: str, page: str) -> tuple[str, dict]:
    """Material-only syntax made readable in Jupyter: admonitions become quotes, SVGs attachments,
    and the site's interactive widget a link to the page where it runs."""
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

    def attach(match: re.Match) -> str:
        name = Path(match["src"]).name
        data = (DOCS / match["src"]).read_bytes()
        attachments[name] = {"image/svg+xml": base64.b64encode(data).decode()}
        return f"![{match['alt']}](attachment:{name})"

    body = IMAGE.sub(attach, "\n".join(out))
    # Links point at the published site: a downloaded notebook has no neighbours.
    site = public_link_base()
    body = WIDGET.sub(f"> 这个交互演示只能在网页上运行：<{site}/{page}/>", body)
    body = re.sub(r"\]\(([^)\s]+)\)", lambda m: f"]({published_url(m[1], page, site)})", body)
    body = re.sub(r'href="([^"]+)"', lambda m: f'href="{urljoin(f"{site}/{page}/", m[1])}"', body)
    body = re.sub(r"^(#+ .*?)\s*\{[^}]*\}\s*$", r"\1", body, flags=re.M)  # attr lists are Material's
    # mkdocs-jupyter's table of contents drops code spans from heading ids, nbconvert keeps them
    body = re.sub(r"^#+ .*$", lambda m: m[0].replace("`", ""), body, flags=re.M)
    return body.strip("\n"), attachments


def published_url(target: str, page: str, site: str) -> str:
    """A Markdown link of docs/<page>.md as an address on the published site."""
    if re.match(r"[a-z]+:", target):
        return target
    path, _, anchor = target.partition("#")
    path = re.sub(r"(\.md|\.ipynb)$", "/", path) if path else f"{page}/"
    return f"{site}/{path}" + (f"#{anchor}" if anchor else "")


def build_notebook(page: str) -> nbformat.NotebookNode:
    """The page as a notebook: Python blocks are code cells, output blocks are left to the run."""
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


def public_link_base() -> str:
    return yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["site_url"].rstrip("/")


# --- running -------------------------------------------------------------------------------------

# How the suite's kernels differ from a reader's, for speed only (the outputs are the same):
# - In a kernel, every progress-bar refresh is a blocking round trip to ipykernel's IO thread: with the
#   bar, chapter 2 runs about 75% slower than as a script. The bar is dropped from the outputs anyway
#   (see clean()), so the kernels take Lightning's env default for `Trainer(enable_progress_bar=)`.
# - One thread per process (also set in conftest.py): these tensors are too small for torch to split,
#   and two processes' threads waiting on each other for two busy cores cost ten times the math.
KERNEL_ENV = dict(os.environ, PL_TRAINER_ENABLE_PROGRESS_BAR="0", OMP_NUM_THREADS="1")

async def _execute(page: str, nb: nbformat.NotebookNode, workdir: Path) -> nbformat.NotebookNode:
    workdir.mkdir(parents=True, exist_ok=True)
    running = {}  # the block in the kernel now: a timeout or a dead kernel names it
    # "immediate": the kernel is killed once the last cell has run. Everything the chapter writes is on
    # disk by then (Lightning closes its loggers when fit() returns), and a graceful exit spends about
    # 2 s per kernel tearing torch and Lightning down, on the CPU the chapters share. A cell that logged
    # after the last fit() (trainer.validate(), say) would reopen a buffered event writer and lose it.
    client = NotebookClient(nb, timeout=RUN_TIMEOUT, kernel_name="python3", allow_errors=True,
                            shutdown_kernel="immediate", resources={"metadata": {"path": str(workdir)}},
                            on_cell_execute=lambda cell, cell_index: running.update(block=cell.metadata.get("block")))
    try:
        await client.async_execute(env=KERNEL_ENV)
    except Exception as e:  # an error a cell raised is in its outputs; this is the kernel failing
        where = f"{page}.md block {running['block']}" if "block" in running else f"{page}.md, before its first block,"
        raise RuntimeError(f"{where} did not finish: {type(e).__name__}: {e}") from e
    return nb


def run_chapters(workroot: Path, pages=CHAPTERS) -> dict[str, "Run"]:
    """Execute each page's notebook in its own fresh kernel and folder, all at once."""
    notebooks = {page: build_notebook(page) for page in pages}

    async def all_runs():
        return await asyncio.gather(*(_execute(page, nb, workroot / page) for page, nb in notebooks.items()))

    executed = asyncio.run(all_runs())
    return {page: Run(page, nb, workroot / page) for page, nb in zip(pages, executed)}


ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
PROGRESS = re.compile(r"(?:Epoch \d+|Training|Sanity Checking|Validation)[^\n|]*?:\s*(?:\d+%)?\|[^|]*\|[^\]]*\]")


def clean(text: str, workdir: Path) -> str:
    """What a terminal finally shows, without progress bars and machine-specific paths."""
    lines = []
    for line in ANSI.sub("", text).split("\n"):
        line = line.rstrip("\r").split("\r")[-1].rstrip()
        if PROGRESS.search(line):
            line = PROGRESS.sub("", line).strip()
            if not line:
                continue
        line = line.replace(str(workdir.resolve()), ".").replace(str(workdir), ".")
        lines.append(re.sub(r"\S*/site-packages/", "", line))
    return "\n".join(lines).strip("\n") + "\n"


class Run:
    """One executed chapter: its notebook, and the folder it ran in (lightning_logs/ lives there)."""

    def __init__(self, page: str, nb: nbformat.NotebookNode, workdir: Path):
        self.page, self.nb, self.workdir = page, nb, workdir
        nb.metadata.get("language_info", {}).pop("version", None)  # the kernel's patch release varies by machine
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = self._cleaned(cell.outputs)
                cell.metadata.pop("execution", None)

    def _cleaned(self, outputs) -> list:
        text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
        kept = [nbformat.v4.new_output("stream", name="stdout", text=clean(text, self.workdir))] if text.strip() else []
        return kept + [o for o in outputs if o.output_type != "stream"]

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

    @staticmethod
    def error(cell) -> str | None:
        for out in cell.outputs:
            if out.output_type == "error":
                return ANSI.sub("", "\n".join(out.traceback)) or f"{out.ename}: {out.evalue}"
        return None

    @staticmethod
    def text(cell) -> str:
        return "".join(o.text for o in cell.outputs if o.output_type == "stream")


# --- reading what a run wrote --------------------------------------------------------------------

TAGS = ("train_loss", "out_0", "out_1")


def read_scalars(version_dir: Path) -> list[dict]:
    """train_loss, out_0 and out_1 by step, from the TensorBoard event files Lightning wrote."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    if not any(version_dir.glob("events.out.tfevents.*")):
        raise FileNotFoundError(f"no TensorBoard event file in {version_dir}")
    acc = EventAccumulator(str(version_dir), size_guidance={"scalars": 0})
    acc.Reload()
    missing = [t for t in TAGS if t not in acc.Tags()["scalars"]]
    if missing:
        raise ValueError(f"{version_dir}: event files lack the tags {missing}")
    rows: dict[int, dict] = {}
    for tag in TAGS:
        for event in acc.Scalars(tag):
            rows.setdefault(event.step, {"step": event.step})[tag] = event.value
    return [rows[s] for s in sorted(rows)]


def curves_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=("step",) + TAGS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in row.items()})
    return buf.getvalue()


def shown_path(path: Path) -> str:
    """A path as an error message names it: relative to the repository when it is inside."""
    return os.path.relpath(path, ROOT) if path.is_relative_to(ROOT) else str(path)


def parse_curves(path: Path) -> list[dict]:
    """Chart data back from CSV, refusing a file that is not what curves_csv writes."""
    try:
        with path.open(encoding="utf-8") as f:
            reader = csv.DictReader(f)
            if tuple(reader.fieldnames or ()) != ("step",) + TAGS:
                raise ValueError(f"columns {reader.fieldnames}, expected {('step',) + TAGS}")
            rows = [{k: (int(v) if k == "step" else float(v)) for k, v in r.items() if v != ""} for r in reader]
    except (OSError, ValueError, TypeError) as e:
        raise ValueError(f"chart data {shown_path(path)} is missing or malformed: {e}") from e
    if not rows:
        raise ValueError(f"chart data {shown_path(path)} holds no rows")
    empty = [tag for tag in TAGS if not any(tag in r for r in rows)]
    if empty:
        raise ValueError(f"chart data {shown_path(path)} holds no values of {empty}")
    if len({r["step"] for r in rows}) < 2:
        raise ValueError(f"chart data {shown_path(path)} holds fewer than two steps: no curve to draw")
    return rows


def checkpoint_weights(ckpt: Path) -> dict[str, float]:
    import torch

    state = torch.load(ckpt, map_location="cpu", weights_only=True)["state_dict"]
    return {name: round(float(value), 8) for name, value in state.items()}


def first_difference(a: str, b: str, same=lambda line: line) -> str:
    """Where two texts first differ, line by line, after `same` makes what may differ equal."""
    for i, (la, lb) in enumerate(zip(a.splitlines(), b.splitlines()), 1):
        if same(la) != same(lb):
            return f"line {i} differs: {la.strip()!r} != {lb.strip()!r}"
    return f"line count differs: {len(a.splitlines())} != {len(b.splitlines())}"


def numbers_close(a: str, b: str, rel=1e-3, abs_=1e-4) -> str | None:
    """None if a and b are the same text with numbers equal within tolerance, else what differs."""
    num = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
    if num.sub("#", a) != num.sub("#", b):
        return first_difference(a, b, lambda line: num.sub("#", line))
    for x, y in zip(num.findall(a), num.findall(b)):
        if not math.isclose(float(x), float(y), rel_tol=rel, abs_tol=abs_):
            return f"number {x} != {y} (tolerance rel {rel}, abs {abs_})"
    return None


def seed_study_results() -> dict:
    """docs/generated/seed_study.json: per model, one row per seed."""
    return json.loads((GENERATED / "seed_study.json").read_text(encoding="utf-8"))


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1) + "\n"
