"""The code the reader sees: typed nowhere but snippets/, run in page order, shown in script order, with
each output under the block that printed it."""
from __future__ import annotations

import ast
import asyncio
import functools
import importlib.metadata
import re
import shlex
import subprocess
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import nbformat
import pytest
from pyflakes import checker, messages

import artifacts
from kernels import execute
from pages import (DOCS, FENCE, INCLUDE, ROOT, SECTION, SNIPPETS, blocks, code_blocks, expand, nav_pages,
                   output_file, python_pages)

PYTHON_BLOCKS = [b for page in python_pages() for b in code_blocks(page) if b.lang == "python"]
SHELL_BLOCKS = [b for page in nav_pages() for b in code_blocks(page) if b.lang in ("bash", "sh")]


def test_pages_run(run_result):
    """Each page with code ran to its end in its kernel (a block that raised is its own test's failure)."""
    _, error = run_result
    if error is not None:
        pytest.fail(str(error), pytrace=False)


@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=lambda b: b.name)
def test_python_block_runs(runs, block):
    error = runs[block.page].error(runs[block.page].cell(block.index))
    if error is not None:
        pytest.fail(f"{block.name} raised when the page ran top to bottom:\n{error}", pytrace=False)


@pytest.mark.parametrize("page", python_pages())
def test_each_output_is_shown_under_the_block_that_printed_it(runs, page):
    """An output block comes right after the block whose output it is (pages.output_file), and every
    block that printed something is followed by its output."""
    problems, previous = [], None
    printed = lambda block: block is not None and block.lang == "python" and runs[page].text(runs[page].cell(block.index))  # noqa: E731
    for block in blocks(page):
        output = next((t for t in block.targets if t.startswith("outputs/")), None)
        if output:
            printed_by = [output_file(t) for t in previous.targets] if previous and previous.lang == "python" else []
            if output not in printed_by:
                problems.append(f"{block.name} shows {output} under {previous.name if previous else 'no block'}")
        elif printed(previous):
            problems.append(f"{previous.name} printed something, but the next block is {block.name}, not its output")
        previous = block
    if printed(previous):
        problems.append(f"{previous.name} printed something, but its output is not shown")
    assert not problems, "\n".join(problems)


COUNTS = {n: i for i, n in enumerate("一两三四五六七八九", 1)}


@pytest.mark.parametrize("page", python_pages())
def test_output_titles_say_what_was_left_out(runs, page):
    """An output block whose run printed lines the book leaves out (kernels.LEFT_OUT, progress bars) says so
    in its title, with how many tips and warnings ("两条提示"); one that left nothing out does not claim to."""
    problems = []
    by_block = {b.index: b for b in blocks(page)}
    for index, left_out in runs[page].left_out.items():
        output = by_block.get(index + 1)
        if output is None or not output.targets or not output.targets[0].startswith("outputs/"):
            continue  # reported by the test above
        said = Counter({"进度条": 1} if "进度条" in output.title else {})
        said.update({what: COUNTS[n] for n, what in re.findall(r"([一两三四五六七八九])条(提示|弃用警告)", output.title)})
        if said != left_out:
            problems.append(f"{output.name}: the title {output.title!r} should say what was left out: "
                            f"{dict(left_out) or 'nothing'}")
    assert not problems, "\n".join(problems)


def test_a_kernel_that_dies_is_reported_with_its_page_and_block(tmp_path):
    """A block that kills its kernel (or outlasts the timeout) stops the page's run, naming the block."""
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
    nb.cells = [nbformat.v4.new_code_cell("print(1)", metadata={"block": 3}),
                nbformat.v4.new_code_cell("import os; os._exit(1)", metadata={"block": 5})]
    # in a thread of its own: Playwright's event loop may be running in this one
    with ThreadPoolExecutor(1) as pool, \
            pytest.raises(RuntimeError, match=r"^demo\.md block 5 did not finish: DeadKernelError"):
        pool.submit(asyncio.run, execute("demo", nb, tmp_path)).result()


@pytest.mark.parametrize("block", SHELL_BLOCKS, ids=lambda b: b.name)
def test_shell_block_is_valid(block):
    """Shell blocks are not run (they install packages or start TensorBoard): their syntax is checked, and
    every package they install must be a real one, installed here."""
    result = subprocess.run(["bash", "-n"], input=block.code, capture_output=True, text=True)
    assert result.returncode == 0, f"{block.name} is not valid shell: {result.stderr}"
    for command in re.split(r"&&|;|\n", block.code):
        words = shlex.split(command, comments=True)
        if words[:2] in (["pip", "install"], ["conda", "install"]):
            for package in installed_names(words[2:]):
                importlib.metadata.version(package)  # raises if the page names a package that is not real


def installed_names(args: list[str]) -> list[str]:
    """The package names in `pip install`/`conda install` arguments (not options or their values)."""
    names, skip = [], False
    for arg in args:
        if skip or arg.startswith("-"):
            skip = arg in ("-r", "-c", "--channel", "--requirement", "--index-url")
            continue
        names.append(arg)
    return names


def test_pages_only_include_snippets():
    """No code is typed into docs/: every fenced block is made of --8<-- includes."""
    inline = []
    for page in sorted(DOCS.rglob("*.md")):
        lines = page.read_text(encoding="utf-8").splitlines()
        i = 0
        while i < len(lines):
            m = FENCE.match(lines[i])
            if m:
                j = i + 1
                while j < len(lines) and lines[j].strip() != m["fence"]:
                    if lines[j].strip() and not INCLUDE.match(lines[j]):
                        inline.append(f"{page.relative_to(ROOT)}:{i + 1}")
                        break
                    j += 1
                while j < len(lines) and lines[j].strip() != m["fence"]:
                    j += 1
                i = j
            i += 1
    assert not inline, f"code typed inline instead of included from snippets/: {inline}"


