"""No accessibility violation that axe-core (axe-playwright-python) finds, on any page of the built site.

Pages are those of tests/test_browser_site.py (every full HTML document but 404.html), each loaded
in a fresh context, checked once its math is typeset, with every <details> opened so that collapsed
content is checked too. Requests to other hosts are aborted, as in the browser tests.
"""
from __future__ import annotations

import pytest

from test_browser_site import block_third_parties, load, page_name, site_pages

MAX_NODES = 8  # target selectors listed per violation


@pytest.fixture(scope="session")
def axe():
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        pytest.fail("axe-playwright-python is not installed: pip install -r requirements.txt")
    return Axe()


def describe(page: str, violation: dict) -> list[str]:
    nodes = violation.get("nodes", [])
    lines = [f"{page}: [{violation.get('impact') or 'n/a'}] {violation['id']}: {violation.get('help')} "
             f"({len(nodes)} element(s); {violation.get('helpUrl', '')})"]
    for node in nodes[:MAX_NODES]:
        target = " ".join(" >>> ".join(t) if isinstance(t, list) else str(t) for t in node.get("target", []))
        summary = (node.get("failureSummary") or "").replace("\n", " ").strip()
        lines.append(f"    {target}  —  {summary[:200]}")
    if len(nodes) > MAX_NODES:
        lines.append(f"    … and {len(nodes) - MAX_NODES} more")
    return lines


def test_no_axe_violations(built_site, site_url, browser, axe):
    pages = site_pages(built_site)
    assert pages, "no page in the built site"
    problems, checked = [], 0
    for path in pages:
        context = browser.new_context()
        try:
            block_third_parties(context, site_url, [])
            page = context.new_page()
            load(page, site_url + path)
            page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
            results = axe.run(page)
            checked += 1
        finally:
            context.close()
        for violation in results.response.get("violations", []):
            problems += describe(page_name(path), violation)
    assert checked == len(pages)
    assert not problems, "axe-core found accessibility violations:\n" + "\n".join(problems)
