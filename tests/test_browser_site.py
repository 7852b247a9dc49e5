"""Every page of the built site, in headless Chromium: clean console, local-only requests, typeset math,
math that survives instant navigation, Chinese search, working copy buttons, nothing that restyles the
whole page once it is parsed, the light/dark switch, and no accessibility violation that axe-core
(axe-playwright-python) finds.

A "page" is every full HTML document of the built site (the Markdown chapters, the notebook pages
under generated/notebooks/*/ and any other), except 404.html: its links are root-relative, built for
`site_url`'s path (a fork's Pages address has one, /<repository>/), so it cannot load from any other
place; tests/test_links.py checks its links instead.

The visits themselves, one load of each page, are visits.py's; the tests here read what they recorded.
"""
from __future__ import annotations

from urllib.parse import unquote, urlsplit

import pytest

from browser import PageLog, block_third_parties, serve_local_sitemap, settle, site_pages, watch
from pages import nav_pages, notebook_pages
from visits import FONTS_READY, MATH_REPORT, WATCH_FULL_RESTYLES

SEARCH_TIMEOUT_S = 30


def wait_for_fonts(page) -> None:
    page.evaluate(FONTS_READY)


def load(page, url: str) -> None:
    page.goto(url, wait_until="load")
    wait_for_fonts(page)


@pytest.fixture(scope="module")
def pages(built_site) -> list[str]:
    return site_pages(built_site)


def test_pages_were_visited(visit_result, pages):
    """The visits ran (conftest.py's background job), and reached every page of the site: each chapter and
    its notebook."""
    result, error = visit_result
    if isinstance(error, (pytest.skip.Exception, pytest.fail.Exception)):
        raise error
    if error is not None:
        pytest.fail(f"visiting the pages failed: {type(error).__name__}: {error}", pytrace=False)
    expected = {"" if page == "index" else f"{page}/" for page in nav_pages()}
    expected |= {f"generated/notebooks/{page}/" for page in notebook_pages()}
    assert expected <= set(result) == set(pages), (sorted(expected - set(result)), sorted(result))


def test_no_console_errors_and_no_page_errors(visits):
    problems = []
    for v in visits.values():
        problems += [f"{v.page}: console error: {m}" for m in v.console_errors]
        problems += [f"{v.page}: uncaught page error: {m}" for m in v.page_errors]
        problems += [f"{v.page}: {m}" for m in v.bad_responses]
    assert not problems, "\n".join(problems)


def test_nothing_restyles_the_whole_page_once_it_is_parsed(visits):
    """In a light-mode browser, nothing changes what every element's style depends on once the page's
    content has begun: Material's instant navigation and palette toggle each did (docs/hooks/page_load.py).
    test_light_dark_switch checks the same for a dark browser and a remembered choice."""
    problems = [f"{v.page}: {change}" for v in visits.values() for change in v.full_restyles]
    assert not problems, "changes that restyle the whole page after its content began:\n" + "\n".join(problems)


def test_no_request_leaves_the_local_server(visits):
    problems = [f"{v.page}: request to another host (aborted): {r}" for v in visits.values() for r in v.external]
    assert not problems, "\n".join(problems)


def describe_violation(page: str, violation: dict, max_nodes: int = 8) -> list[str]:
    nodes = violation.get("nodes", [])
    lines = [f"{page}: [{violation.get('impact') or 'n/a'}] {violation['id']}: {violation.get('help')} "
             f"({len(nodes)} element(s); {violation.get('helpUrl', '')})"]
    for node in nodes[:max_nodes]:
        target = " ".join(" >>> ".join(t) if isinstance(t, list) else str(t) for t in node.get("target", []))
        summary = (node.get("failureSummary") or "").replace("\n", " ").strip()
        lines.append(f"    {target}  —  {summary[:200]}")
    if len(nodes) > max_nodes:
        lines.append(f"    … and {len(nodes) - max_nodes} more")
    return lines


def test_no_axe_violations(visits):
    problems = [line for v in visits.values() for violation in v.violations
                for line in describe_violation(v.page, violation)]
    assert not problems, "axe-core found accessibility violations:\n" + "\n".join(problems)


def summarise(page: str, what: str, items: list[str], limit: int = 5) -> list[str]:
    lines = [f"{page}: {what}: {item}" for item in items[:limit]]
    if len(items) > limit:
        lines.append(f"{page}: … and {len(items) - limit} more {what}")
    return lines


def math_problems(page: str, math: dict) -> list[str]:
    problems = []
    if math["zeroWidth"]:
        problems.append(f"{page}: {len(math['zeroWidth'])} of {math['containers']} typeset formulas are 0 px wide "
                        "(their CHTML glyph styles are missing)")
    problems += summarise(page, "formula not typeset by MathJax", math["untypeset"])
    problems += summarise(page, "zero-size formula", math["zeroWidth"])
    problems += summarise(page, "MathJax error", math["errors"])
    problems += summarise(page, "raw TeX in the visible text", math["raw"])
    if math["arithmatex"] and not math["containers"]:
        problems.append(f"{page}: {math['arithmatex']} .arithmatex element(s) but no mjx-container at all"
                        " (docs/hooks/mathjax.py did not typeset the page)")
    problems += summarise(page, "font that failed to load", math["fontErrors"])
    if math["emptyScripts"]:
        problems.append(f"{page}: {math['emptyScripts']} <script src=\"\"> element(s) (an empty MathJax loader)")
    return problems


