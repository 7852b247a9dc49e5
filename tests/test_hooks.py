"""What an author sees when something is wrong: one clear error that names the file and says what to run.
And what the build hooks do with good input (figures from data, notebooks made whole, repository links)."""
from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError

from pages import DOCS, GENERATED, ROOT, load_hook


figures, includes, notebooks, addresses = (load_hook(n) for n in ("figures", "includes", "notebooks", "addresses"))
BASES = [Path("snippets"), Path("docs/generated")]


@pytest.fixture(autouse=True)
def at_the_root(monkeypatch):
    monkeypatch.chdir(ROOT)  # pymdownx.snippets' base_path, as mkdocs runs it


# --- includes ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("file, section, said", [
    ("lstm-by-hand.py", "no-such-section", "snippets/lstm-by-hand.py has no section 'no-such-section'"),
    ("no_such_file.py", None, "no file no_such_file.py in snippets/, docs/generated/"),
    ("outputs/lstm-by-hand/gone.txt", None, "docs/generated/outputs/lstm-by-hand/gone.txt is missing: run `pytest --regenerate`"),
    ("notebooks/gone.ipynb", None, "no file notebooks/gone.ipynb in snippets/, docs/generated/"),
], ids=["section", "file", "output", "not-an-output"])
def test_a_bad_include_is_named(file, section, said):
    assert includes.problem(file, section, BASES) == said
    page = SimpleNamespace(file=SimpleNamespace(src_uri="lstm-by-hand.md"))
    config = SimpleNamespace(mdx_configs={"pymdownx.snippets": {"base_path": [str(b) for b in BASES]}})
    target = f"{file}:{section}" if section else file
    with pytest.raises(PluginError, match=re.escape(f'lstm-by-hand.md, line 3: --8<-- "{target}": {said}')):
        includes.on_page_markdown(f'# x\n\n--8<-- "{target}"\n', page=page, config=config, files=None)


def test_a_line_range_is_left_to_pymdownx():
    assert includes.problem("lstm-by-hand.py", "1:3", BASES) is None


def test_a_broken_include_fails_one_test_naming_page_file_and_section(tmp_path):
    """The whole chain, in a copy of the book: one failing test (the build's), every other test that needs
    the site skipped, and the message naming page, file and section. The copy's build stops at the broken
    include (about 8 s), so this is no second site build."""
    for part in ("docs", "snippets", "tests"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "mkdocs.yml", tmp_path)
    page = tmp_path / "docs/nn-lstm.md"
    page.write_text(page.read_text(encoding="utf-8").replace('"nn-lstm.py:shapes"', '"nn-lstm.py:shape"'), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfs",
                             "tests/test_site.py::test_site_builds", "tests/test_links.py"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=600)
    summary = result.stdout.strip().splitlines()[-1]
    assert re.match(r"=* ?1 failed, \d+ skipped", summary), result.stdout[-3000:]
    assert "FAILED tests/test_site.py::test_site_builds" in result.stdout
    assert re.search(r'nn-lstm\.md, line \d+: --8<-- "nn-lstm.py:shape": snippets/nn-lstm.py has no section \'shape\'',
                     result.stdout), result.stdout[-3000:]
    assert result.stdout.count("has no section 'shape'") <= 2, "the build's error is repeated"


# --- figures -------------------------------------------------------------------------------------------

HEADER = ",".join(figures.CURVE_COLUMNS) + "\n"


@pytest.mark.parametrize("content, problem", [
    (None, "is missing: run `pytest --regenerate`"),
    ("step,loss\n1,0.5\n", "is malformed"),
    (HEADER + "1,x,1,1,2,3\n", "is malformed"),
    (HEADER, "holds no rows"),
    (HEADER + "1,1,1,0.5,,\n1,3,2,0.4,,\n", r"holds no values of \['out_0', 'out_1'\]"),
    (HEADER + "1,1,1,0.5,0.5,0.5\n", "holds fewer than two epochs"),
], ids=["missing", "wrong-columns", "not-a-number", "no-rows", "empty-columns", "one-epoch"])
def test_malformed_curves_are_named(content, problem, tmp_path):
    path = tmp_path / "chapter9.csv"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(PluginError, match=f"{re.escape(str(path))} {problem}"):
        figures.read_curves(path)


def figure(view: str, caption: str, **attrs) -> str:
    more = "".join(f' data-{k}="{v}"' for k, v in attrs.items())
    return f'<figure class="data-view" data-view="{view}"{more}>\n<figcaption>{caption}</figcaption>\n</figure>'


def test_a_chart_is_drawn_with_its_caption_and_the_datas_last_point():
    page = SimpleNamespace(file=SimpleNamespace(src_uri="lstm-by-hand.md"))
    html = figures.on_page_content(figure("curves", "前 2000 轮。", source="curves/lstm-by-hand.csv", fits="1"),
                                   page=page, config=None, files=None)
    assert html.count("<polyline") == 4 and 'aria-labelledby="figure-1"' in html
    assert re.search(r'<figcaption id="figure-1">前 2000 轮。最后一个记录点（第 2000 轮）：', html), html[-400:]


