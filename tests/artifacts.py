"""What one run of the book produces (docs/generated/), and when a committed file is stale.

A run is bit-identical on one CPU; other CPUs round the last digits of the float math differently. So
a committed file is stale only when its text differs from the run's beyond its numbers, or a number
differs more than numbers_agree allows; `pytest --regenerate` rewrites exactly the stale files (a no-op run leaves
`git status` clean on any machine) and names each one.
"""
from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path

import nbformat

from kernels import Run, page_notebook
from pages import GENERATED, load_hook, notebook_pages, output_file, script_sections

figures_hook = load_hook("figures")

TOLERANCE = dict(rel=1e-3, abs_=1e-4)  # for decimals such as 0.4342
EXPONENT_REL = 0.1  # for numbers such as 4.1e-28, printed with two or three digits
FLOAT32_NOISE = 2.4e-7  # four float32 steps of a value near 1: what another CPU's rounding can move
REGENERATE = "pytest --regenerate"
TAGS, CURVE_COLUMNS = figures_hook.TAGS, figures_hook.CURVE_COLUMNS  # what the hook that draws them reads


# --- what a run wrote ------------------------------------------------------------------------------

def read_scalars(version_dir: Path) -> list[dict]:
    """train_loss, out_0 and out_1 by step, from the TensorBoard event files Lightning wrote."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    if not any(version_dir.glob("events.out.tfevents.*")):
        raise FileNotFoundError(f"no TensorBoard event file in {version_dir}")
    acc = EventAccumulator(str(version_dir), size_guidance={"scalars": 0})
    acc.Reload()
    missing = [t for t in TAGS if t not in acc.Tags()["scalars"]]
    if missing:
        raise ValueError(f"{version_dir}: event files lack the tags {missing}")
    rows: dict[int, dict] = {}
    for tag in TAGS:
        for event in acc.Scalars(tag):
            rows.setdefault(event.step, {"step": event.step})[tag] = event.value
    return [rows[s] for s in sorted(rows)]


def fits(run: Run) -> list[Path]:
    """The folders of a chapter's trainer.fit() calls, in order (Lightning's version_0, version_1, …)."""
    logs = run.workdir / "lightning_logs"
    return sorted(logs.glob("version_*"), key=lambda p: int(p.name.split("_")[1])) if logs.is_dir() else []


def curves_csv(run: Run) -> str:
    """Every logged point of every fit of a chapter. With two batches an epoch, Lightning logs on the
    second batch of an epoch (step 2e + 1 for epoch e, counted from 0): `epoch` is the epochs done then."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CURVE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for fit, folder in enumerate(fits(run), 1):
        for row in read_scalars(folder):
            writer.writerow({"fit": fit, "epoch": row["step"] // 2 + 1,
                             **{k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in row.items()}})
    return buf.getvalue()


def checkpoints(run: Run) -> list[Path]:
    """The checkpoint each fit kept (Lightning keeps the last epoch's when no metric is monitored)."""
    found = []
    for folder in fits(run):
        (ckpt,) = (folder / "checkpoints").glob("*.ckpt")
        found.append(ckpt)
    return found


def checkpoint_epochs(ckpt: Path) -> int:
    """How many epochs a checkpoint has trained: "epoch=1999-step=4000.ckpt" -> 2000."""
    return int(re.match(r"epoch=(\d+)-", ckpt.name)[1]) + 1


def checkpoint_weights(ckpt: Path) -> dict[str, float]:
    import torch

    state = torch.load(ckpt, map_location="cpu", weights_only=True)["state_dict"]
    return {name: round(float(value), 8) for name, value in state.items()}


def explorer_weights(run: Run) -> dict:
    """The hand-made model's 12 parameters after each fit, with the epochs it had trained, for the explorer."""
    return {"checkpoints": [{"epochs": checkpoint_epochs(c), "weights": checkpoint_weights(c)} for c in checkpoints(run)]}


def trainer_weights() -> dict:
    """The initial parameters of both models of the seed study for each of its seeds, as PyTorch draws them,
    with the study's budgets and each model's learning rate: what the trainer on the seeds page starts
    from (docs/assets/javascripts/trainer.js). Parameters in the model's own order, which lstm-cell.js's
    layouts follow."""
    import torch

    from models import LSTMbyHand

    study = script_sections("seeds.py", ["imports", "run", "main"])
    models = {}
    for name, (cls, epochs, longer) in study.MODELS.items():
        initial = {}
        for seed in study.SEEDS:
            # What the study's L.seed_everything(seed) does for torch, whose generator alone draws the initial
            # parameters (the same 21 x 2 sets, checked). seed_everything would also set environment variables,
            # and this runs in a job's thread with --regenerate, while tests spawn programs (jobs.py).
            torch.manual_seed(seed)
            model = cls()
            initial[str(seed)] = [v for p in model.parameters() for v in p.detach().flatten().tolist()]
        layout = "hand" if cls is LSTMbyHand else "nn"
        models[layout] = {"name": name, "layout": layout, "lr": model.configure_optimizers().defaults["lr"],
                          "epochs": epochs, "longer": longer, "initial": initial}
    return {"models": models}


