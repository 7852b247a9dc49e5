"""Headless Chromium (Debian's, driven by Playwright) against the built site served on localhost."""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from gzip import compress
from pathlib import Path

import pytest

from pages import site_address

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def chromium_path() -> str:
    """Debian's chromium; in CI its absence fails the test, elsewhere it skips with the fix named."""
    path = shutil.which("chromium")
    if path:
        return path
    message = "no `chromium` on PATH: install it with `apt-get update && apt-get install -y chromium`"
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


COMPRESSIBLE = (".html", ".css", ".js", ".json", ".xml", ".svg", ".txt", ".map", ".ipynb", ".csv")


@contextmanager
def serve(site: Path, gzip: bool = False):
    """The built site on http://127.0.0.1:<free port>/, quietly; with gzip, compressed as GitHub Pages
    serves it. The site may be built once the URL is known: every request reads the directory afresh."""
    handler = functools.partial(_GzipHandler if gzip else _QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _GzipHandler(_QuietHandler):
    """Static files, gzip-compressed when the client accepts it, as GitHub Pages serves them."""

    def do_GET(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?")[0].endswith("/"):
                self.send_response(301)
                self.send_header("Location", self.path.split("?")[0] + "/")
                self.end_headers()
                return
            path = path / "index.html"
        if not path.is_file():
            self.send_error(404, "File not found")
            return
        body = path.read_bytes()
        gzipped = path.suffix in COMPRESSIBLE and "gzip" in self.headers.get("Accept-Encoding", "")
        if gzipped:
            body = compress(body, 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Length", str(len(body)))
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        self.wfile.write(body)


def site_pages(site: Path) -> list[str]:
    """Every full HTML document of the site but 404.html, as a URL path relative to the root ("", "theory/",
    …), shallowest first."""
    pages = []
    for path in site.rglob("*.html"):
        rel = path.relative_to(site).as_posix()
        if rel == "404.html":
            continue
        head = path.read_text(encoding="utf-8", errors="replace")[:512].lstrip().lower()
        if not head.startswith(("<!doctype html", "<html")):
            continue  # an HTML fragment copied from docs/ (e.g. an included chart), not a page
        pages.append(rel[: -len("index.html")] if rel.endswith("index.html") else rel)
    return sorted(pages, key=lambda p: (p.count("/"), p))


@dataclass
class PageLog:
    """What a page logged and requested while watched."""

    page: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)  # requests to another host, aborted
    requests: list[str] = field(default_factory=list)


def block_third_parties(context, base: str, record: list[str]) -> None:
    """Let requests to the local server through; record and abort everything else, so that a test never
    touches the network and a third-party request fails it instead of hanging it."""

    def handle(route):
        url = route.request.url
        if url.startswith(base) or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            record.append(f"{route.request.resource_type} {url}")
            route.abort()

    context.route("**/*", handle)


def serve_local_sitemap(context, site: Path, base: str) -> None:
    """Material's instant navigation only intercepts links listed in sitemap.xml, rewritten to the current
    *hostname* (not port or path): served from 127.0.0.1:<port>/ instead of site_url, no link would
    qualify and every click would load a whole page. The sitemap is therefore served with site_url
    replaced by the local server's URL, as it is when the site is served at its site_url. Call after
    block_third_parties: the route added last handles the request."""
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8").replace(site_address() + "/", base)
    context.route(base + "sitemap.xml",
                  lambda route: route.fulfill(status=200, content_type="application/xml", body=sitemap))


def answer_json(status: int = 200, body: str = ""):
    """A route handler that answers a widget's data request with `body`: its broken-data tests."""
    return lambda route: route.fulfill(status=status, body=body, content_type="application/json")


def remount(page, widget: str, state: str) -> None:
    """Put a fresh, unmounted copy of the page's `widget` element (".lstm-explorer") in place of the old one,
    in view, and let Material announce a new document, as instant navigation does: the widget mounts again
    and fetches its data again. `state` is the attribute the widget marks itself mounted with."""
    page.evaluate("""([widget, state]) => {
        const old = document.querySelector(widget);
        const fresh = document.createElement('div');
        for (const a of old.attributes) if (a.name !== state) fresh.setAttribute(a.name, a.value);
        old.replaceWith(fresh);
        fresh.scrollIntoView();
        document$.next(document);
    }""", [widget, state])


def watch(page, log: PageLog) -> None:
    def on_console(msg):
        if msg.type == "error":
            loc = msg.location or {}
            if any(r.endswith(" " + str(loc.get("url"))) for r in log.external):
                return  # the failure of a third-party request block_third_parties aborted: reported as that request
            at = f" (at {loc.get('url')}:{loc.get('lineNumber')})" if loc.get("url") else ""
            log.console_errors.append(f"{msg.text}{at}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: log.page_errors.append(str(error)))
    page.on("request", lambda r: log.requests.append(r.url))
    page.on("response", lambda r: log.bad_responses.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)


def settle(page, timeout_ms: int = 15_000) -> None:
    """Wait until the page's network has been idle for 0.5 s since it loaded (at once if it already has
    been: Playwright marks a page idle once per navigation), so that what it fetches after the load
    event (the search index, its worker, the sitemap for instant navigation) has been seen."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError  # imported where the browser starts

    try:
        page.wait_for_load_state("networkidle", timeout=timeout_ms)
    except PlaywrightTimeoutError:
        pass  # a page still fetching by then: whatever it requested is recorded all the same


@pytest.fixture(scope="session")
def site_url(built_site):
    with serve(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: pip install -r requirements.txt")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield b
        b.close()
