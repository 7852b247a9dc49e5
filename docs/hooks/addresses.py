"""MkDocs hook: where the site and its repository are, and `mkdocs serve` showing a broken build.

- The site's address comes from the environment (`site_url: !ENV [SITE_URL, …]` in mkdocs.yml): the CI
  workflow sets it to the Pages address that actions/configure-pages reports, so a fork publishes with no
  edit; without it the site is built for `mkdocs serve` at http://127.0.0.1:8000/.
- The repository's address: REPO_URL (the workflow sets it), else the `origin` remote of the clone when
  it is on GitHub. Pages link to files of the repository as paths out of docs/, as GitHub itself shows
  them (`[requirements.txt](../requirements.txt)`); such a link becomes `<repository>/blob/HEAD/<path>`
  (`tree/` for a folder), or plain text when no repository is known. The footer links the repository
  too; Material's own `repo_url` would fetch its stars from api.github.com on every page.
- `mkdocs serve` whose rebuild fails logs "The server will appear stuck until build errors are
  resolved" and then holds every page request. Instead, every page of the served site is replaced by the
  error, and the browser reloads once a build succeeds again.
"""
from __future__ import annotations

import html
import logging
import os
import posixpath
import re
import subprocess
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.site")
OUT_OF_DOCS = re.compile(r"\[(?P<text>[^\]]+)\]\((?P<path>\.\./[^)\s#]+)(?P<anchor>#[^)\s]*)?\)")
GITHUB_REMOTE = re.compile(r"^(?:https://github\.com/|git@github\.com:)(?P<repo>[\w.-]+/[\w.-]+?)(?:\.git)?/?$")


def repository(root: Path) -> str | None:
    if os.environ.get("REPO_URL"):
        return os.environ["REPO_URL"].rstrip("/")
    try:
        origin = subprocess.run(["git", "remote", "get-url", "origin"], cwd=root, capture_output=True,
                                text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    m = GITHUB_REMOTE.match(origin)
    return f"https://github.com/{m['repo']}" if m else None


def on_config(config):
    config.extra["repository"] = repository(Path(config.config_file_path).parent)
    if config.extra["repository"]:
        config.extra.setdefault("social", []).append(
            {"icon": "fontawesome/brands/github", "link": config.extra["repository"], "name": "本书的仓库"})
    return config


def repository_link(match: re.Match, page_path: str, docs: Path, repo: str | None) -> str:
    target = posixpath.normpath(posixpath.join("docs", posixpath.dirname(page_path), match["path"]))
    if target.startswith(("..", "docs/")):
        return match[0]  # not a path of the repository outside docs/: MkDocs checks it as usual
    if repo is None:
        return f"`{target}`" if match["text"].strip("`") == target else f"{match['text']}（仓库里的 `{target}`）"
    kind = "tree" if (docs.parent / target).is_dir() else "blob"
    return f"[{match['text']}]({repo}/{kind}/HEAD/{target}{match['anchor'] or ''})"


def on_page_markdown(markdown: str, page, config, files) -> str:
    docs = Path(config.docs_dir)
    return OUT_OF_DOCS.sub(lambda m: repository_link(m, page.file.src_uri, docs, config.extra["repository"]), markdown)


ERROR_PAGE = """<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>构建失败</title></head>
<body style="font-family: sans-serif; margin: 2em; max-width: 60em">
<h1>网站构建失败</h1><p>修好之后，这一页会自动刷新。<code>mkdocs serve</code> 的终端里有完整的信息。</p>
<pre style="white-space: pre-wrap; background: #fee; padding: 1em">{error}</pre></body></html>"""


def on_serve(server, config, builder):
    def build_or_show_error():
        try:
            builder()
        except Exception as e:  # noqa: BLE001 - whatever stopped the build is what the author must see
            log.error(f"The build failed; every page now shows why: {e}")
            page = ERROR_PAGE.format(error=html.escape(f"{type(e).__name__}: {e}"))
            for path in Path(server.root).rglob("*.html"):
                path.write_text(page, encoding="utf-8")

    server.builder = build_or_show_error
    return server
