"""The book's pages as a reader sees them: expanded with the site's own snippet settings, cut into prose
and fenced blocks.

One name per chapter: the page `docs/<chapter>.md`, its script `snippets/<chapter>.py`, the outputs of
its blocks `docs/generated/outputs/<chapter>/<section>.txt`, its notebook
`docs/generated/notebooks/<chapter>.ipynb` and its curves `docs/generated/curves/<chapter>.csv`.
"""
from __future__ import annotations

import functools
import importlib.util
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import markdown
from mkdocs.utils.yaml import yaml_load

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SNIPPETS = ROOT / "snippets"
GENERATED = DOCS / "generated"


def load_hook(name: str):
    """docs/hooks/<name>.py as MkDocs loads it: with docs/hooks/ on sys.path while it runs."""
    spec = importlib.util.spec_from_file_location(f"{name}_hook", DOCS / "hooks" / f"{name}.py")
    hook = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(DOCS / "hooks"))
    try:
        spec.loader.exec_module(hook)
    finally:
        sys.path.remove(str(DOCS / "hooks"))
    return hook


includes_hook = load_hook("includes")
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
INCLUDE = includes_hook.INCLUDE  # the build checks each include with the same pattern
SECTION = re.compile(rf"#\s*--8<--\s*\[(start|end):({includes_hook.SECTION_NAME.pattern})\]")  # a named section


def include_target(m: re.Match) -> str:
    """An INCLUDE match as the page writes it: "file" or "file:section"."""
    return m["file"] + (f":{m['section']}" if m["section"] else "")


OUTPUT_TITLE = re.compile(r'title="(?P<title>[^"]*)"')


@dataclass
class Block:
    """One fenced block of a page, after snippet expansion."""

    page: str
    index: int  # 1-based position among the page's fenced blocks
    lang: str  # "python", "bash", "text" (outputs)
    targets: list[str]  # the snippet includes it is made of, e.g. ["lstm-by-hand.py:train"]
    code: str
    indent: str = ""  # blocks nested in an admonition or a list are indented
    info: str = ""  # the fence's info string, e.g. '{.text .output title="运行输出"}'

    @property
    def name(self) -> str:
        return f"{self.page}.md block {self.index} ({', '.join(self.targets) or 'inline'})"

    @property
    def title(self) -> str:
        m = OUTPUT_TITLE.search(self.info)
        return m["title"] if m else ""


@functools.cache
def mkdocs_config() -> dict:
    with (ROOT / "mkdocs.yml").open(encoding="utf-8") as f:
        return yaml_load(f)


def site_address() -> str:
    """The site's address this build uses (mkdocs.yml's site_url, from SITE_URL when set), without its final /."""
    return mkdocs_config()["site_url"].rstrip("/")


def snippet_config() -> dict:
    for ext in mkdocs_config()["markdown_extensions"]:
        if isinstance(ext, dict) and "pymdownx.snippets" in ext:
            return ext["pymdownx.snippets"]
    raise LookupError("mkdocs.yml does not configure pymdownx.snippets")


def nav_pages() -> list[str]:
    """The site's Markdown pages in navigation order, e.g. ["index", "theory", …]."""
    def walk(items):
        for item in items:
            for target in (item.values() if isinstance(item, dict) else [item]):
                yield from walk(target) if isinstance(target, list) else [target]

    return [target[:-3] for target in walk(mkdocs_config()["nav"]) if target.endswith(".md")]


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
    """Where, under docs/generated/, the output of a block showing `target` ("lstm-by-hand.py:check") lives."""
    script, section = target.split(":")
    return f"outputs/{Path(script).stem}/{section}.txt"


def is_generated(target: str) -> bool:
    return not (SNIPPETS / target.split(":")[0]).exists()


@functools.cache
def split_page(page: str) -> tuple[str | Block, ...]:
    """The page as prose chunks (expanded Markdown) and fenced blocks, in order.

    Includes of generated outputs are left as they are: they are what running the page produces, not
    part of its source.
    """
    raw = (DOCS / f"{page}.md").read_text(encoding="utf-8").split("\n")
    parts: list[str | Block] = []
    prose: list[str] = []
    i = 0
    while i < len(raw):
        m = FENCE.match(raw[i])
        if not m:
            prose.append(raw[i])
            i += 1
            continue
        indent, fence = m["indent"], m["fence"]
        j = i + 1
        while j < len(raw) and raw[j].strip() != fence:
            j += 1
        body = [line[len(indent):] if line.startswith(indent) else line.lstrip() for line in raw[i + 1:j]]
        targets = [include_target(t) for t in map(INCLUDE.match, body) if t]
        if prose:
            parts.append(expand("\n".join(prose)))
            prose = []
        index = sum(isinstance(p, Block) for p in parts) + 1
        code = "\n".join(body) if any(map(is_generated, targets)) else expand("\n".join(body)).strip("\n")
        parts.append(Block(page, index, info_lang(m["info"]), targets, code, indent, m["info"].strip()))
        i = j + 1
    if prose:
        parts.append(expand("\n".join(prose)))
    return tuple(parts)


def blocks(page: str) -> list[Block]:
    return [p for p in split_page(page) if isinstance(p, Block)]


def code_blocks(page: str) -> list[Block]:
    return [b for b in blocks(page) if b.lang in ("python", "bash", "sh")]


def python_pages() -> list[str]:
    """The pages with Python to run, in navigation order: each runs as a notebook in a kernel of its own."""
    return [page for page in nav_pages() if any(b.lang == "python" for b in blocks(page))]


def notebook_pages() -> list[str]:
    """The pages the site offers as notebooks: every chapter (the theory page too, which has no code)."""
    return [page for page in nav_pages() if page != "index"]


def script_source(script: str, names: list[str]) -> str:
    """snippets/<script>'s own import lines, then its named sections as the pages include them."""
    hidden = [line for line in (SNIPPETS / script).read_text(encoding="utf-8").split("# --8<--", 1)[0].splitlines()
              if line.startswith(("import ", "from "))]
    return "\n".join(hidden + [expand(f'--8<-- "{script}:{name}"') for name in names]) + "\n"


def script_sections(script: str, names: list[str]) -> SimpleNamespace:
    """script_source run in a namespace of its own: a script's functions, without its demonstrations."""
    namespace = {"__name__": f"{Path(script).stem}_sections"}
    exec(compile(script_source(script, names), f"snippets/{script} ({', '.join(names)})", "exec"), namespace)
    return SimpleNamespace(**namespace)


def shown_path(path: Path) -> str:
    """A path as an error message names it: relative to the repository when it is inside."""
    path = Path(path)
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
