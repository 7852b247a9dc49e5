"""Regenerate everything under docs/generated/ from one real, seeded run of the book.

    python tests/regenerate.py                    # everything, seed study included (about 10 minutes)
    python tests/regenerate.py --skip-seed-study  # keep the committed seed study (about 2 minutes)

The test suite builds the same artifacts from its own run and fails, naming the file, when a
committed one no longer matches.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat

import charts
from book import (GENERATED, SNIPPETS, Run, checkpoint_weights, curves_csv, dumps, parse_curves,
                  output_file, read_scalars, run_chapters, seed_study_results)

CHART_SPECS = {
    # file stem: (title, caption, marker)
    "chapter2-2000": ("手搓 LSTM：前 2000 轮",
                      "两条预测曲线还没有分开到 0 和 1：效果一般。", None),
    "chapter2-resume": ("手搓 LSTM：从第 2000 轮的检查点恢复，训练到第 5000 轮",
                        "竖线左边是前 2000 轮（第一次 fit），右边是恢复训练的 3000 轮（第二次 fit）。", (4000, "恢复训练")),
    "chapter3": ("nn.LSTM：300 轮（学习率 0.1）",
                 "out_0 很快降到 0，out_1 升到 1 附近。", None),
}


def curve_rows(runs: dict[str, Run]) -> dict[str, list[dict]]:
    by_hand = runs["lstm-by-hand"].workdir / "lightning_logs"
    first = read_scalars(by_hand / "version_0")
    return {
        "chapter2-2000": first,
        "chapter2-resume": first + read_scalars(by_hand / "version_1"),
        "chapter3": read_scalars(runs["nn-lstm"].workdir / "lightning_logs" / "version_0"),
    }


def chart_html(stem: str, csv_path: Path) -> str:
    title, caption, marker = CHART_SPECS[stem]
    return charts.render(parse_curves(csv_path), title, caption, marker)


def weights(runs: dict[str, Run]) -> dict:
    """The hand-made model's 12 parameters at both checkpoints, for the cell explorer."""
    logs = runs["lstm-by-hand"].workdir / "lightning_logs"
    (after_2000,) = (logs / "version_0" / "checkpoints").glob("*.ckpt")
    (after_5000,) = (logs / "version_1" / "checkpoints").glob("*.ckpt")
    return {"after_2000": checkpoint_weights(after_2000), "after_5000": checkpoint_weights(after_5000)}


def run_artifacts(runs: dict[str, Run]) -> dict[str, str]:
    """Every generated file that comes from the chapters' run, by path relative to docs/generated/."""
    files = {f"notebooks/{page}.ipynb": nbformat.writes(run.nb) + "\n" for page, run in runs.items()}
    for run in runs.values():
        for cell in run.nb.cells:
            text = Run.text(cell) if cell.cell_type == "code" else ""
            if text.strip():
                targets = cell.metadata["snippets"]
                if len(targets) != 1:  # the output file is named after the one section
                    raise ValueError(f"{run.page}.md block {cell.metadata['block']} printed, but includes "
                                     f"{targets}: a block that prints must include exactly one section")
                files[output_file(targets[0])] = text
    for stem, rows in curve_rows(runs).items():
        files[f"curves/{stem}.csv"] = curves_csv(rows)
    files["weights.json"] = dumps(weights(runs))
    return files


def seed_study_table(results: dict) -> str:
    lines = ["| 种子 | " + " | ".join(results) + " |", "| --- |" + " --- |" * len(results)]
    seeds = [r["seed"] for r in next(iter(results.values()))]
    for i, seed in enumerate(seeds):
        cells = []
        for rows in results.values():
            r = rows[i]
            mark = "✅" if r["learned"] else "❌"
            cells.append(f"{mark} A = {r['A']:.4f}，B = {r['B']:.4f}")
        lines.append(f"| {seed} | " + " | ".join(cells) + " |")
    totals = " | ".join(f"**{sum(r['learned'] for r in rows)} / {len(rows)}**" for rows in results.values())
    lines.append(f"| 学会的次数 | {totals} |")
    return "\n".join(lines) + "\n"


def run_seed_study() -> dict:
    sys.path.insert(0, str(SNIPPETS))
    import seed_study

    return seed_study.study()


def write(files: dict[str, str]) -> None:
    for rel, text in sorted(files.items()):
        path = GENERATED / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote docs/generated/{rel}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-seed-study", action="store_true", help="keep the committed seed_study.json")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        runs = run_chapters(Path(tmp))
        failed = [f"{page}.md block {c.metadata['block']}" for page, r in runs.items()
                  for c in r.nb.cells if c.cell_type == "code" and Run.error(c)]
        if failed:
            sys.exit(f"not regenerating: these blocks raised: {', '.join(failed)}")
        files = run_artifacts(runs)
    for sub in ("notebooks", "outputs", "curves", "charts"):
        shutil.rmtree(GENERATED / sub, ignore_errors=True)
    write(files)
    write({f"charts/{stem}.html": chart_html(stem, GENERATED / f"curves/{stem}.csv") for stem in CHART_SPECS})

    if not args.skip_seed_study:
        write({"seed_study.json": dumps(run_seed_study())})
    write({"seed_study.md": seed_study_table(seed_study_results())})


if __name__ == "__main__":
    main()
