"""MkDocs hook: every `--8<--` include of a page is checked before pymdownx.snippets expands it, so that a
bad one fails the build with one line naming the page, the file and the section (pymdownx names only the
section, under a long traceback), and a missing output of the run says how to make it.
"""
from __future__ import annotations

import re
from pathlib import Path

from mkdocs.exceptions import PluginError

SECTION_NAME = re.compile(r"[a-z][-_0-9a-z]*")  # as snippets/ name them; tests/pages.py builds on it and INCLUDE
INCLUDE = re.compile(r'^[ \t]*-{1,2}8<-{1,2}[ \t]+"(?P<file>[^":]+)(?::(?P<section>[^"]+))?"[ \t]*$', re.M)


def base_paths(config) -> list[Path]:
    """pymdownx.snippets' base_path, which it resolves against the working directory: the repository's root."""
    paths = config.mdx_configs.get("pymdownx.snippets", {}).get("base_path", ["."])
    return [Path(p) for p in ([paths] if isinstance(paths, str) else paths)]


def problem(file: str, section: str | None, bases: list[Path]) -> str | None:
    """What is wrong with an include, or None. An include under outputs/ ("outputs/lstm-by-hand/train.txt")
    is a block's output from the run, under docs/generated/. A section that is not a name ("1:3", lines) is
    pymdownx's to check."""
    found = next((base / file for base in bases if (base / file).is_file()), None)
    if found is None and file.startswith("outputs/"):
        return f"docs/generated/{file} is missing: run `pytest --regenerate`"
    if found is None:
        return f"no file {file} in {', '.join(b.as_posix() + '/' for b in bases)}"
    if section and SECTION_NAME.fullmatch(section) and not re.search(rf"--8<--\s*\[start:{re.escape(section)}\]", found.read_text(encoding="utf-8")):
        return f"{found.as_posix()} has no section '{section}'"
    return None


def on_page_markdown(markdown: str, page, config, files) -> str:
    bases = base_paths(config)
    for m in INCLUDE.finditer(markdown):
        why = problem(m["file"], m["section"], bases)
        if why:
            line = markdown.count("\n", 0, m.start()) + 1
            raise PluginError(f'{page.file.src_uri}, line {line}: --8<-- "{m[0].split(chr(34))[1]}": {why}')
    return markdown
