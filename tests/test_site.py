"""The site builds cleanly, carries the whole post, its math typeset by MathJax at build time, and searches in Chinese."""
from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pages import DOCS, ROOT, nav_pages, notebook_pages

POST = (Path(__file__).parent / "source-post.zh.md").read_text(encoding="utf-8").split("---\n", 2)[2]
PAGES = {page: "index.html" if page == "index" else f"{page}/index.html" for page in nav_pages()}


def test_site_builds(site_build):
    """`mkdocs build --strict`, once for the session: its errors and warnings, here and only here."""
    _, problems = site_build
    if problems:
        pytest.fail(f"mkdocs build --strict:\n{problems}", pytrace=False)


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


def test_nav_has_one_page_per_chapter_in_order(built_site):
    """The post's three sections, then the site's two chapters, in the navigation of every page."""
    assert nav_pages() == ["index", "theory", "lstm-by-hand", "nn-lstm", "seeds", "gradients"], nav_pages()
    home = (built_site / "index.html").read_text(encoding="utf-8")
    order = [home.find(f'href="{p}/"') for p in nav_pages()[1:]]
    assert -1 not in order and order == sorted(order), order


def test_math_is_typeset_at_build_time_with_the_sites_own_fonts(built_site):
    """No page loads MathJax or a third-party font; each page with math carries MathJax's CHTML and the CSS
    of its glyphs, whose fonts the site serves; MathJax's code is not published."""
    pages_with_math = 0
    for page in [*PAGES.values(), *(f"generated/notebooks/{p}/index.html" for p in notebook_pages())]:
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
    assert pages_with_math == 10, f"the five chapters and their notebooks have math, {pages_with_math} pages do"
    assert not list(built_site.glob("assets/vendor/mathjax/**/*.js")), "MathJax's code was published"


def test_chinese_search_finds_the_forget_gate(built_site):
    index = json.loads((built_site / "search/search_index.json").read_text(encoding="utf-8"))
    hits = {doc["location"].split("#")[0] for doc in index["docs"] if "遗忘\u200b门" in doc["text"]
            or "遗忘门" in doc["title"]}
    assert "theory/" in hits, "jieba did not segment 遗忘门 on the theory page"
    repeated = sorted({doc["location"].split("#")[0] for doc in index["docs"]} & {f"generated/notebooks/{page}/"
                                                                                 for page in notebook_pages()})
    assert not repeated, f"notebook pages in the search index, repeating their chapters: {repeated}"


def test_notebooks_are_pages_and_downloads(built_site):
    for page in notebook_pages():
        assert (built_site / f"generated/notebooks/{page}/index.html").exists()
        assert (built_site / f"generated/notebooks/{page}/{page}.ipynb").exists()
        chapter = (built_site / page / "index.html").read_text(encoding="utf-8")
        link = f'href="../generated/notebooks/{page}/{page}.ipynb" download'
        assert link in chapter, f"/{page}/ has no download link to its notebook ({link})"


def test_snippets_reload_the_served_site():
    from mkdocs.config import load_config

    config = load_config(str(ROOT / "mkdocs.yml"))
    assert str(ROOT / "snippets") in [str(Path(w).resolve()) for w in config["watch"]]


CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
# A line break inside a paragraph (a blank line ends the paragraph; "> " continues a quote's).
CJK_BREAK = re.compile(rf"[{CJK}][ \t]*\n[ \t>]*[{CJK}]")
NOT_TEXT = {"pre", "code", "script", "style", "svg", "textarea", "mjx-container"}


BLOCKS = {"p", "li", "ul", "ol", "div", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "td", "th", "caption",
          "figure", "figcaption", "blockquote", "details", "summary", "dl", "dt", "dd", "br", "nav", "header",
          "footer", "main", "article", "section", "label", "button", "option", "title"}


