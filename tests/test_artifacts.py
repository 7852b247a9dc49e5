"""The committed files of docs/generated/ are what this run produces, within artifacts.TOLERANCE;
`pytest --regenerate` rewrites exactly the ones that are not."""
from __future__ import annotations

import pytest

import artifacts
from artifacts import REGENERATE, difference, numbers_differ, produced, read_scalars, stale


@pytest.fixture(scope="session")
def fresh(runs) -> dict[str, str]:
    return produced(runs)


def test_generated_files_are_what_the_run_produces(fresh):
    """One line per stale file: which, what differs, what to run. (With --regenerate, conftest.py has
    rewritten the stale ones, and deleted the ones no longer produced, as soon as the pages ran.)"""
    found = stale(fresh)
    if found:
        lines = [f"docs/generated/{rel} is stale: {why}" for rel, why in found.items()]
        pytest.fail("\n".join(lines) + f"\nrun `{REGENERATE}` and commit docs/generated/", pytrace=False)


def test_a_number_within_the_tolerance_is_not_a_change():
    """A run on another CPU rounds the last digits differently: that leaves the committed files alone."""
    assert numbers_differ("A = 0.43419, B = 0.617100", "A = 0.43420, B = 0.617111") is None
    assert "0.4342 is now 0.4352" in numbers_differ("A = 0.4352", "A = 0.4342")
    assert "line 2" in numbers_differ("x\nEpoch 1", "x\nStep 1")
    long = "一" * 100
    assert numbers_differ(long + "旧", long + "新") == f"line 1: {'一' * 20 + '新'!r} is now {'一' * 20 + '旧'!r}"
    assert numbers_differ("epoch=1999-step=4000.ckpt", "epoch=2000-step=4002.ckpt") == "line 1: 2000 is now 1999"
    # Numbers with an exponent keep their scale: no absolute tolerance hides a tiny gradient's change.
    assert numbers_differ("梯度 2.1e-02", "梯度 2.0e-02") is None
    assert numbers_differ("梯度 2.4e-02", "梯度 2.0e-02") == "line 1: 2.0e-02 is now 2.4e-02"
    assert numbers_differ("梯度 4.3e-28", "梯度 4.1e-28") is None
    assert numbers_differ("梯度 4.1e-27", "梯度 4.1e-28") == "line 1: 4.1e-28 is now 4.1e-27"
    assert numbers_differ("梯度 1.0e-10", "梯度 4.1e-28") == "line 1: 4.1e-28 is now 1.0e-10"
    assert numbers_differ("差 1.2e-07", "差 6.0e-08") is None, "float32 rounding noise is not a change"
    assert numbers_differ("差 1.2e-07", "差 0.0e+00") is None, "float32 rounding noise is not a change"
    # A sign is a change, whatever the size.
    assert numbers_differ("w = -0.1234", "w = 0.1234") == "line 1: 0.1234 is now -0.1234"
    assert numbers_differ("h = -4.1e-28", "h = 4.1e-28") == "line 1: 4.1e-28 is now -4.1e-28"


def test_a_notebooks_code_and_prose_must_be_exact():
    cell = '{"cells": [{"cell_type": "code", "source": "%s", "outputs": [{"text": "%s"}]}]}'
    assert difference("notebooks/x.ipynb", cell % ("x = 1", "0.43419"), cell % ("x = 1", "0.4342")) is None
    assert "no longer the page's" in difference("notebooks/x.ipynb", cell % ("x = 2", "0"), cell % ("x = 1", "0"))
    assert difference("outputs/x/y.txt", "1", None) == "it is missing"


def test_regenerate_writes_only_what_is_stale(fresh, tmp_path, monkeypatch):
    """A copy of the committed files, one of them changed beyond the tolerance and one within it:
    regenerating writes back exactly the first, and names it."""
    monkeypatch.setattr(artifacts, "GENERATED", tmp_path)
    for rel, text in fresh.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    curves = next(rel for rel in fresh if rel.startswith("curves/"))
    output = next(rel for rel in fresh if rel.startswith("outputs/") and "Predicted" in fresh[rel])
    (tmp_path / curves).write_text(fresh[curves].replace(",0.", ",0.0000", 1), encoding="utf-8")
    noisy = artifacts.NUMBER.sub(lambda m: m[0] + "1" if "." in m[0] and "e" not in m[0].lower() else m[0], fresh[output])
    (tmp_path / output).write_text(noisy, encoding="utf-8")
    done = artifacts.regenerate(fresh)
    assert len(done) == 1 and done[0].startswith(f"wrote docs/generated/{curves} (line "), done
    assert (tmp_path / curves).read_text(encoding="utf-8") == fresh[curves]
    assert (tmp_path / output).read_text(encoding="utf-8") == noisy, "a change within the tolerance was rewritten"
    assert artifacts.regenerate(fresh) == [], "a second regenerate wrote again"


def test_tensorboard_logs_hold_the_three_tags(runs):
    """The post's `tensorboard --logdir=lightning_logs/` has event files to show, for each fit of each chapter
    that trains with Lightning."""
    fits = {page: artifacts.fits(runs[page]) for page in ("lstm-by-hand", "nn-lstm")}
    assert [len(f) for f in fits.values()] == [2, 1], fits
    for folders in fits.values():
        for folder in folders:
            read_scalars(folder)  # raises, naming the tags missing


def test_missing_log_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="no TensorBoard event file in .*version_7"):
        read_scalars(tmp_path / "version_7")