def test_every_formula_is_typeset(visits):
    problems = [p for v in visits.values() for p in math_problems(v.page, v.math)]
    assert any(v.math["containers"] for v in visits.values()), "no page has any typeset formula"
    assert not problems, "\n".join(problems)


def test_formulas_survive_instant_navigation(built_site, site_url, browser):
    """Click through the nav without reloading (Material's navigation.instant, with the sitemap of
    serve_local_sitemap); math is typeset each time."""
    context = browser.new_context()
    log = PageLog("instant navigation")
    try:
        block_third_parties(context, site_url, log.external)
        serve_local_sitemap(context, built_site, site_url)
        page = context.new_page()
        watch(page, log)
        load(page, site_url)
        settle(page)  # Material handles clicks in place only once it has the sitemap
        page.evaluate("window.__sameDocument = true")
        hops = ["theory/", "lstm-by-hand/", "nn-lstm/", "theory/", "generated/notebooks/theory/", "theory/"]
        hops = [h for h in hops if (built_site / h / "index.html").exists()]
        problems, came_from = [], "/"
        for target in hops:
            # Instant navigation swaps this container for the new page's: until then, the old page shows.
            page.evaluate("document.querySelector('[data-md-component=container]').dataset.left = 'yes'")
            link = page.locator(f'.md-nav--primary a.md-nav__link[href$="/{target}"]:visible')
            if link.count():
                link.first.click()
            else:  # inside a collapsed nav section: the same click event, dispatched
                page.locator(f'.md-nav--primary a.md-nav__link[href$="/{target}"]').first.dispatch_event("click")
            step = f"/{target} (clicked in the nav on {came_from})"
            page.wait_for_url(f"**/{target}", timeout=15_000)
            page.wait_for_function(
                """t => location.pathname.endsWith('/' + t) && document.querySelector('.md-content h1')
                        && !document.querySelector('[data-md-component=container]').dataset.left""", arg=target)
            wait_for_fonts(page)
            if not page.evaluate("window.__sameDocument === true"):
                problems.append(f"{step}: the page was reloaded: instant navigation did not handle the click")
                page.evaluate("window.__sameDocument = true")
            math = page.evaluate(MATH_REPORT)
            if not math["arithmatex"] and not math["containers"] and not math["raw"]:
                problems.append(f"{step}: no formula on the page to check")
            problems += math_problems(step, math)
            came_from = f"/{target}"
        problems += [f"while navigating: page error: {m}" for m in log.page_errors]
        problems += [f"while navigating: console error: {m}" for m in log.console_errors]
    finally:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="module")
def home_with_search_open(site_url, browser):
    """The home page, its search box focused: both queries are typed into it."""
    context = browser.new_context()
    try:
        block_third_parties(context, site_url, [])
        page = context.new_page()
        load(page, site_url)
        page.locator("input.md-search__input").click()
        yield page
    finally:
        context.close()


@pytest.mark.parametrize("query", ["遗忘门", "输出门"])
def test_chinese_search_lands_on_the_theory_page(home_with_search_open, query):
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    page = home_with_search_open
    box = page.locator("input.md-search__input")
    results = page.locator(".md-search-result__item > a")
    box.fill("")
    box.press("End")
    results.first.wait_for(state="detached")  # the previous query's results are gone
    # Material reads the query on `keyup` (and when its worker is ready). Playwright types Han characters
    # as text input, with no key events: fill the box, then press End for the keyup. A query typed
    # before the worker has built its index can be dropped: ask again until there is an answer.
    for _ in range(SEARCH_TIMEOUT_S):
        box.fill(query)
        box.press("End")
        try:
            results.first.wait_for(timeout=1_000)
            break
        except PlaywrightTimeoutError:
            continue
    hrefs = results.evaluate_all("links => links.map(a => a.href)")
    meta = page.locator(".md-search-result__meta").text_content()
    assert hrefs, f"searching {query!r} on / gave no result within {SEARCH_TIMEOUT_S} s (search says: {meta!r})"
    # The results answer this query, not the previous one: what they highlight is part of it (jieba
    # segments 遗忘门 into 遗忘 + 门).
    first = page.locator(".md-search-result__item").first
    try:
        first.locator("mark").first.wait_for(timeout=5_000)
    except PlaywrightTimeoutError:
        pass  # reported below
    marked = first.locator("mark").all_text_contents()
    assert any(m and m in query for m in marked), f"searching {query!r}: the first result highlights {marked}"
    paths = [unquote(urlsplit(h).path) for h in hrefs]
    assert paths[0] == "/theory/", (f"searching {query!r}: the first result is {hrefs[0]}, not /theory/; "
                                    f"all results: {hrefs}")


