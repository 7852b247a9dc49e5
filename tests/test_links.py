"""No broken link inside the built site, and every external URL it holds is listed in tests/external-links.txt.

Every `href`/`src` (and `srcset`, `poster`, `data`) of every HTML file of the built site is resolved
against its page. A link into the site (relative, root-relative, or absolute under `site_url`) must name
a file that exists, and its `#fragment` an `id` (or `<a name>`) on that page. `mailto:`, `tel:`,
`javascript:`, `data:` and `blob:` are ignored. Every other absolute URL is external: the set of them,
with the pages that hold each, must equal tests/external-links.txt, so adding or losing one is a
reviewed change. Regenerate the list with

    python tests/test_links.py --update
"""
from __future__ import annotations

import difflib
import posixpath
import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from pages import shown_path, site_address

EXTERNAL_LIST = Path(__file__).with_name("external-links.txt")
URL_ATTRIBUTES = {"href", "src", "poster", "data", "action", "formaction"}
IGNORED_SCHEMES = {"mailto", "tel", "javascript", "data", "blob", "about"}
LOCAL_BASE = "http://site.invalid/"  # stands for the site root while resolving links


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str, str]] = []  # (tag, attribute, url)
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (name == "name" and tag == "a"):
                self.ids.add(value)
            elif name in URL_ATTRIBUTES:
                self.urls.append((tag, name, value.strip()))
            elif name == "srcset":
                self.urls += [(tag, name, part.split()[0]) for part in value.split(",") if part.strip()]

    handle_startendtag = handle_starttag


def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    return page


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def page_url(site: Path, path: Path) -> str:
    """The URL a file is served at, under LOCAL_BASE."""
    return LOCAL_BASE + path.relative_to(site).as_posix()


def target_file(site: Path, path: str) -> Path | None:
    """The file a URL path (relative to the site root) is served from, as a static server would. Dot
    segments left percent-encoded by urljoin (%2e%2e) are resolved as a browser does, never above the root."""
    candidate = site / posixpath.normpath("/" + unquote(path)).lstrip("/")
    if candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


def scan(site: Path):
    """(broken internal links, {external URL: {pages}}) for the whole site."""
    public = site_address() + "/"
    public_parts = urlsplit(public) if public else None
    parsed = {path: parse(path) for path in html_files(site)}
    broken, external = [], defaultdict(set)
    for path, page in parsed.items():
        name = path.relative_to(site).as_posix()
        base = page_url(site, path)
        for tag, attribute, raw in page.urls:
            if not raw:
                continue
            scheme = urlsplit(raw).scheme.lower()
            if scheme in IGNORED_SCHEMES:
                continue
            absolute = raw
            if public and raw.startswith(public):
                absolute = LOCAL_BASE + raw[len(public):]  # canonical links and the like: inside the site
            elif raw.startswith("/") and not raw.startswith("//") and public_parts is not None:
                # Root-relative (404.html): strip the site's path prefix, as GitHub Pages serves it.
                prefix = public_parts.path
                rest = raw[len(prefix):] if raw.startswith(prefix) else None
                if rest is None:
                    broken.append(f"{name}: <{tag} {attribute}=\"{raw}\">: root-relative URL outside {prefix}")
                    continue
                absolute = LOCAL_BASE + rest
            resolved = urljoin(base, absolute)
            parts = urlsplit(resolved)
            if not resolved.startswith(LOCAL_BASE):
                if parts.scheme in ("http", "https"):
                    external[raw].add(name)
                else:
                    broken.append(f"{name}: <{tag} {attribute}=\"{raw}\">: unexpected URL scheme {parts.scheme!r}")
                continue
            target = target_file(site, parts.path[len(urlsplit(LOCAL_BASE).path):])
            if target is None:
                broken.append(f"{name}: <{tag} {attribute}=\"{raw}\">: no file at /{parts.path.lstrip('/')}")
                continue
            fragment = unquote(parts.fragment)
            if fragment and target.suffix == ".html" and fragment not in parsed[target].ids:
                where = target.relative_to(site).as_posix()
                broken.append(f"{name}: <{tag} {attribute}=\"{raw}\">: no id=\"{fragment}\" in {where}")
    return broken, external


def external_list(external: dict[str, set[str]], repository: str | None) -> str:
    def listed(url):
        return url.replace(repository, "{repository}", 1) if repository and url.startswith(repository) else url

    return "".join(f"{listed(url)}\t{' '.join(sorted(pages))}\n" for url, pages in sorted(external.items()))


def repository_of(site: Path) -> str | None:
    """The repository address docs/hooks/addresses.py gave this build (the footer's link), if any."""
    m = re.search(r'<a href="([^"]+)"[^>]*title="本书的仓库"', (site / "index.html").read_text(encoding="utf-8"))
    return m[1] if m else None


def test_no_broken_internal_links_or_anchors(built_site):
    broken, _ = scan(built_site)
    assert not broken, f"{len(broken)} broken internal link(s):\n" + "\n".join(broken)


def test_external_links_are_the_listed_ones(built_site, regenerating):
    _, external = scan(built_site)
    actual = external_list(external, repository_of(built_site))
    expected = EXTERNAL_LIST.read_text(encoding="utf-8") if EXTERNAL_LIST.exists() else ""
    if actual == expected:
        return
    if regenerating is not None:
        EXTERNAL_LIST.write_text(actual, encoding="utf-8")
        regenerating.append(f"wrote {shown_path(EXTERNAL_LIST)}")
        return
    diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                        shown_path(EXTERNAL_LIST), "built site"))
    pytest.fail(f"the site's external URLs (URL<TAB>pages) differ from {shown_path(EXTERNAL_LIST)}; review the "
                f"diff, then run `pytest --regenerate`:\n{diff}", pytrace=False)