def test_a_caption_whose_epochs_the_data_does_not_have_fails_the_build():
    """As if the first fit had been cut to 1500 epochs: the caption still saying 2000 is named."""
    page = SimpleNamespace(file=SimpleNamespace(src_uri="lstm-by-hand.md"))
    with pytest.raises(PluginError, match=r"lstm-by-hand.md: figure 'curves' of curves/lstm-by-hand.csv: the caption "
                                          r"says 1500 轮, but the data has 2000 轮: update the caption"):
        figures.on_page_content(figure("curves", "前 1500 轮。", source="curves/lstm-by-hand.csv", fits="1"),
                                page=page, config=None, files=None)


@pytest.mark.parametrize("view, attrs, caption, said", [
    ("gradient-lengths", {"when": "trained"}, "训练 1500 步之后。", "the caption says 1500 步, but the data has 1200 步"),
    ("gradient-learned", {}, "20 个种子里学会的次数。", "the caption says 20 个种子, but the data has 10 个种子"),
    ("seed-verdicts", {}, "训练到 4000 轮之后。", "the caption says 4000 轮, but the data has 300 轮, 5000 轮"),
    ("seed-escapes", {}, "接着训练 100 步。", "the caption says 100 步, but the data has no count in 步"),
], ids=["steps", "seeds", "epochs", "no-such-count"])
def test_a_studys_caption_must_state_the_studys_counts(view, attrs, caption, said):
    """The tables and charts of the studies: steps, seeds and epochs in a caption are the study's."""
    page = SimpleNamespace(file=SimpleNamespace(src_uri="page.md"))
    source = "seeds.json" if view.startswith("seed") else "gradients.json"
    with pytest.raises(PluginError, match=re.escape(said)):
        figures.on_page_content(figure(view, caption, source=source, **attrs), page=page, config=None, files=None)


@pytest.mark.parametrize("view, body, said", [
    ("seed-verdicts", None, "is missing: run `python snippets/seeds.py --study"),
    ("seed-verdicts", "{not json", "is malformed"),
    ("seed-escapes", '{"nn.LSTM": {"epochs": 300, "runs": []}}', r"nn.LSTM has no \['longer'\]"),
    ("gradient-learned", '{"lengths": [8], "seeds": [0], "steps": 1, "models": {"GRU": []}}', r"GRU's lengths are not \[8\]"),
    ("seed-verdicts", "[]", "the file is not a JSON object"),
    ("seed-verdicts", "{}", "has no models"),
], ids=["missing", "not-json", "no-longer", "unknown-model", "a-list", "no-models"])
def test_a_malformed_study_output_fails_the_build_naming_it(view, body, said, tmp_path):
    path = tmp_path / "study.json"
    if body is not None:
        path.write_text(body, encoding="utf-8")
    with pytest.raises(PluginError, match=f"study.json.*{said}"):
        figures.VIEWS[view](path)


def test_a_gradient_that_underflowed_to_zero_is_named_not_crashed_on(tmp_path):
    """A float32 gradient of 0 has no place on a log axis: the build names it instead of a math domain error."""
    row = {"length": 8, "gradient_init": [0.0], "gradient_trained": [1e-3], "forget_init": [None],
           "forget_trained": [None], "accuracy": [0.5], "learned": 0}
    (tmp_path / "study.json").write_text(json.dumps({"lengths": [8], "seeds": [0], "steps": 1, "models": {"RNN": [row]}}))
    with pytest.raises(PluginError, match=r"x.md: figure 'gradient-lengths' of study.json: .*RNN=0 at 8"):
        figures.render(' data-view="gradient-lengths" data-source="study.json"', "", "x.md", base=tmp_path)


def test_an_unknown_view_is_named():
    with pytest.raises(PluginError, match=r"x.md: a figure asks for the view 'pie'; the views are"):
        figures.render(' data-view="pie"', "", "x.md")


# --- notebooks -----------------------------------------------------------------------------------------