def test_code_blocks_have_a_working_copy_button(visits):
    """Every Material code block has a copy button, and clicking it puts exactly the block's text on the clipboard."""
    assert sum(v.copied for v in visits.values()), "no copy button was clicked: no page has a Material code block"
    problems = [p for v in visits.values() for p in v.copy_problems]
    assert not problems, "\n".join(problems)


# Runs in the page: what the header's light/dark switch shows and has stored.
PALETTE_STATE = """() => ({
  scheme: document.body.getAttribute('data-md-color-scheme'),
  switchTitle: [...document.querySelectorAll('[data-md-palette] label')].filter(l => l.checkVisibility())
    .map(l => l.title).join(' | '),
  stored: __md_get('__palette')?.index ?? null,
  pageColorScheme: getComputedStyle(document.documentElement).colorScheme,
  themeColorMeta: document.head.querySelector('meta[name=theme-color]')?.content ?? null,
})"""
LIGHT = {"scheme": "default", "switchTitle": "切换到深色模式", "stored": 0, "pageColorScheme": "normal",
         "themeColorMeta": "#4051b5"}
DARK = {"scheme": "slate", "switchTitle": "切换到浅色模式", "stored": 1, "pageColorScheme": "dark",
        "themeColorMeta": "#4051b5"}  # the header keeps the primary colour in both
# Runs before the page's own scripts: counts CSS transitions that start (none should while loading).
COUNT_TRANSITIONS = """addEventListener('transitionrun', () => { window.__transitions = (window.__transitions || 0) + 1; });"""


def palette_context(browser, site_url, log: PageLog, **options):
    context = browser.new_context(**options)
    block_third_parties(context, site_url, log.external)
    context.add_init_script(WATCH_FULL_RESTYLES)
    context.add_init_script(COUNT_TRANSITIONS)
    page = context.new_page()
    watch(page, log)
    return context, page


def palette_after_load(page, url: str) -> dict:
    """The switch's state after a fresh load, which must not have restyled the page or animated it."""
    load(page, url)
    restyles, transitions = page.evaluate("[window.__fullRestyles, window.__transitions || 0]")
    assert not restyles, f"{url}: loading restyled the whole page: {restyles}"
    assert not transitions, f"{url}: {transitions} CSS transition(s) ran while the page loaded"
    return page.evaluate(PALETTE_STATE)


def test_light_dark_switch(site_url, browser):
    """The header's switch (palette.js; docs/hooks/page_load.py keeps Material's bundle from mounting it)
    does what Material's did: follows the browser's preference on a first visit, switches on a click and
    on Enter, and the choice holds on the next page, over the browser's preference. No load restyles
    the whole page or animates its colours."""
    log = PageLog("the light/dark switch")
    context, page = palette_context(browser, site_url, log)
    try:
        assert palette_after_load(page, site_url) == LIGHT, "first visit, light browser"
        page.locator("[data-md-palette] label:visible").click()
        assert page.evaluate(PALETTE_STATE) == DARK, "after clicking the switch"
        page.wait_for_function("() => !document.body.hasAttribute('data-md-color-switching')", timeout=5_000)
        assert palette_after_load(page, site_url + "theory/") == DARK, "the next page, loaded afresh"
        page.locator("[data-md-palette] input:checked").focus()
        page.keyboard.press("Enter")
        assert page.evaluate(PALETTE_STATE) == LIGHT, "after Enter on the switch"
    finally:
        context.close()
    context, page = palette_context(browser, site_url, log, color_scheme="dark")
    try:
        assert palette_after_load(page, site_url) == DARK, "first visit, dark browser"
        page.locator("[data-md-palette] label:visible").click()
        assert palette_after_load(page, site_url + "theory/") == LIGHT, "light chosen in a dark browser"
    finally:
        context.close()
    assert not (log.page_errors or log.console_errors or log.bad_responses or log.external), log


def test_switch_copies_a_header_colour_not_in_rgb_form_as_it_is(site_url, browser):
    """palette.js writes the header's colour into the theme-color meta: one that Chromium does not compute
    to rgb(…) goes in as it is, and the switch works all the same."""
    log = PageLog("the light/dark switch, its header in color(srgb …)")
    context, page = palette_context(browser, site_url, log)
    try:
        load(page, site_url)
        page.add_style_tag(content="[data-md-component=header] "
                                   "{ background-color: color(srgb 0.1 0.2 0.3) !important; transition: none !important }")
        page.locator("[data-md-palette] label:visible").click()
        assert page.evaluate(PALETTE_STATE) == {**DARK, "themeColorMeta": "color(srgb 0.1 0.2 0.3)"}, "after the click"
        page.wait_for_function("() => !document.body.hasAttribute('data-md-color-switching')", timeout=5_000)
    finally:
        context.close()
    assert not (log.page_errors or log.console_errors or log.bad_responses or log.external), log
