"""Shared fixtures: the chapters' run (once per session, started early) and the built site."""
from __future__ import annotations

import gc
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before torch is imported: see KERNEL_ENV in book.py

import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
from pathlib import Path  # noqa: E402

import psutil  # noqa: E402
import pytest  # noqa: E402

from book import ROOT, SNIPPETS, run_chapters

sys.path.insert(0, str(SNIPPETS))

_chapters: dict = {}
_workroot = Path(tempfile.mkdtemp(prefix="lstm-book-run-"))


def _split_cpus() -> tuple[set[int], set[int]]:
    """CPUs for the kernels and CPUs for everything else (Linux; elsewhere both get every CPU)."""
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if len(cpus) < 2:
        return set(cpus), set(cpus)
    half = min(2, len(cpus) // 2)  # chapter 2's kernel is the long one; chapter 3's ends early
    return set(cpus[:half]), set(cpus[half:])


KERNEL_CPUS, OTHER_CPUS = _split_cpus()
CPUS_SPLIT = KERNEL_CPUS != OTHER_CPUS


def _share_every_cpu():
    """The kernels are done: this process's threads and every process it started (Chromium's) may use
    every CPU again, so the rest of the suite does not finish on one CPU while the other idles."""
    me = psutil.Process()
    for pid in [t.id for t in me.threads()] + [child.pid for child in me.children(recursive=True)]:
        try:
            os.sched_setaffinity(pid, KERNEL_CPUS | OTHER_CPUS)
        except OSError:  # ended meanwhile
            pass


def _run_in_background():
    if CPUS_SPLIT:
        os.sched_setaffinity(0, KERNEL_CPUS)  # this thread only; the kernels it starts inherit it
    try:
        _chapters["runs"] = run_chapters(_workroot)
    except BaseException as e:  # reported by the fixture, in the tests that need the run
        _chapters["error"] = e
    finally:
        if CPUS_SPLIT:
            _share_every_cpu()


def _start_chapters():
    if "thread" in _chapters:
        return
    _chapters["thread"] = threading.Thread(target=_run_in_background, daemon=True)
    _chapters["thread"].start()
    # The chapter 2 kernel is the longest job: it gets a CPU of its own, and the rest of the suite
    # (this thread, and the browsers and builds it starts) shares the others, so the kernel runs as
    # fast as the script alone and everything else fits in beside it; once the kernels are done, every
    # CPU is shared again. Linux keeps CPU affinity per thread, so the kernels, started from the
    # thread above, keep theirs.
    if CPUS_SPLIT:
        os.sched_setaffinity(0, OTHER_CPUS)


def _whole_suite(config) -> bool:
    """`pytest` with no test selected by name, keyword or mark: the chapters' run will be needed."""
    o = config.option
    narrowed = [o.keyword, o.markexpr, o.collectonly, getattr(o, "lf", False), getattr(o, "stepwise", False)]
    return config.args_source != pytest.Config.ArgsSource.ARGS and not any(narrowed)


def pytest_configure(config):
    # Hypothesis's pytest plugin, where Hypothesis is installed (as on the machine CI runs on), imports
    # Hypothesis in its end-of-run summary: about 1 s of every run. No test here uses Hypothesis.
    config.pluginmanager.unregister(name="hypothesispytest")


def pytest_sessionstart(session):
    """For the whole suite, start the chapters' run before collection, which takes seconds on one CPU."""
    if _whole_suite(session.config):
        _start_chapters()


def pytest_collection_finish(session):
    """Otherwise start it as soon as we know a test needs it, so other tests overlap with it."""
    # What collection imported (torch, Lightning and the rest) lives as long as the process: left out
    # of every later garbage collection, including the five full ones pytest runs at exit to find
    # unraisable exceptions (about 1 s with all of it tracked). Collected first, so that no garbage of
    # collection's own is frozen with it.
    gc.collect()
    gc.freeze()
    if session.config.option.collectonly:
        return
    if any("runs" in getattr(item, "fixturenames", ()) for item in session.items):
        _start_chapters()


def pytest_sessionfinish(session):
    if "thread" in _chapters:
        _chapters["thread"].join()
    shutil.rmtree(_workroot, ignore_errors=True)


@pytest.fixture(scope="session")
def runs():
    """Each chapter page executed once, top to bottom, as a notebook in a fresh kernel."""
    _chapters["thread"].join()
    if "error" in _chapters:
        pytest.fail(f"the chapters could not be run: {_chapters['error']!r}")
    return _chapters["runs"]


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The site, built once with `mkdocs build --strict`."""
    site = tmp_path_factory.mktemp("site")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stderr}"
    warnings = [line for line in result.stderr.splitlines() if line.startswith("WARNING")]
    assert not warnings, "mkdocs build printed warnings:\n" + "\n".join(warnings)
    return site


def pytest_collection_modifyitems(items):
    """Tests that read the chapters' run go last, so everything else runs while the chapters train."""
    items.sort(key=lambda item: "runs" in getattr(item, "fixturenames", ()))


# The browser fixtures, registered once for the whole session: one Playwright for every module.
from browser import browser, site_url  # noqa: E402,F401
