"""The built site carries the whole post, its math typeset by MathJax at build time, and searches in Chinese."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from book import ROOT

POST = (Path(__file__).parent / "source-post.zh.md").read_text(encoding="utf-8").split("---\n", 2)[2]
PAGES = {"index": "index.html", "theory": "theory/index.html", "lstm-by-hand": "lstm-by-hand/index.html",
         "nn-lstm": "nn-lstm/index.html"}


def visible_text(site: Path) -> str:
    text = "".join((site / p).read_text(encoding="utf-8") for p in PAGES.values())
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def normalise(s: str) -> str:
    return re.sub(r"\s+", "", s)


def test_every_formula_of_the_post_is_on_the_theory_page(built_site):
    page = (built_site / "theory/index.html").read_text(encoding="utf-8")
    shown = {normalise(html.unescape(tex)) for tex in re.findall(r'class="arithmatex" data-tex="([^"]*)"><mjx-container', page)}
    formulas = re.findall(r"\$\$(.+?)\$\$|\$(.+?)\$", POST.split("## 2.")[0], re.S)
    expected = {normalise(a or b) for a, b in formulas}
    assert len(expected) == 13  # distinct formulas in the post's section 1
    assert not expected - shown, f"formulas of the post missing: {expected - shown}"


FORMULA = "\x00"


def prose_lines(post: str) -> list[str]:
    """The post's lines of text, without Markdown markup: no code, images or blank lines; each formula
    becomes a FORMULA mark (the formulas are checked on their own)."""
    lines, fenced = [], False
    for line in post.splitlines():
        bare = re.sub(r"^\s*(#{1,6}\s|[-*+]\s|\d+\.\s|>\s?)+", "", line)
        if bare.startswith("```"):
            fenced = not fenced
            continue
        if fenced or "![" in line:
            continue
        bare = re.sub(r"\$\$.+?\$\$|\$.+?\$", FORMULA, bare)
        bare = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", bare)
        bare = re.sub(r"\*\*|`|<[^>]+>", "", bare)
        if bare.replace(FORMULA, "").strip():
            lines.append(bare)
    return lines


def test_every_line_of_the_post_is_on_the_site(built_site):
    """Paragraphs, list items, tips and asides: each line of the post's text, in the built pages' text.
    (Colons go: the post's "参考教程：<link>" is an admonition titled 参考教程 on the site.)"""
    squash = lambda s: re.sub(r"\*\*|[:：]", "", normalise(html.unescape(s)))  # noqa: E731
    text = squash(visible_text(built_site))
    lines = prose_lines(POST)
    assert len(lines) > 60, f"only {len(lines)} lines of text found in the post"
    missing = [line.replace(FORMULA, "$…$") for line in lines
               if not all(squash(part) in text for part in line.split(FORMULA))]
    assert not missing, "lines of the post missing from the site:\n" + "\n".join(missing)


def test_every_heading_link_and_emoji_of_the_post_is_on_the_site(built_site):
    text = normalise(visible_text(built_site))
    headings = [re.sub(r"\*\*", "", h) for h in re.findall(r"^#{2,4} (.+)$", POST, re.M)]
    links = re.findall(r"https?://\S+", POST)
    emoji = re.findall(r"[\U0001F300-\U0001FAFF\u2705\u270B\u2728\u26A0]", POST)
    missing = [x for x in headings + links + emoji if normalise(html.unescape(x)) not in text]
    assert not missing, f"parts of the post missing from the site: {missing}"


def test_nav_has_one_page_per_section_in_order(built_site):
    home = (built_site / "index.html").read_text(encoding="utf-8")
    order = [home.find(f'href="{p}/"') for p in ("theory", "lstm-by-hand", "nn-lstm")]
    assert -1 not in order and order == sorted(order), order


def test_math_is_typeset_at_build_time_with_the_sites_own_fonts(built_site):
    """No page loads MathJax or a third-party font; each page with math carries MathJax's CHTML and the CSS
    of its glyphs, whose fonts the site serves; MathJax's code is not published."""
    pages_with_math = 0
    for page in [*PAGES.values(), "generated/notebooks/theory/index.html"]:
        path = built_site / page
        source = path.read_text(encoding="utf-8")
        assert "fonts.googleapis.com" not in source and "fonts.gstatic.com" not in source, page
        scripts = re.findall(r'<script[^>]+src="([^"]+)"', source)
        assert not [s for s in scripts if "mathjax" in s.lower() or s.startswith(("http:", "https:", "//"))], \
            (page, scripts)
        if "<mjx-container" not in source:
            continue
        pages_with_math += 1
        fonts = re.findall(r'@font-face /\* \d+ \*/ \{\s*font-family: \S+;\s*src: url\("([^"]+)"\)', source)
        assert len(fonts) > 10, f"{page}: MathJax's @font-face rules are missing"
        missing = [url for url in fonts if url.startswith(("/", "http:", "https:"))
                   or not (path.parent / url).resolve().is_file()]
        assert not missing, f"{page}: MathJax fonts the site does not serve: {missing}"
        glyphs = {f"mjx-c.mjx-c{code}{'.' + variant if variant else ''}::before"
                  for code, variant in re.findall(r'<mjx-c class="mjx-c([0-9A-F]+)(?: (TEX-[A-Z0-9]+))?"', source)}
        unstyled = [g for g in glyphs if g not in source]
        assert glyphs and not unstyled, f"{page}: glyphs without CSS (they would render 0 px wide): {unstyled[:5]}"
    assert pages_with_math >= 4, "the theory, chapter 2, chapter 3 and theory notebook pages all have math"
    assert not list(built_site.glob("assets/vendor/mathjax/**/*.js")), "MathJax's code was published"


def test_chinese_search_finds_the_forget_gate(built_site):
    index = json.loads((built_site / "search/search_index.json").read_text(encoding="utf-8"))
    hits = {doc["location"].split("#")[0] for doc in index["docs"] if "遗忘\u200b门" in doc["text"]
            or "遗忘门" in doc["title"]}
    assert "theory/" in hits, "jieba did not segment 遗忘门 on the theory page"


def test_notebooks_are_pages_and_downloads(built_site):
    for page in ("theory", "lstm-by-hand", "nn-lstm"):
        assert (built_site / f"generated/notebooks/{page}/index.html").exists()
        assert (built_site / f"generated/notebooks/{page}/{page}.ipynb").exists()
        chapter = (built_site / page / "index.html").read_text(encoding="utf-8")
        link = f'href="../generated/notebooks/{page}/{page}.ipynb" download'
        assert link in chapter, f"/{page}/ has no download link to its notebook ({link})"


def load_hook(name: str):
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"{name}_hook", ROOT / f"docs/hooks/{name}.py")
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    return hook