def test_a_notebook_is_made_whole_at_build_time():
    """Root links get the site's address; a chart becomes an SVG attachment with its caption; a table, Markdown."""
    cell = {"cell_type": "markdown", "source": "\n".join([
        "见 [第 3 章](/nn-lstm/#34)、[脚本](../snippets/seeds.py) 和 <a href=\"/generated/notebooks/x/x.ipynb\" download>下载</a>",
        "> " + figure("curves", "一张图", source="curves/nn-lstm.csv").replace("\n", ""),
        figure("seed-verdicts", "一张表", source="seeds.json").replace("\n", ""),
        "",
        "后文。",
    ])}
    notebook = notebooks.complete({"cells": [cell], "metadata": {"source": "docs/seeds.md"}},
                                  "https://owner.github.io/book/", "x.ipynb", "https://github.com/owner/book")
    text = notebook["cells"][0]["source"]
    assert "](https://owner.github.io/book/nn-lstm/#34)" in text
    assert "[脚本](https://github.com/owner/book/blob/HEAD/snippets/seeds.py)" in text
    assert 'href="https://owner.github.io/book/generated/notebooks/x/x.ipynb"' in text
    assert "> ![一张图](attachment:figure-1.svg)" in text and "> *一张图最后一个记录点" in text
    assert "| 种子 |" in text and text.endswith("*一张表*\n\n后文。"), "the paragraph after a figure joined its caption"
    svg = base64.b64decode(notebook["cells"][0]["attachments"]["figure-1.svg"]["image/svg+xml"]).decode()
    assert svg.startswith("<svg") and svg.count("<polyline") == 4 and "<style>" in svg, svg[:300]


def test_a_notebook_with_an_error_fails_the_build(tmp_path):
    import nbformat
    from mkdocs.structure.files import File

    nb = nbformat.read(GENERATED / "notebooks/nn-lstm.ipynb", as_version=4)
    next(c for c in nb.cells if c.cell_type == "code").outputs.append(
        nbformat.v4.new_output("error", ename="ZeroDivisionError", evalue="boom", traceback=[]))
    (tmp_path / "generated/notebooks").mkdir(parents=True)
    nbformat.write(nb, tmp_path / "generated/notebooks/nn-lstm.ipynb")
    file = File("generated/notebooks/nn-lstm.ipynb", str(tmp_path), str(tmp_path / "site"), True)
    with pytest.raises(PluginError, match=r"generated/notebooks/nn-lstm.ipynb: cells raised .*ZeroDivisionError"):
        notebooks.on_files([file], SimpleNamespace(site_url="https://owner.github.io/book/", extra={}))


# --- the site's addresses and mkdocs serve -------------------------------------------------------------

@pytest.mark.parametrize("repo, expected", [
    ("https://github.com/owner/book", "见 [requirements.txt](https://github.com/owner/book/blob/HEAD/requirements.txt)，"
                                      "[测试](https://github.com/owner/book/tree/HEAD/tests)"),
    (None, "见 `requirements.txt`，测试（仓库里的 `tests`）"),
], ids=["known", "unknown"])
def test_links_out_of_docs_go_to_the_repository(repo, expected):
    page = SimpleNamespace(file=SimpleNamespace(src_uri="index.md"))
    config = SimpleNamespace(docs_dir=str(DOCS), extra={"repository": repo})
    markdown = "见 [requirements.txt](../requirements.txt)，[测试](../tests)"
    if repo:
        markdown, expected = markdown + "，[本地预览](../README.md#本地预览)", expected + f"，[本地预览]({repo}/blob/HEAD/README.md#本地预览)"
    assert addresses.on_page_markdown(markdown, page=page, config=config, files=None) == expected


@pytest.mark.parametrize("origin, repo", [
    ("https://github.com/Owner/lstm-book.git", "https://github.com/Owner/lstm-book"),
    ("git@github.com:Owner/lstm-book.git", "https://github.com/Owner/lstm-book"),
    ("/srv/clones/lstm-book", None),
])
def test_the_repository_is_read_from_a_github_origin(origin, repo, tmp_path, monkeypatch):
    monkeypatch.delenv("REPO_URL", raising=False)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "remote", "add", "origin", origin], check=True)
    assert addresses.repository(tmp_path) == repo
    monkeypatch.setenv("REPO_URL", "https://example.org/fork/")
    assert addresses.repository(tmp_path) == "https://example.org/fork"


def test_a_failed_rebuild_shows_its_error_in_every_page(tmp_path):
    """mkdocs serve: the rebuild's error replaces the served pages (which then reload when a build works)
    instead of every request hanging."""
    (tmp_path / "theory").mkdir()
    for page in ("index.html", "theory/index.html"):
        (tmp_path / page).write_text("<html>old</html>", encoding="utf-8")

    def failing_build():
        raise PluginError("lstm-by-hand.md, line 3: --8<-- \"x.py:y\": no file x.py in snippets/")

    server = addresses.on_serve(SimpleNamespace(root=str(tmp_path)), config=None, builder=failing_build)
    server.builder()  # does not raise: MkDocs' loop goes on and reloads the browsers
    for page in ("index.html", "theory/index.html"):
        text = (tmp_path / page).read_text(encoding="utf-8")
        assert "网站构建失败" in text and "no file x.py in snippets/" in text, text


# --- math ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def mathjax_hook():
    """One MathJax process for these tests, as a build has one for all its pages."""
    hook = load_hook("mathjax")
    hook.on_pre_build({})
    yield hook
    hook.on_post_build({})


def fake_page(src_uri: str, url: str):
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

