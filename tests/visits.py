"""Each page of the built site opened once in headless Chromium, and what it did: the page visits that
test_browser_site.py asserts on, made in the background while other tests run (conftest.py).

Each page is opened once in a fresh browser context (nothing cached, so every request it makes is seen), a
few pages at a time. Any request to a host other than the local server is recorded and aborted, so a visit
never touches the network and a third-party request fails the tests instead of hanging them. axe runs on
that same load, once the math is typeset and every <details> is open, so collapsed content is checked too.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from browser import CHROMIUM_FLAGS, PageLog, serve, site_pages, watch


def page_name(path: str) -> str:
    return "/" + path


# Runs in the page: the math comes typeset in the HTML (docs/hooks/mathjax.py); its fonts load with the page.
FONTS_READY = """async () => { if (document.fonts) await document.fonts.ready; }"""

# Runs in the page: what a reader would see of the math. Opens every <details> first, so collapsed
# formulas are rendered (and measured) too.
MATH_REPORT = r"""() => {
  for (const d of document.querySelectorAll('details')) d.open = true;
  const where = el => {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 3; e = e.parentElement) {
      let s = e.tagName.toLowerCase();
      if (e.id) { s += '#' + e.id; parts.unshift(s); break; }
      if (e.classList.length) s += '.' + [...e.classList].slice(0, 2).join('.');
      parts.unshift(s);
    }
    return parts.join(' > ');
  };
  const snippet = s => s.replace(/\s+/g, ' ').trim().slice(0, 90);
  // pymdownx.arithmatex's formulas. (Notebook cells hold $…$ in plain text, typeset in place by the build:
  // the raw-TeX check below covers them.)
  const arith = [...document.querySelectorAll('.arithmatex')].filter(e => !e.closest('.jupyter-wrapper'));
  const containers = [...document.querySelectorAll('mjx-container')];
  const untypeset = arith.filter(e => !e.querySelector('mjx-container'))
    .map(e => `${where(e)}: ${snippet(e.textContent)}`);
  const zeroWidth = containers.filter(c => c.checkVisibility())
    .filter(c => { const r = c.getBoundingClientRect(); return r.width <= 0 || r.height <= 0; })
    .map(c => `${where(c)} (${c.getBoundingClientRect().width}x${c.getBoundingClientRect().height} px): `
              + snippet(c.closest('.arithmatex') ? c.closest('.arithmatex').getAttribute('data-tex')
                        || c.querySelector('mjx-assistive-mml')?.textContent || '' : ''));
  const errors = [...document.querySelectorAll('mjx-merror')]
    .map(e => `${where(e)}: ${snippet(e.getAttribute('data-mjx-error') || e.textContent)}`);
  // Raw TeX left in the visible text: display/inline delimiters, or $…$ holding TeX (\cmd, _ or ^).
  const raw = [];
  const pattern = /\$\$|\\\(|\\\)|\\\[|\\\]|\$[^$\s][^$\n]*?(\\[A-Za-z]+|[_^])[^$\n]*?\$/;
  const skip = 'pre, code, kbd, samp, script, style, textarea, mjx-container, .md-search, .md-source';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const parent = n.parentElement;
    if (!parent || parent.closest(skip) || !parent.checkVisibility()) continue;
    const m = n.textContent.match(pattern);
    if (m) {
      const i = Math.max(0, m.index - 30);
      raw.push(`${where(parent)}: "${snippet(n.textContent.slice(i, m.index + 60))}"`);
    }
  }
  return {arithmatex: arith.length, containers: containers.length, untypeset, zeroWidth, errors, raw,
          emptyScripts: [...document.querySelectorAll('script[src=""]')].length,
          fontErrors: [...document.fonts].filter(f => f.status === 'error').map(f => f.family)};
}"""


COPY_REPORT = """() => [...document.querySelectorAll('.md-content pre > code')].map((code, i) => {
  const pre = code.parentElement;
  const button = pre.id ? document.querySelector(`[data-clipboard-target="#${CSS.escape(pre.id)} > code"]`) : null;
  return {index: i, id: pre.id, hasButton: !!button, text: code.textContent};
})"""


async def check_copy_buttons(page, name: str) -> tuple[int, list[str]]:
    """Click each code block's copy button; the clipboard must then hold the block's text."""
    problems, clicked = [], 0
    for block in await page.evaluate(COPY_REPORT):
        where = f"{name}: code block {block['index'] + 1} (pre#{block['id'] or '?'})"
        if not block["hasButton"]:
            problems.append(f"{where}: no copy button")
            continue
        await page.evaluate("() => navigator.clipboard.writeText('(clipboard not written)')")
        # A real mouse click at the button's centre. Playwright's checks before it (visible, stable, not
        # covered) are skipped: a button a reader could not click leaves the clipboard unwritten, and the
        # comparison below says so. They took two thirds of the test's time.
        await page.locator(f'[data-clipboard-target="#{block["id"]} > code"]').click(force=True)
        copied = await page.evaluate("() => navigator.clipboard.readText()")
        clicked += 1
        if copied.rstrip() != block["text"].rstrip():
            problems.append(f"{where}: the copy button copied {copied[:80]!r}…, the block shows {block['text'][:80]!r}…")
    return clicked, problems


@dataclass
class Visit(PageLog):
    """What one first load of a page did and showed."""

    math: dict = field(default_factory=dict)
    copied: int = 0
    copy_problems: list[str] = field(default_factory=list)
    violations: list[dict] = field(default_factory=list)
    full_restyles: list[str] = field(default_factory=list)


# Runs before the page's own scripts: records each change made once the page's content has begun (its
# .md-container) that makes Chromium restyle every element of the page (docs/hooks/page_load.py): a
# stylesheet <link>'s href, a new value of an attribute of <body> that Material's CSS selects on (the
# colours, data-md-color-switching) or a color-scheme <meta>. Material's inline script may set <body>'s
# colours earlier, while there is next to nothing to restyle.
WATCH_FULL_RESTYLES = """(() => {
window.__fullRestyles = [];
const BODY_STYLED_BY = ['data-md-color-scheme', 'data-md-color-primary', 'data-md-color-accent',
                        'data-md-color-switching'];
new MutationObserver(records => {
  if (!document.querySelector('.md-container')) return;
  const note = (what) => window.__fullRestyles.push(what);
  for (const r of records) {
    const t = r.target;
    if (r.type === 'attributes' && t.matches('link[rel~=stylesheet]') && r.attributeName === 'href')
      note(`stylesheet link ${r.oldValue} -> ${t.getAttribute('href')}`);
    else if (r.type === 'attributes' && t === document.body && BODY_STYLED_BY.includes(r.attributeName)
             && r.oldValue !== t.getAttribute(r.attributeName))
      note(`<body ${r.attributeName}> ${r.oldValue} -> ${t.getAttribute(r.attributeName)}`);
    else if (r.type === 'attributes' && t.matches('meta[name=color-scheme]'))
      note(`color-scheme meta ${r.oldValue} -> ${t.content}`);
    else if (r.type === 'childList')
      for (const n of r.addedNodes)
        if (n.matches?.('meta[name=color-scheme]')) note(`color-scheme meta added: ${n.content}`);
  }
}).observe(document, {subtree: true, childList: true, attributes: true, attributeOldValue: true});
})();"""


VISITS_AT_ONCE = 3  # pages loaded side by side: axe and the browser use more than one CPU between them
# axe's `region` rule (all content inside landmarks) judges the theme's template, not a page's content, and
# costs about two seconds on a long page: it runs on one page of each template, every other rule everywhere.
TEMPLATE_CHECKED_ON = {"", "generated/notebooks/theory/"}


async def visit(browser, axe, clipboard, base: str, path: str) -> Visit:
    """One first load of a page in a fresh context: what it loads and logs, its math, axe's findings, its
    copy buttons (one page at a time: the clipboard is the browser's)."""
    result = Visit(page_name(path))
    context = await browser.new_context(permissions=["clipboard-read", "clipboard-write"])

    async def route(request_route):
        url = request_route.request.url
        if url.startswith(base) or url.startswith(("data:", "blob:", "about:")):
            await request_route.continue_()
        else:  # as browser.block_third_parties does
            result.external.append(f"{request_route.request.resource_type} {url}")
            await request_route.abort()

    try:
        await context.route("**/*", route)
        await context.add_init_script(WATCH_FULL_RESTYLES)
        page = await context.new_page()
        watch(page, result)
        await page.goto(base + path, wait_until="load")
        await page.evaluate(FONTS_READY)
        result.math = await page.evaluate(MATH_REPORT)  # opens every <details> too
        # axe runs every check, but keeps one node of each passing one instead of all (a fifth of its time on
        # the seeds page): axe-playwright-python's own default, which passing any options replaces.
        options = {"resultTypes": ["violations"]}
        if path not in TEMPLATE_CHECKED_ON:
            options["rules"] = {"region": {"enabled": False}}
        result.violations = (await axe.run(page, options=options)).response.get("violations", [])
        async with clipboard:
            result.copied, result.copy_problems = await check_copy_buttons(page, result.page)
        result.full_restyles = await page.evaluate("window.__fullRestyles")
        try:  # what the page fetches after its load event (search index, sitemap) is seen: see browser.settle
            await page.wait_for_load_state("networkidle", timeout=15_000)
        except Exception:  # noqa: BLE001 - Playwright's timeout: whatever it requested is recorded all the same
            pass
    finally:
        await context.close()
    return result


def visit_pages(site: Path, executable: str) -> dict[str, Visit]:
    """Every page of the built site, VISITS_AT_ONCE at a time, served on its own port, in a Chromium of its
    own driven by Playwright's async API (conftest.py runs this in a background thread while other tests
    run; their Playwright is the sync one, in the main thread)."""
    pages = site_pages(site)

    async def all_visits(base):
        from axe_playwright_python.async_playwright import Axe
        from playwright.async_api import async_playwright

        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
            slots, clipboard, axe = asyncio.Semaphore(VISITS_AT_ONCE), asyncio.Lock(), Axe()

            async def one(path):
                async with slots:
                    return await visit(browser, axe, clipboard, base, path)

            done = await asyncio.gather(*(one(path) for path in pages))
            await browser.close()
            return dict(zip(pages, done))

    with serve(site) as base:
        return asyncio.run(all_visits(base))
