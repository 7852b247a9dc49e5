"""The suite's configuration, in one place.

- `pytest --regenerate` rewrites what the run produces where the committed copy is stale (docs/generated/,
  tests/external-links.txt) and names each file it wrote; see artifacts.py for "stale". It writes them as
  soon as the pages have run, and the site is built from them after that, so one run tests what it wrote.
- Markers, set here from the fixtures a test uses: `chapters` (reads the pages' run in Jupyter kernels,
  a minute or two) and `browser` (headless Chromium). The quick inner loop is
  `pytest -m "not chapters and not browser"`.
- Three long jobs run in background threads (jobs.py), each started as soon as collection shows that a
  selected test needs it, and the tests that read them run last, so the rest of the suite runs meanwhile:
  the pages with code, each in its own kernel (`run_result`); the site, built once into site/, which CI
  publishes (`site_build`); every page of it visited once in Chromium (`visit_result`, visits.py).
- A job that fails is reported by one test (test_pages.py::test_pages_run, test_site.py::test_site_builds,
  test_browser_site.py::test_pages_were_visited); the tests that need it are skipped, pointing there.
"""
from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before torch is imported: see KERNEL_ENV in kernels.py

import shutil  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import traceback  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

import artifacts  # noqa: E402
from browser import chromium_path  # noqa: E402
from jobs import Job, spawn  # noqa: E402
from kernels import run_pages  # noqa: E402
from pages import ROOT, SNIPPETS, python_pages  # noqa: E402

sys.path.insert(0, str(SNIPPETS))

SITE = ROOT / "site"
_workroot = Path(tempfile.mkdtemp(prefix="lstm-book-run-"))
REGENERATED: list[str] | None = None  # with --regenerate, one line per file written


def run_chapters() -> dict:
    runs = run_pages(python_pages(), _workroot)
    if REGENERATED is not None:
        REGENERATED.extend(artifacts.regenerate(artifacts.produced(runs)))
    return runs


def build_site() -> str | None:
    """`mkdocs build --strict` into site/ (from the regenerated files, with --regenerate): its errors and
    warnings, or None."""
    if REGENERATED is not None:
        JOBS["run_result"].wait()
    result = spawn([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(SITE)],
                   cwd=ROOT, capture_output=True, text=True)
    problems = [line for line in result.stderr.splitlines() if line.startswith(("WARNING", "ERROR", "Error", "Aborted"))]
    if result.returncode and not problems:
        problems = result.stderr.strip().splitlines()[-5:]
    return "\n".join(problems) or None


def visit_site():
    from visits import visit_pages

    problems, error = JOBS["site_build"].wait()
    if error is not None or problems:
        return None  # the visits are skipped with the site's tests
    return visit_pages(SITE, chromium_path())


# fixture name -> its job; a test is "after" the jobs its fixtures need, in this order
JOBS = {"site_build": Job(build_site), "visit_result": Job(visit_site), "run_result": Job(run_chapters)}


def jobs_of(item) -> list[str]:
    names = set(getattr(item, "fixturenames", ()))
    return [job for job in JOBS if job in names]


def pytest_addoption(parser):
    parser.addoption("--regenerate", action="store_true",
                     help="rewrite the stale files the run produces (docs/generated/, tests/external-links.txt)")


def pytest_configure(config):
    config.addinivalue_line("markers", "chapters: reads the run of the pages' code in Jupyter kernels (minutes)")
    config.addinivalue_line("markers", "browser: drives headless Chromium")
    # torch 2.13 deprecates what Lightning 2.6.6 calls; the reader's code is not involved.
    config.addinivalue_line("filterwarnings", "ignore:.*LeafSpec.*is deprecated:FutureWarning")
    global REGENERATED
    REGENERATED = [] if config.getoption("regenerate") else None


@pytest.hookimpl(tryfirst=True)  # before -m deselects by these markers
def pytest_collection_modifyitems(items):
    for item in items:
        if "run_result" in jobs_of(item):
            item.add_marker("chapters")
        if {"browser", "visit_result"} & set(getattr(item, "fixturenames", ())):
            item.add_marker("browser")
    items.sort(key=lambda item: [job in jobs_of(item) for job in reversed(list(JOBS))])


def pytest_collection_finish(session):
    if session.config.option.collectonly:
        return
    needed = {job for item in session.items for job in jobs_of(item)}
    if REGENERATED is not None:
        needed.add("run_result")
    for job in ("run_result", "site_build", "visit_result"):  # the longest first
        if job in needed:
            JOBS[job].start()


def pytest_sessionfinish(session, exitstatus):
    if exitstatus != pytest.ExitCode.INTERRUPTED:  # Ctrl-C: the kernels die with this process
        for job in JOBS.values():
            if job.thread is not None:
                job.thread.join()
    shutil.rmtree(_workroot, ignore_errors=True)


def pytest_terminal_summary(terminalreporter, config):
    if REGENERATED is not None:
        lines = REGENERATED or ["nothing was stale: no file written"]
        terminalreporter.section("regenerate")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def run_result():
    """(the pages' runs, or the error that stopped them)."""
    return JOBS["run_result"].wait()


@pytest.fixture(scope="session")
def runs(run_result):
    """Each page with code executed once, top to bottom, as a notebook in a fresh kernel."""
    result, error = run_result
    if error is not None:
        pytest.skip("the pages did not run: see test_pages.py::test_pages_run")
    return result


@pytest.fixture(scope="session")
def site_build() -> tuple[Path, str | None]:
    """(site/, built once with `mkdocs build --strict`; the build's errors and warnings, why it did not run,
    or None)."""
    problems, error = JOBS["site_build"].wait()
    if error is not None:
        problems = "the build did not run:\n" + "".join(traceback.format_exception(error))
    return SITE, problems


@pytest.fixture(scope="session")
def built_site(site_build) -> Path:
    site, problems = site_build
    if problems:
        pytest.skip("the site did not build cleanly: see test_site.py::test_site_builds")
    return site


@pytest.fixture(scope="session")
def visit_result(built_site):
    """(every page of the site visited once in Chromium (visits.py), or the error that stopped it)."""
    return JOBS["visit_result"].wait()


@pytest.fixture(scope="session")
def visits(visit_result) -> dict:
    result, error = visit_result
    if isinstance(error, (pytest.skip.Exception, pytest.fail.Exception)):
        raise error  # no Chromium: the skip or failure chromium_path() says
    if error is not None:
        pytest.skip("the pages could not be visited: see test_browser_site.py::test_pages_were_visited")
    return result


@pytest.fixture(scope="session")
def regenerating() -> list[str] | None:
    """With --regenerate, the list the files written go to, else None."""
    return REGENERATED


# The browser fixtures, registered once for the whole session: one Playwright for every module.
from browser import browser, site_url  # noqa: E402,F401