class _Text(HTMLParser):
    """The text of a page a reader sees as prose, one chunk per block (a paragraph, a list item, a cell), so
    that a line break just before or after an inline element (<a>, <strong>) is inside its chunk: outside
    code, scripts, styles, typeset math, and the hidden copy of each notebook cell's code that mkdocs-jupyter
    keeps for its copy button. Skipped inline content leaves a mark, so the text around it does not join."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth, self.chunks, self.block, self.in_copy = 0, [], [], False

    def flush(self):
        if self.block:
            self.chunks.append("".join(self.block))
            self.block = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS:
            self.flush()
        if tag in NOT_TEXT and not self.depth:
            self.block.append("\u2060")  # word joiner: not CJK, so 中<code>x</code>文 is no break between 中 and 文
        self.depth += tag in NOT_TEXT
        self.in_copy |= tag == "div" and "clipboard-copy-txt" in (dict(attrs).get("class") or "")

    def handle_endtag(self, tag):
        self.depth -= tag in NOT_TEXT and self.depth > 0
        self.in_copy &= tag != "div"
        if tag in BLOCKS:
            self.flush()

    def handle_data(self, data):
        if not self.depth and not self.in_copy:
            self.block.append(data)

    def close(self):
        super().close()
        self.flush()


def test_no_line_break_between_chinese_characters(built_site):
    """A newline between two Chinese characters renders as a space in Chrome and Safari: none in the
    built pages' text, nor in the notebooks' Markdown."""
    problems = []
    for path in sorted(built_site.rglob("*.html")):
        parser = _Text()
        parser.feed(path.read_text(encoding="utf-8"))
        parser.close()
        for chunk in parser.chunks:
            problems += [f"{path.relative_to(built_site)}: …{m[0]!r}… in {chunk.strip()[:60]!r}"
                         for m in CJK_BREAK.finditer(chunk)]
    for path in sorted(built_site.rglob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "markdown":
                source = "".join(cell["source"])
                problems += [f"{path.relative_to(built_site)}: …{m[0]!r}…" for m in CJK_BREAK.finditer(source)]
    assert not problems, "line breaks between Chinese characters (each shows as a space):\n" + "\n".join(problems)


ADMONITION_TITLE = re.compile(r'^\s*(?:!!!|\?\?\?\+?)\s+(?P<kind>[\w-]+)\s+"(?P<title>[^"]*)"', re.M)


def test_example_boxes_are_the_sites_additions():
    """The `example` box is reserved for 本站补充, and every 本站补充 box is one."""
    problems = [f"docs/{page}.md: !!! {m['kind']} \"{m['title']}\""
                for page in nav_pages() for m in ADMONITION_TITLE.finditer((DOCS / f"{page}.md").read_text(encoding="utf-8"))
                if (m["kind"] == "example") != m["title"].startswith("本站补充")]
    assert not problems, "example boxes must be titled 本站补充：… and 本站补充 boxes must be example boxes:\n" + "\n".join(problems)


def test_notebooks_stand_alone(built_site):
    """Each downloadable notebook holds every figure and table of its page (each caption is there, each
    image it shows is attached) and its links are absolute: a downloaded notebook has no neighbours."""
    for page in notebook_pages():
        captions = re.findall(r"<figcaption>(.*?)</figcaption>", (DOCS / f"{page}.md").read_text(encoding="utf-8"))
        nb = json.loads((built_site / f"generated/notebooks/{page}/{page}.ipynb").read_text(encoding="utf-8"))
        cells = [c for c in nb["cells"] if c["cell_type"] == "markdown"]
        text = "\n".join("".join(c["source"]) for c in cells)
        for cell in cells:
            names = re.findall(r"\(attachment:([^)\s]+)\)", "".join(cell["source"]))
            missing = [n for n in names if n not in cell.get("attachments", {})]
            assert not missing, f"{page}.ipynb: a cell shows attachments it does not hold: {missing}"
        absent = [c for c in captions if c.strip() not in text]
        assert not absent, f"{page}.ipynb lacks the figures captioned {absent}"
        assert "<figure" not in text, f"{page}.ipynb still holds a figure the build did not draw"
        assert not re.search(r'\]\(/|href="/', text), f"{page}.ipynb has links from the site's root, not absolute ones"