def sections(path) -> list[str]:
    return [m[2] for m in SECTION.finditer(path.read_text(encoding="utf-8")) if m[1] == "start"]


@functools.cache
def shown_sections() -> dict[str, list[str]]:
    """Each snippet file's sections in the order reading the site top to bottom first shows them."""
    shown: dict[str, list[str]] = {}
    for page in nav_pages():
        for block in blocks(page):
            for target in block.targets:
                name, _, section = target.partition(":")
                seen = shown.setdefault(name, [])  # a file included whole is shown too
                if section and section not in seen:
                    seen.append(section)
    return shown


def test_every_snippet_section_is_shown():
    shown = shown_sections()
    missing = [f"{p.name}:{s}" for p in sorted(SNIPPETS.iterdir()) if p.is_file()
               for s in sections(p) if s not in shown.get(p.name, [])]
    assert not missing, f"snippet sections shown on no page of the navigation: {missing}"
    unshown = [p.name for p in sorted(SNIPPETS.iterdir()) if p.is_file() and p.name not in shown]
    assert not unshown, f"snippet files included by no page of the navigation: {unshown}"


@pytest.mark.parametrize("script", sorted(p.name for p in SNIPPETS.glob("*.py")))
def test_pages_show_a_scripts_sections_in_its_order(script):
    """Reading the site top to bottom shows a script's sections in the order the script runs them."""
    shown = shown_sections().get(script)
    assert shown == sections(SNIPPETS / script), f"the pages show {script}'s sections as {shown}"


@pytest.mark.parametrize("script", sorted(p.name for p in SNIPPETS.glob("*.py")))
def test_only_imports_are_hidden(script):
    """What a script runs outside its shown sections may only be imports, so the page is the script."""
    hidden, inside = [], False
    text = (SNIPPETS / script).read_text(encoding="utf-8")
    docstring = re.match(r'\s*""".*?"""\n', text, re.S)
    for line in text[docstring.end() if docstring else 0:].splitlines():
        m = SECTION.search(line)
        if m:
            inside = m[1] == "start"
        elif not inside and line.strip() and not re.match(r"(import |from \S+ import |#)", line):
            hidden.append(line)
    assert not hidden, f"{script} runs code that no page shows: {hidden}"


@pytest.mark.parametrize("script", sorted(p.name for p in SNIPPETS.glob("*.py")))
def test_script_uses_no_undefined_name(script):
    """`python snippets/<script>` must not rely on a name that only the page's other blocks define."""
    path = SNIPPETS / script
    found = checker.Checker(ast.parse(path.read_text(encoding="utf-8")), filename=str(path)).messages
    undefined = [str(m) for m in found
                 if isinstance(m, (messages.UndefinedName, messages.UndefinedLocal, messages.UndefinedExport))]
    assert not undefined, f"{script} uses names it never defines or imports:\n" + "\n".join(undefined)


@pytest.mark.parametrize("page", python_pages())
def test_chapter_names_line_up(page):
    """One name per chapter: docs/<chapter>.md shows snippets/<chapter>.py, whose outputs are
    outputs/<chapter>/ and whose notebook is generated/notebooks/<chapter>.ipynb."""
    scripts = {t.split(":")[0] for b in blocks(page) if b.lang == "python" for t in b.targets}
    assert f"{page}.py" in scripts, f"{page}.md shows no block of snippets/{page}.py: {sorted(scripts)}"
    outputs = {t.split("/")[1] for b in blocks(page) for t in b.targets if t.startswith("outputs/")}
    assert outputs <= {page}, f"{page}.md shows outputs of {sorted(outputs)}"
    assert (DOCS / "generated" / "notebooks" / f"{page}.ipynb").exists()


@pytest.mark.parametrize("include, message", [
    ('--8<-- "no_such_file.py"', "no_such_file.py"),
    ('--8<-- "lstm-by-hand.py:no-such-section"', "no-such-section"),
])
def test_bad_include_fails_with_its_name(include, message):
    with pytest.raises(Exception, match=message):
        expand(include)


def epoch_mentions(page: str) -> list[tuple[int, str, int]]:
    """(line, the sentence around it, the number) for each "N 轮" in a page's text, outside code."""
    found, fenced = [], False
    for n, line in enumerate((DOCS / f"{page}.md").read_text(encoding="utf-8").splitlines(), 1):
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            for m in artifacts.EPOCHS.finditer(line):
                found.append((n, line[max(0, m.start() - 20):m.end() + 10].strip(), int(m[1].replace(",", ""))))
    return found


def test_epoch_counts_in_the_text_come_from_the_run():
    """Each "N 轮" a page states is an epoch count of the committed results, so that changing the code's
    epochs and regenerating cannot leave a page saying the old number."""
    wrong = [f"docs/{page}.md:{n}: “{text}” says {number} 轮, but its results have {sorted(counts)}"
             for page in nav_pages() for counts in [artifacts.epoch_counts(page)]
             for n, text, number in epoch_mentions(page) if number not in counts]
    assert not wrong, "update these sentences:\n" + "\n".join(wrong)


def test_a_changed_epoch_count_is_found_in_the_text(monkeypatch):
    """As if the first fit had been cut to 1500 epochs and regenerated: the pages' 2000 is reported."""
    counts = artifacts.epoch_counts
    monkeypatch.setattr(artifacts, "epoch_counts", lambda page: {1500 if c == 2000 else c for c in counts(page)})
    with pytest.raises(AssertionError, match=r"docs/lstm-by-hand\.md:\d+: .* says 2000 轮"):
        test_epoch_counts_in_the_text_come_from_the_run()