def how_to_make(name: str) -> str:
    """What to run to write docs/generated/<name> again: the figures hook's words, so the build and the tests agree."""
    return figures_hook.HOW_TO_MAKE.get(name, figures_hook.REGENERATE)


def study(name: str) -> dict:
    """A study's committed output, docs/generated/<name>; missing or malformed, one line saying what to run."""
    import pytest

    try:
        return json.loads((GENERATED / name).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        pytest.fail(f"docs/generated/{name} is missing or malformed ({type(e).__name__}): {how_to_make(name)}",
                    pytrace=False)


def generated_json(name: str, key: str | None = None):
    """docs/generated/<name> (or its `key`) for a test module to read at import. Missing or malformed, the module
    is skipped saying what to run, rather than failing collection: that would stop `pytest --regenerate` itself,
    the command that writes the file again (test_artifacts and the study tests fail on the file meanwhile)."""
    import pytest

    try:
        data = json.loads((GENERATED / name).read_text(encoding="utf-8"))
        return data if key is None else data[key]
    except (OSError, ValueError, KeyError, TypeError) as e:
        pytest.skip(f"docs/generated/{name} is missing or malformed ({type(e).__name__}): {how_to_make(name)}",
                    allow_module_level=True)


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1) + "\n"


def produced(runs: dict[str, Run]) -> dict[str, str]:
    """Every file under docs/generated/ that the suite's run produces, by path relative to it."""
    files = {f"notebooks/{page}.ipynb": nbformat.writes(page_notebook(page, runs.get(page))) + "\n"
             for page in notebook_pages()}
    for run in runs.values():
        for cell in run.nb.cells:
            text = Run.text(cell) if cell.cell_type == "code" else ""
            if text.strip():
                targets = cell.metadata["snippets"]
                if len(targets) != 1:  # the output file is named after the one section
                    raise ValueError(f"{run.page}.md block {cell.metadata['block']} printed, but includes "
                                     f"{targets}: a block that prints must include exactly one section")
                files[output_file(targets[0])] = text
        if fits(run):
            files[f"curves/{run.page}.csv"] = curves_csv(run)
    files["weights.json"] = dumps(explorer_weights(runs["lstm-by-hand"]))
    files["trainer.json"] = dumps(trainer_weights())
    return files


def committed() -> list[str]:
    """The committed files a run produces (every file under these folders, and these files)."""
    return sorted(p.relative_to(GENERATED).as_posix() for sub in ("notebooks", "outputs", "curves")
                  for p in (GENERATED / sub).rglob("*") if p.is_file()) + ["weights.json", "trainer.json"]


# --- stale or not ----------------------------------------------------------------------------------

NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def first_difference(a: str, b: str, same=lambda line: line) -> str:
    """Where two texts first differ, line by line, after `same` makes what may differ equal."""
    for i, (la, lb) in enumerate(zip(a.splitlines(), b.splitlines()), 1):
        if same(la) != same(lb):
            # Long lines (a notebook's paragraph) share a beginning: quote them from a little before
            # the first character that differs, so the two excerpts show the change.
            start = max(0, next((k for k, (x, y) in enumerate(zip(la, lb)) if x != y), min(len(la), len(lb))) - 20)
            return f"line {i}: {lb[start:start + 80]!r} is now {la[start:start + 80]!r}"
    return f"{len(b.splitlines())} lines are now {len(a.splitlines())}"


def numbers_agree(x: str, y: str) -> bool:
    """Whole numbers (epochs, steps, seeds) must be equal: only float math rounds differently on another
    CPU. Decimals agree within TOLERANCE. A number written with an exponent (a gradient between 1e-2 and
    1e-28, a float32 difference) has its own scale, so an absolute tolerance would hide any change below
    it: it agrees within EXPONENT_REL; when both are under FLOAT32_NOISE (where a difference of two float32
    values near 1 is a step or two of rounding, 6.0e-08 on one CPU and 1.2e-07 on another), within a
    factor of 2, zero matching any such number."""
    if not any(c in x + y for c in ".eE"):
        return x == y
    a, b = float(x), float(y)
    if not any(c in x + y for c in "eE"):
        return math.isclose(a, b, rel_tol=TOLERANCE["rel"], abs_tol=TOLERANCE["abs_"])
    if max(abs(a), abs(b)) < FLOAT32_NOISE:
        return a == 0 or b == 0 or (a * b > 0 and max(abs(a), abs(b)) <= 2 * min(abs(a), abs(b)))
    return math.isclose(a, b, rel_tol=EXPONENT_REL)


