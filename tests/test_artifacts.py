"""The committed artifacts in docs/generated/ are what this run produces, within a stated tolerance."""
from __future__ import annotations

import json
import re

import pytest

import charts
import regenerate
from book import GENERATED, first_difference, numbers_close, parse_curves, read_scalars, seed_study_results

# Runs are bit-identical on one CPU; the tolerance absorbs other CPUs' float rounding, not real change.
TOLERANCE = dict(rel=1e-3, abs_=1e-4)
HOW_TO_FIX = "run `python tests/regenerate.py --skip-seed-study` and commit docs/generated/"


@pytest.fixture(scope="session")
def fresh(runs) -> dict[str, str]:
    return regenerate.run_artifacts(runs)


def committed_run_artifacts() -> list[str]:
    return sorted(str(p.relative_to(GENERATED)) for sub in ("notebooks", "outputs", "curves")
                  for p in (GENERATED / sub).rglob("*") if p.is_file()) + ["weights.json"]


def notebook_parts(text: str) -> tuple[str, str]:
    """A notebook's source (cells without outputs, metadata) and its outputs, apart."""
    nb = json.loads(text)
    outputs = [cell.pop("outputs", []) for cell in nb["cells"]]
    return json.dumps(nb, ensure_ascii=False, indent=1), json.dumps(outputs, ensure_ascii=False, indent=1)


@pytest.mark.parametrize("rel", committed_run_artifacts())
def test_committed_artifact_is_fresh(fresh, rel):
    """A notebook's code and prose must be the page's exactly; numbers a run printed or wrote, within TOLERANCE."""
    assert rel in fresh, f"docs/generated/{rel} is no longer produced by the run; {HOW_TO_FIX}"
    new, committed = fresh[rel], (GENERATED / rel).read_text(encoding="utf-8")
    if rel.endswith(".ipynb"):
        (source, new), (committed_source, committed) = notebook_parts(new), notebook_parts(committed)
        assert source == committed_source, \
            f"docs/generated/{rel} is stale: its cells differ from the page's, {first_difference(source, committed_source)}; {HOW_TO_FIX}"
    problem = numbers_close(new, committed, **TOLERANCE)
    assert problem is None, f"docs/generated/{rel} is stale: {problem}; {HOW_TO_FIX}"


def test_every_artifact_is_committed(fresh):
    missing = sorted(set(fresh) - set(committed_run_artifacts()))
    assert not missing, f"the run produces files that are not committed: {missing}; {HOW_TO_FIX}"


@pytest.mark.parametrize("stem", sorted(regenerate.CHART_SPECS))
def test_chart_is_drawn_from_its_curve_data(stem):
    committed = (GENERATED / f"charts/{stem}.html").read_text(encoding="utf-8")
    assert committed == regenerate.chart_html(stem, GENERATED / f"curves/{stem}.csv"), \
        f"docs/generated/charts/{stem}.html was not drawn from curves/{stem}.csv; {HOW_TO_FIX}"


def test_values_outside_the_chart_are_refused():
    rows = [{"step": 49, "train_loss": 0.25, "out_0": 0.5, "out_1": 0.5}, {"step": 99, "train_loss": 1.5}]
    with pytest.raises(ValueError, match=r"outside the chart's range .*train_loss=1.5 at step 99"):
        charts.render(rows, "a chart", "its caption")


def test_seed_study_table_comes_from_its_data():
    results = seed_study_results()
    assert (GENERATED / "seed_study.md").read_text(encoding="utf-8") == regenerate.seed_study_table(results), \
        "docs/generated/seed_study.md was not made from seed_study.json: run `python tests/regenerate.py --skip-seed-study`"


def test_tensorboard_logs_hold_the_three_tags(runs):
    """The post's `tensorboard --logdir=lightning_logs/` has event files to show."""
    for page, versions in (("lstm-by-hand", ("version_0", "version_1")), ("nn-lstm", ("version_0",))):
        for version in versions:
            read_scalars(runs[page].workdir / "lightning_logs" / version)  # raises, naming the tags missing


def test_missing_log_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="no TensorBoard event file in .*version_7"):
        read_scalars(tmp_path / "version_7")


HEADER = "step,train_loss,out_0,out_1\n"


@pytest.mark.parametrize("content, problem", [
    ("", "is missing or malformed"),
    ("step,loss\n1,0.5\n", "is missing or malformed"),
    (HEADER + "x,1,2,3\n", "is missing or malformed"),
    (HEADER, "holds no rows"),
    (HEADER + "1,0.5,,\n3,0.4,,\n", r"holds no values of \['out_0', 'out_1'\]"),
    (HEADER + "1,0.5,0.5,0.5\n", "holds fewer than two steps"),
], ids=["empty-file", "wrong-columns", "not-a-number", "no-rows", "empty-columns", "one-step"])
def test_malformed_chart_data_is_named(content, problem, tmp_path):
    path = tmp_path / "chapter9-100.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=f"chart data {re.escape(str(path))} {problem}"):
        parse_curves(path)