def test_a_notebook_with_an_error_fails_the_build(tmp_path):
    """The build's notebooks hook refuses a committed notebook that holds an error output."""
    import nbformat
    from mkdocs.exceptions import PluginError
    from mkdocs.structure.files import File

    hook = load_hook("notebooks")

    nb = nbformat.read(ROOT / "docs/generated/notebooks/nn-lstm.ipynb", as_version=4)
    next(c for c in nb.cells if c.cell_type == "code").outputs.append(
        nbformat.v4.new_output("error", ename="ZeroDivisionError", evalue="boom", traceback=[]))
    (tmp_path / "generated/notebooks").mkdir(parents=True)
    nbformat.write(nb, tmp_path / "generated/notebooks/nn-lstm.ipynb")
    file = File("generated/notebooks/nn-lstm.ipynb", str(tmp_path), str(tmp_path / "site"), True)
    with pytest.raises(PluginError, match=r"generated/notebooks/nn-lstm.ipynb: cells raised .*ZeroDivisionError"):
        hook.on_files([file], {})


@pytest.fixture(scope="module")
def mathjax_hook():
    """One MathJax process for these tests, as a build has one for all its pages."""
    hook = load_hook("mathjax")
    hook.on_pre_build({})
    yield hook
    hook.on_post_build({})


def fake_page(src_uri: str, url: str):
    from types import SimpleNamespace

    return SimpleNamespace(file=SimpleNamespace(src_uri=src_uri), url=url)


def test_the_build_typesets_formulas_and_notebook_cells(mathjax_hook):
    page = ('<html><head></head><body><p><span class="arithmatex">\\(x^2 &lt; y\\)</span> &para;</p>'
            '<div class="jp-RenderedHTMLCommon jp-MarkdownOutput"><p>$f_t$ and <code>$not_math$</code> &para;</p>'
            '<div class="admonition">$$C_t$$</div></div></body></html>')
    out = mathjax_hook.on_post_page(page, page=fake_page("theory.md", "theory/"), config={})
    assert out.count("<mjx-container") == 3, out
    assert '<span class="arithmatex" data-tex="x^2 &lt; y"><mjx-container' in out
    assert "<code>$not_math$</code>" in out and "\u00b6" in out
    assert 'url("../assets/vendor/mathjax/output/chtml/fonts/woff-v2/MathJax_Math-Italic.woff")' in out
    assert mathjax_hook.on_post_page("<p>$5 and $6</p>", page=fake_page("index.md", ""), config={}) \
        == "<p>$5 and $6</p>", "a page without math is left alone"


@pytest.mark.parametrize("math, message", [
    ('<span class="arithmatex">\\(\\frac{x\\)</span>', r"frac\{x: Missing close brace"),
    ('<div class="arithmatex">\\[\\gatee_t\\]</div>', r"gatee_t: Undefined control sequence \\gatee"),
    ('<div class="jp-MarkdownOutput"><p>$h_t^$</p></div>', r"h_t\^: Missing superscript or subscript argument"),
])
def test_a_formula_mathjax_cannot_typeset_fails_the_build(mathjax_hook, math, message):
    from mkdocs.exceptions import PluginError

    with pytest.raises(PluginError, match=r"^theory.md: MathJax could not typeset .*" + message):
        mathjax_hook.on_post_page(f"<html><head></head><body>{math}</body></html>",
                                  page=fake_page("theory.md", "theory/"), config={})


def test_snippets_reload_the_served_site():
    from mkdocs.config import load_config

    config = load_config(str(ROOT / "mkdocs.yml"))
    assert str(ROOT / "snippets") in [str(Path(w).resolve()) for w in config["watch"]]