def numbers_differ(new: str, old: str) -> str | None:
    """None if the texts are the same but for numbers that agree (numbers_agree), else where they differ."""
    if NUMBER.sub("#", new) != NUMBER.sub("#", old):
        return first_difference(new, old, lambda line: NUMBER.sub("#", line))
    for i, (la, lb) in enumerate(zip(new.splitlines(), old.splitlines()), 1):
        for x, y in zip(NUMBER.findall(la), NUMBER.findall(lb)):
            if not numbers_agree(x, y):
                return f"line {i}: {y} is now {x}"
    return None


def notebook_parts(text: str) -> tuple[str, str]:
    """A notebook's source (cells without outputs, metadata) and its outputs, apart."""
    nb = json.loads(text)
    outputs = [cell.pop("outputs", []) for cell in nb["cells"]]
    return json.dumps(nb, ensure_ascii=False, indent=1), json.dumps(outputs, ensure_ascii=False, indent=1)


def difference(rel: str, new: str, old: str | None) -> str | None:
    """Why the committed text `old` of docs/generated/<rel> is stale against the run's `new`, or None.
    A notebook's code and prose must be the page's exactly; numbers a run printed or wrote, within TOLERANCE."""
    if old is None:
        return "it is missing"
    if rel.endswith(".ipynb"):
        (source, new), (old_source, old) = notebook_parts(new), notebook_parts(old)
        if source != old_source:
            return f"its cells are no longer the page's, {first_difference(source, old_source)}"
    return numbers_differ(new, old)


def stale(fresh: dict[str, str]) -> dict[str, str]:
    """Each stale or no longer produced committed file, with why."""
    found = {}
    for rel in sorted(set(fresh) | set(committed())):
        path = GENERATED / rel
        if rel not in fresh:
            found[rel] = "the run no longer produces it"
            continue
        why = difference(rel, fresh[rel], path.read_text(encoding="utf-8") if path.exists() else None)
        if why:
            found[rel] = why
    return found


def regenerate(fresh: dict[str, str]) -> list[str]:
    """Write the stale files, delete the ones no longer produced; one line for each."""
    done = []
    for rel, why in stale(fresh).items():
        path = GENERATED / rel
        if rel in fresh:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(fresh[rel], encoding="utf-8")
            done.append(f"wrote docs/generated/{rel} ({why})")
        else:
            path.unlink()
            done.append(f"deleted docs/generated/{rel} ({why})")
    return done


# --- numbers the pages may quote ---------------------------------------------------------------------

EPOCHS = re.compile(r"(\d[\d,]*)\s*轮")


def epoch_counts(page: str) -> set[int]:
    """Every number of epochs the page's committed results trained (where a fit ended, how long a fit was,
    how often it logged; its study's budgets, intervals and escapes) or state in its printed outputs: the
    numbers the page may put before 轮. Per page, so one chapter's count cannot vouch for another's sentence."""
    found = set()
    curves = GENERATED / "curves" / f"{page}.csv"
    if curves.exists():
        ends, logged = {}, {}
        for row in csv.DictReader(curves.open(encoding="utf-8")):
            ends[int(row["fit"])] = max(ends.get(int(row["fit"]), 0), int(row["epoch"]))
            logged.setdefault(int(row["fit"]), []).append(int(row["epoch"]))
        found |= set(ends.values()) | {ends[b] - ends[a] for a, b in zip(sorted(ends), sorted(ends)[1:])}
        found |= {b - a for epochs in logged.values() for a, b in zip(epochs, epochs[1:])}
    for path in sorted((GENERATED / "outputs" / page).glob("*.txt")):
        found |= {int(n.replace(",", "")) for n in EPOCHS.findall(path.read_text(encoding="utf-8"))}
    study = GENERATED / f"{page}.json"
    if study.exists():
        found |= set(_numbers_under(json.loads(study.read_text(encoding="utf-8")), ("epochs", "longer", "every", "escaped_at")))
    return found


def _numbers_under(data, keys) -> list[int]:
    if isinstance(data, dict):
        return [v for k, v in data.items() if k in keys and isinstance(v, int)] + \
            [n for v in data.values() for n in _numbers_under(v, keys)]
    if isinstance(data, list):
        return [n for v in data for n in _numbers_under(v, keys)]
    return []
