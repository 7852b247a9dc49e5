"""Measure the book and print Markdown tables: python .ci/benchmark.py [--skip-suite] [--skip-lighthouse]
(or only docs/hooks/page_load.py's gain: python .ci/benchmark.py --page-load)

What is measured, in one run, on this machine:

- `mkdocs build --strict`: wall time of three builds (median shown). Target: < 5 s.
- The test suite, `pytest -q -p no:cacheprovider` with nothing excluded, next to *the post's code run
  once as written*, and their ratio. Target: suite <= 1.3 x the post's run. The post's code runs just
  before and just after the suite, and the ratio takes the mean of the two, since this machine's speed
  drifts from minute to minute.
  "The post's code as written" is taken as: `python snippets/lstm-by-hand.py` (chapter 2 top to bottom:
  2000 epochs, then resumed to 5000), then, in a second process, chapter 3's training only, i.e. the
  `data`, `train` and `check` sections of snippets/nn-lstm.py (the post's 300-epoch `nn.LSTM` run)
  after the script's own import lines. nn-lstm.py's other sections (input shapes, retraining the
  hand-made model with a plain loop, comparing it with `nn.LSTM`) are this site's additions, not the
  post's, and are left out. Both run in a scratch directory, so their lightning_logs/ do not touch the
  repository. The seeding line the site adds costs nothing measurable. Two processes pay Python's and
  torch's import time twice (a few seconds), which makes the ratio slightly kinder to the suite.
- Bytes transferred by each page's first load (every page of the site but 404.html), from Chrome's
  DevTools protocol (Network.loadingFinished encodedDataLength, headers included), with an empty cache
  and the site served gzip-compressed like GitHub Pages serves it; the uncompressed body size next to it.
- The trainer of the seeds page (docs/assets/javascripts/trainer.js): the wall time of the hand-made model's
  whole budget (5000 epochs, 10,000 steps) at its fastest speed, unthrottled and at a 4 x CPU slowdown
  (Chromium's DevTools throttling), and the longest task the page ran meanwhile (a PerformanceObserver on
  long tasks, which Chromium reports from 50 ms). Target: no task over 50 ms. And the bytes the widget
  adds to the seeds page: its scripts, stylesheet and data, gzip-compressed.
- Lighthouse 12.2.3 (npm, installed on first use under ~/.cache/lstm-book/lighthouse) performance,
  accessibility, best-practices and SEO scores for the home, theory and seeds pages, with Lighthouse's
  default (mobile, simulated throttling) settings, Debian's chromium and the project's Chromium flags.
  Each page is audited five times and the run with the median performance score is shown, with every
  run's score, Lighthouse's benchmarkIndex of this machine, the CPU slowdown Lighthouse's calculator
  would pick for it (the runs keep the default 4 x), and how many runs had their first paint held back
  by Chromium (see FRAME_HOLD_MS). Targets: 100 accessibility and best practices, >= 95 performance.
- With --page-load, only: home and theory built with and without docs/hooks/page_load.py (and the
  palette.js that goes with it), Lighthouse's performance five times each, in turns. The hook patches
  Material's loading; it stays only while this gain is larger than the runs' spread.

For the browser measurements the site is built a second time with `site_url` pointing at the local
server, so that its canonical links, sitemap and instant navigation behave as they do when the site is
served at its real address; the pages are otherwise identical. The machine's load average is printed
with the figures: everything here is wall time and shares the CPU with whatever else runs.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from browser import CHROMIUM_FLAGS, serve, settle, site_pages  # noqa: E402
from pages import ROOT, SNIPPETS, script_source  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LIGHTHOUSE_VERSION = "12.2.3"
LIGHTHOUSE_DIR = Path.home() / ".cache" / "lstm-book" / "lighthouse"
LIGHTHOUSE_PAGES = {"home": "", "theory": "theory/", "seeds (the trainer)": "seeds/"}
LIGHTHOUSE_RUNS = 5
# Chromium's display compositor can hold a headless page's first frames back by about a second
# (GoogleChrome/lighthouse#17148); Lantern then counts every request made meanwhile into FCP and LCP.
FRAME_HOLD_MS = 500
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": None}
BUILD_TARGET_S = 5.0
SUITE_RATIO_TARGET = 1.3


def log(message: str) -> None:
    print(f"[benchmark] {message}", file=sys.stderr, flush=True)


def timed(cmd: list[str], cwd: Path, env: dict | None = None) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    return time.perf_counter() - start, result


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


# --- build -------------------------------------------------------------------------------------------

def build_times(runs: int = 3) -> list[float]:
    times = []
    with tempfile.TemporaryDirectory(prefix="lstm-book-bench-") as tmp:
        for i in range(runs):
            seconds, result = timed([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", tmp], ROOT)
            if result.returncode:
                sys.exit(f"mkdocs build --strict failed:\n{result.stderr}")
            times.append(seconds)
            log(f"build {i + 1}/{runs}: {seconds:.2f} s")
    return times


# What docs/hooks/page_load.py changes: the hook, and palette.js, which runs the switch it takes from Material.
PAGE_LOAD_FILES = ("docs/hooks/page_load.py", "assets/javascripts/palette.js")


def build_for(url: str, site: Path, without: tuple[str, ...] = ()) -> None:
    """The site with site_url = the local server, so canonical links and the sitemap match where it is served;
    `without` leaves those hooks and scripts of mkdocs.yml out."""
    code = ("import sys; from mkdocs.config import load_config; from mkdocs.commands.build import build; "
            "from mkdocs.utils.yaml import yaml_load; "
            "raw = yaml_load(open('mkdocs.yml', 'rb')); left_out = sys.argv[3:]; "
            "build(load_config('mkdocs.yml', site_url=sys.argv[1], site_dir=sys.argv[2], strict=True, "
            "hooks=[h for h in raw['hooks'] if h not in left_out], "
            "extra_javascript=[j for j in raw['extra_javascript'] if j not in left_out]))")
    result = subprocess.run([sys.executable, "-c", code, url, str(site), *without], cwd=ROOT, capture_output=True,
                            text=True)
    if result.returncode:
        sys.exit(f"building the site for {url} failed:\n{result.stderr}")


# --- suite and the post's code -----------------------------------------------------------------------

def post_run_time() -> tuple[float, float]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(SNIPPETS), os.environ.get("PYTHONPATH")])))
    with tempfile.TemporaryDirectory(prefix="lstm-book-post-") as tmp:
        ch2, result = timed([sys.executable, str(SNIPPETS / "lstm-by-hand.py")], Path(tmp), env)
        if result.returncode:
            sys.exit(f"snippets/lstm-by-hand.py failed:\n{result.stderr[-3000:]}")
        log(f"chapter 2 as written: {ch2:.1f} s")
        script = Path(tmp) / "chapter3_training.py"
        script.write_text(script_source("nn-lstm.py", ["data", "train", "check"]), encoding="utf-8")  # the post's chapter 3
        ch3, result = timed([sys.executable, str(script)], Path(tmp), env)
        if result.returncode:
            sys.exit(f"chapter 3's training failed:\n{result.stderr[-3000:]}")
        log(f"chapter 3's training: {ch3:.1f} s")
    return ch2, ch3


def suite_time() -> tuple[float, str]:
    seconds, result = timed([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], ROOT)
    lines = [line for line in result.stdout.strip().splitlines() if line.strip()]
    summary = lines[-1].strip("= ") if lines else f"exit {result.returncode}"
    log(f"suite: {seconds:.1f} s ({summary})")
    return seconds, summary


# --- bytes per page ----------------------------------------------------------------------------------

def page_bytes(url: str, pages: list[str]) -> list[dict]:
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        for path in pages:
            context = browser.new_context()
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            totals = {"encoded": 0, "decoded": 0, "requests": 0, "external": 0}

            def finished(event, totals=totals):
                totals["encoded"] += event.get("encodedDataLength", 0)
                totals["requests"] += 1

            def received(event, totals=totals):
                totals["decoded"] += event.get("dataLength", 0)

            def sent(event, totals=totals):
                if not event["request"]["url"].startswith((url, "data:", "blob:")):
                    totals["external"] += 1

            cdp.on("Network.loadingFinished", finished)
            cdp.on("Network.dataReceived", received)
            cdp.on("Network.requestWillBeSent", sent)
            page.goto(url + path, wait_until="load")
            settle(page, timeout_ms=20_000)
            page.wait_for_timeout(500)
            rows.append({"page": "/" + path, **totals})
            context.close()
        browser.close()
    return rows


# --- the trainer -------------------------------------------------------------------------------------

TRAINER_FILES = ["assets/javascripts/lstm-cell.js", "assets/javascripts/trainer.js", "assets/stylesheets/widgets.css",
                 "generated/trainer.json"]


def trainer_timing(url: str) -> list[dict]:
    """The hand-made model's whole budget at the trainer's fastest speed, unthrottled and at 4 x."""
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        for slowdown in (1, 4):
            page = browser.new_page()
            cdp = page.context.new_cdp_session(page)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": slowdown})
            page.add_init_script("""window.__longest = 0; new PerformanceObserver(list => { for (const e of
                list.getEntries()) window.__longest = Math.max(window.__longest, e.duration); })
                .observe({type: 'longtask', buffered: true});""")
            page.goto(url + "seeds/")
            page.locator(".lstm-trainer").scroll_into_view_if_needed()  # it mounts when near the viewport
            page.wait_for_selector('.lstm-trainer[data-trainer="ready"]', timeout=60_000)
            trainer = page.locator(".lstm-trainer")
            trainer.locator("[data-role=speed]").select_option(label="最快")
            epochs = trainer.locator("[data-field=epochs]").input_value()
            page.evaluate("window.__longest = 0")
            start = time.perf_counter()
            # The DOM's click(), not Playwright's: Playwright's click dispatches pointer events through listeners
            # it injects to check the target, a task of 45-80 ms at 4 x that is the harness's, not the page's.
            trainer.get_by_role("button", name="开始").evaluate("button => button.click()")
            page.wait_for_function(f"() => document.querySelector('.lstm-trainer [data-role=status]').dataset.epoch === '{epochs}'",
                                   timeout=600_000)
            seconds = time.perf_counter() - start
            rows.append({"slowdown": slowdown, "epochs": int(epochs), "seconds": seconds,
                         "longest_task_ms": page.evaluate("window.__longest")})
            page.close()
        browser.close()
    return rows


def gzipped_size(path: Path) -> int:
    import gzip

    return len(gzip.compress(path.read_bytes(), 6))


# --- Lighthouse --------------------------------------------------------------------------------------

def lighthouse_bin() -> Path:
    binary = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
    package = LIGHTHOUSE_DIR / "node_modules" / "lighthouse" / "package.json"
    installed = package.exists() and json.loads(package.read_text())["version"] == LIGHTHOUSE_VERSION
    if not installed:
        npm = shutil.which("npm")
        if not npm:
            raise RuntimeError("npm is not on PATH (Lighthouse is installed with npm)")
        LIGHTHOUSE_DIR.mkdir(parents=True, exist_ok=True)
        log(f"installing lighthouse@{LIGHTHOUSE_VERSION} into {LIGHTHOUSE_DIR} (first use)")
        result = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(LIGHTHOUSE_DIR),
                                 f"lighthouse@{LIGHTHOUSE_VERSION}"], capture_output=True, text=True)
        if result.returncode:
            raise RuntimeError(f"npm install lighthouse@{LIGHTHOUSE_VERSION} failed:\n{result.stderr[-2000:]}")
    return binary


def lighthouse(url: str) -> dict:
    binary = lighthouse_bin()
    with tempfile.TemporaryDirectory(prefix="lstm-book-lh-") as tmp:
        report = Path(tmp) / "report.json"
        cmd = [str(binary), url, "--output=json", f"--output-path={report}", "--quiet",
               f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={' '.join(CHROMIUM_FLAGS)}"]
        result = subprocess.run(cmd, env=dict(os.environ, CHROME_PATH=CHROMIUM), capture_output=True, text=True,
                                timeout=300)
        if result.returncode or not report.exists():
            raise RuntimeError(f"lighthouse {url} failed:\n{result.stderr[-2000:]}")
        data = json.loads(report.read_text(encoding="utf-8"))
    scores = {c: round(data["categories"][c]["score"] * 100) if data["categories"][c]["score"] is not None else None
              for c in CATEGORIES}
    failing = {c: [a for a in (data["categories"][c]["auditRefs"]) if a["weight"] > 0
                   and (data["audits"][a["id"]].get("score") is not None) and data["audits"][a["id"]]["score"] < 1]
               for c in CATEGORIES}
    notes = {c: [f"{a['id']} ({data['audits'][a['id']]['score']:.2f})" for a in refs] for c, refs in failing.items()}
    observed = data["audits"]["metrics"]["details"]["items"][0]
    return {"scores": scores, "notes": notes, "version": data.get("lighthouseVersion"),
            "benchmark_index": data["environment"]["benchmarkIndex"],
            "paint_after_load_ms": observed["observedFirstContentfulPaint"] - observed["observedLoad"]}


def lighthouse_runs(url: str, runs: int = LIGHTHOUSE_RUNS) -> dict:
    """Several runs, as Lighthouse's variability guide advises; the run with the median performance is shown."""
    results = [lighthouse(url) for _ in range(runs)]
    ranked = sorted(results, key=lambda r: r["scores"]["performance"])
    return {**ranked[len(ranked) // 2], "runs": results}


def page_load_gain(pages: tuple[str, ...] = ("home", "theory")) -> list[str]:
    """Lighthouse's performance score of each page built with and without docs/hooks/page_load.py, audited in
    turns (with, without, with, ...) so that the machine's drift falls on both alike: the evidence its
    docstring cites, as a table."""
    scores = {}
    with tempfile.TemporaryDirectory(prefix="lstm-book-page-load-") as tmp, ExitStack() as servers:
        urls = {}
        for variant, without in (("with", ()), ("without", PAGE_LOAD_FILES)):
            site = Path(tmp) / variant
            urls[variant] = servers.enter_context(serve(site, gzip=True))
            build_for(urls[variant], site, without)
        for i in range(LIGHTHOUSE_RUNS):
            for name in pages:
                for variant, url in urls.items():
                    score = lighthouse(url + LIGHTHOUSE_PAGES[name])["scores"]["performance"]
                    scores.setdefault((name, variant), []).append(score)
                    log(f"page_load {i + 1}/{LIGHTHOUSE_RUNS}: {name} {variant}: {score}")
    out = [f"| Lighthouse performance, {LIGHTHOUSE_RUNS} runs in turns | with page_load.py | without |",
           "| --- | --- | --- |"]
    for name in pages:
        cells = [f"median {statistics.median(v)} (range {min(v)}–{max(v)})"
                 for v in (scores[name, "with"], scores[name, "without"])]
        out.append(f"| {name} (/{LIGHTHOUSE_PAGES[name]}) | " + " | ".join(cells) + " |")
    return out


def calibrated_multiplier(benchmark_index: float) -> float:
    """The CPU slowdown that Lighthouse's calculator (linked from its docs/throttling.md) suggests for a host,
    so that the simulated device is a mid-tier phone. Lighthouse's default is 4 x, meant for a fast desktop."""
    if benchmark_index >= 1300:
        return 3 + (benchmark_index - 1300) / 233
    if benchmark_index >= 800:
        return 2 + (benchmark_index - 800) / 500
    return 1 + max(benchmark_index - 150, 0) / 650


# --- report ------------------------------------------------------------------------------------------

def mark(ok: bool | None) -> str:
    return "—" if ok is None else ("✅" if ok else "❌")


def kib(n: float) -> str:
    return f"{n / 1024:,.0f} KiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-suite", action="store_true", help="do not time the test suite and the post's code")
    parser.add_argument("--skip-lighthouse", action="store_true", help="do not run Lighthouse")
    parser.add_argument("--page-load", action="store_true",
                        help="only audit home and theory with and without docs/hooks/page_load.py, in turns")
    args = parser.parse_args()
    if args.page_load:
        print("\n".join(page_load_gain()))
        return
    started = load()

    builds = build_times()
    build = statistics.median(builds)

    suite = post = None
    suite_summary = ""
    if not args.skip_suite:
        # The machine's speed drifts by a fifth from one minute to the next: the post's code runs just before
        # and just after the suite, and the suite is compared with the mean of the two.
        posts = [post_run_time()]
        suite, suite_summary = suite_time()
        posts.append(post_run_time())
        post = statistics.mean(ch2 + ch3 for ch2, ch3 in posts)

    with tempfile.TemporaryDirectory(prefix="lstm-book-served-") as tmp:
        site = Path(tmp) / "site"
        with serve(site, gzip=True) as url:  # bound first: the site is built for its URL
            build_for(url, site)
            pages = site_pages(site)
            log(f"measuring {len(pages)} pages at {url}")
            rows = page_bytes(url, pages)
            trainer = trainer_timing(url)
            trainer_bytes = {name: gzipped_size(site / name) for name in TRAINER_FILES}
            lh = {}
            if not args.skip_lighthouse:
                for name, path in LIGHTHOUSE_PAGES.items():
                    try:
                        lh[name] = lighthouse_runs(url + path)
                        log(f"lighthouse {name}: {lh[name]['scores']}")
                    except Exception as e:  # reported in the table
                        lh[name] = {"error": str(e).splitlines()[0] if str(e) else repr(e)}
                        log(f"lighthouse {name} failed: {e}")

    out = ["## Benchmark", "",
           f"Machine load average (1/5/15 min) at start: {started}; at the end: {load()}; {os.cpu_count()} CPUs.", "",
           "| Measure | Value | Target | Met |", "| --- | --- | --- | --- |",
           f"| `mkdocs build --strict` (median of {len(builds)}: {', '.join(f'{b:.2f}' for b in builds)} s) "
           f"| {build:.2f} s | < {BUILD_TARGET_S:.0f} s | {mark(build < BUILD_TARGET_S)} |"]
    if suite is not None:
        ratio = suite / post
        out += [f"| Test suite, `pytest -q -p no:cacheprovider` ({suite_summary}) | {suite:.1f} s | | |",
                "| The post's code run once, before and after the suite (mean of "
                + " and ".join(f"chapter 2 script {ch2:.1f} s + chapter 3 training {ch3:.1f} s" for ch2, ch3 in posts)
                + f") | {post:.1f} s | | |",
                "| Suite / post's run (against each run: "
                + ", ".join(f"{suite / (ch2 + ch3):.2f} ×" for ch2, ch3 in posts)
                + f") | {ratio:.2f} × | ≤ {SUITE_RATIO_TARGET} × | {mark(ratio <= SUITE_RATIO_TARGET)} |"]
    out += ["", "| Page (first load, empty cache) | Requests | Transferred (gzip) | Uncompressed | Third-party |",
            "| --- | ---: | ---: | ---: | ---: |"]
    out += [f"| {r['page']} | {r['requests']} | {kib(r['encoded'])} | {kib(r['decoded'])} | {r['external']} |"
            for r in rows]
    out += ["", "| Trainer, hand-made model, fastest speed | Epochs | Wall time | Longest task | Target |",
            "| --- | ---: | ---: | ---: | --- |"]
    out += [f"| CPU slowdown {r['slowdown']} × | {r['epochs']} | {r['seconds']:.2f} s | {r['longest_task_ms']:.0f} ms "
            f"| < 50 ms {mark(r['longest_task_ms'] < 50)} |" for r in trainer]
    out += ["", "Bytes the trainer adds to the seeds page (gzip): " + ", ".join(f"{name} {kib(size)}" for name, size in
                                                                              trainer_bytes.items())
            + f"; {kib(sum(trainer_bytes.values()))} in all."]
    if lh:
        out += ["", "| Lighthouse " + (next((v["version"] for v in lh.values() if "version" in v), LIGHTHOUSE_VERSION))
                + " (mobile) | " + " | ".join(CATEGORIES) + " |", "| --- |" + " ---: |" * len(CATEGORIES)]
        out.append("| target | " + " | ".join("—" if TARGETS[c] is None else
                                               (f"≥ {TARGETS[c]}" if TARGETS[c] < 100 else "100") for c in CATEGORIES) + " |")
        for name, result in lh.items():
            if "error" in result:
                out.append(f"| {name} | " + " | ".join("error" for _ in CATEGORIES) + " |")
                continue
            cells = []
            for c in CATEGORIES:
                score, target = result["scores"][c], TARGETS[c]
                cells.append(f"{score} {mark(None if target is None or score is None else score >= target)}")
            out.append(f"| {name} (/{LIGHTHOUSE_PAGES[name]}) | " + " | ".join(cells) + " |")
        notes = [f"- {name}, {c}: " + ", ".join(result["notes"][c]) for name, result in lh.items() if "notes" in result
                 for c in CATEGORIES if result["notes"][c]]
        errors = [f"- {name}: {result['error']}" for name, result in lh.items() if "error" in result]
        if notes or errors:
            out += ["", "Lighthouse audits that cost points in the median run (score):"] + notes + errors
        runs = [f"- {name}: performance " + ", ".join(str(r["scores"]["performance"]) for r in result["runs"])
                + "; benchmarkIndex " + ", ".join(f"{r['benchmark_index']:.0f}" for r in result["runs"])
                + " (calculator's multiplier " + ", ".join(f"{calibrated_multiplier(r['benchmark_index']):.1f}"
                                                           for r in result["runs"]) + " ×)"
                + f"; first paint held back ≥ {FRAME_HOLD_MS / 1000:.1f} s after load in "
                + f"{sum(r['paint_after_load_ms'] >= FRAME_HOLD_MS for r in result['runs'])} of {len(result['runs'])}"
                for name, result in lh.items() if "runs" in result]
        out += ["", f"Each page was audited {LIGHTHOUSE_RUNS} times with the default 4 × CPU slowdown:"] + runs
    print("\n".join(out))


if __name__ == "__main__":
    main()
