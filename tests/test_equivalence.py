"""Hand-made LSTM == nn.LSTM, the shape table holds on real tensors, and the seed study re-checks."""
from __future__ import annotations

import json
import re

import pytest
import torch
import torch.nn as nn

import seed_study
from book import DOCS, GENERATED, seed_study_results
from lstm_by_hand import LSTMbyHand
from weight_mapping import copy_hand_weights

INPUTS = torch.tensor([[0., 0.5, 0.25, 1.], [1., 0.5, 0.25, 1.]])


def assert_same_predictions(hand: LSTMbyHand):
    builtin = copy_hand_weights(hand, nn.LSTM(input_size=1, hidden_size=1))
    assert sum(p.numel() for p in hand.parameters()) == 12
    assert sum(p.numel() for p in builtin.parameters()) == 16
    with torch.no_grad():
        for company, x in zip("AB", INPUTS):
            a, b = hand(x).item(), builtin(x.view(4, 1))[0][-1].item()
            assert abs(a - b) < 1e-6, f"Company {company}: hand-made {a}, nn.LSTM {b}"


@pytest.mark.parametrize("seed", range(5))
def test_random_weights_agree(seed):
    torch.manual_seed(seed)
    assert_same_predictions(LSTMbyHand())


@pytest.mark.parametrize("checkpoint", ["after_2000", "after_5000"])
def test_trained_weights_agree(checkpoint):
    hand = LSTMbyHand()
    weights = json.loads((GENERATED / "weights.json").read_text(encoding="utf-8"))[checkpoint]
    hand.load_state_dict({k: torch.tensor(v) for k, v in weights.items()})
    assert_same_predictions(hand)


@pytest.mark.parametrize("lstm", [nn.LSTM(2, 1), nn.LSTM(1, 2), nn.LSTM(1, 1, num_layers=2),
                                  nn.LSTM(1, 1, bidirectional=True)], ids=repr)
def test_mapping_rejects_other_shapes(lstm):
    before = {k: v.clone() for k, v in lstm.state_dict().items()}
    with pytest.raises(ValueError, match="nn.LSTM"):
        copy_hand_weights(LSTMbyHand(), lstm)
    assert all(torch.equal(before[k], v) for k, v in lstm.state_dict().items()), "weights changed before refusing"


SHAPE_ROWS = re.compile(r"^\| (不带 batch|带 batch（默认）|`batch_first=True`) \|(.+)\|$", re.M)


def test_shape_table_symbols_hold_for_other_sizes():
    """The table's symbolic shapes, checked where no two sizes coincide: nn.LSTM(3, 5), L=4, N=2."""
    sizes = {"L": 4, "N": 2, "H_in": 3, "H_out": 5}
    rows = SHAPE_ROWS.findall((DOCS / "nn-lstm.md").read_text(encoding="utf-8"))
    assert [label for label, _ in rows] == ["不带 batch", "带 batch（默认）", "`batch_first=True`"], rows
    for label, cells in rows:
        symbolic = [tuple(int(d) if d.isdigit() else sizes[d] for d in re.findall(r"\w+", c.split("=")[0]))
                    for c in cells.split("|")]
        batch_first = label == "`batch_first=True`"
        lstm = nn.LSTM(sizes["H_in"], sizes["H_out"], batch_first=batch_first)
        output, (h_n, c_n) = lstm(torch.randn(symbolic[0]))
        actual = [symbolic[0], tuple(output.shape), tuple(h_n.shape), tuple(c_n.shape)]
        assert symbolic == actual, f"row {label}: the table says {symbolic}, nn.LSTM(3, 5) gives {actual}"


def test_shape_table_matches_the_tensors(runs):
    """Each row of the page's shape table is what chapter 3 printed for real tensors."""
    page = (DOCS / "nn-lstm.md").read_text(encoding="utf-8")
    rows = SHAPE_ROWS.findall(page)
    printed = runs["nn-lstm"].text(runs["nn-lstm"].cell_for("chapter3.py:shapes")).splitlines()
    assert len(rows) == 3 and len(printed) == 3
    for (_, cells), line in zip(rows, printed):
        table = [tuple(map(int, re.findall(r"\d+", c.split("=")[-1]))) for c in cells.split("|")]
        shown = [tuple(map(int, re.findall(r"\d+", s))) for s in re.findall(r"\(([\d, ]+)\)", line)]
        assert table == shown, f"table row {cells!r} disagrees with the tensors: {line!r}"


def test_plain_loop_gives_lightnings_numbers(runs):
    """Chapter 3 retrains chapter 2's model without Lightning and prints the same predictions."""
    lightning = runs["lstm-by-hand"].text(runs["lstm-by-hand"].cell_for("chapter2.py:check-resumed"))
    plain = runs["nn-lstm"].text(runs["nn-lstm"].cell_for("chapter3.py:retrain-hand"))
    numbers = lambda text: re.findall(r"tensor\((-?[\d.]+)\)", text)  # noqa: E731
    assert numbers(lightning) == numbers(plain) and len(numbers(plain)) == 2, (lightning, plain)


def recheck_cases():
    """One seed that converges and one that gets stuck, of nn.LSTM: its 300 epochs take a second."""
    builtin = list(seed_study.MODELS)[1]
    rows = seed_study_results()[builtin]
    converged = next(r for r in rows if r["learned"] and r["seed"] != 42)
    stuck = next(r for r in rows if not r["learned"])
    return [pytest.param(builtin, converged, id=f"converges-seed{converged['seed']}"),
            pytest.param(builtin, stuck, id=f"stuck-seed{stuck['seed']}")]


@pytest.mark.parametrize("model, expected", recheck_cases())
def test_seed_study_rechecks(model, expected):
    cls, epochs = seed_study.MODELS[model]
    result = seed_study.run_seed(cls, epochs, expected["seed"])
    assert result["learned"] == expected["learned"]
    assert result["A"] == pytest.approx(expected["A"], abs=2e-3) and result["B"] == pytest.approx(expected["B"], abs=2e-3)
    if not result["learned"]:
        assert abs(result["A"] - 0.5) < 0.05 and abs(result["B"] - 0.5) < 0.05, "expected to be stuck near 0.5"


def test_committed_study_is_what_the_study_code_runs():
    """The models, seeds and verdicts of seed_study.json are those of snippets/seed_study.py today."""
    how_to_fix = "rerun the study: python tests/regenerate.py"
    study = seed_study_results()
    assert list(study) == list(seed_study.MODELS), f"seed_study.json has models {list(study)}; {how_to_fix}"
    for model, rows in study.items():
        _, epochs = seed_study.MODELS[model]
        assert f"{epochs} 轮" in model, f"{model}: the name no longer says its {epochs} epochs; {how_to_fix}"
        assert [r["seed"] for r in rows] == seed_study.SEEDS, f"{model}: seeds differ from SEEDS; {how_to_fix}"
        wrong = [r["seed"] for r in rows if r["learned"] != seed_study.learned(r["A"], r["B"])]
        assert not wrong, f"{model}: seeds {wrong} have verdicts that learned() no longer gives; {how_to_fix}"


def test_stuck_runs_sit_near_one_half():
    """The page says the runs that do not learn predict about 0.5 for both companies."""
    stuck = [r for rows in seed_study_results().values() for r in rows if not r["learned"]]
    assert stuck and all(abs(r["A"] - 0.5) < 0.1 and abs(r["B"] - 0.5) < 0.1 for r in stuck), stuck


def test_seeds_page_prose_matches_the_study():
    page = (DOCS / "seeds.md").read_text(encoding="utf-8")
    said = re.search(r"手搓 LSTM 有 (\d+) 次学会、(\d+) 次没学会，`nn.LSTM` 有 (\d+) 次学会、(\d+) 次没学会", page)
    counts = []
    for rows in seed_study_results().values():
        learned = sum(r["learned"] for r in rows)
        counts += [learned, len(rows) - learned]
    assert said and list(map(int, said.groups())) == counts, (said and said.groups(), counts)


def test_seed_42_of_the_study_is_the_chapters_run(runs):
    """The study's seed-42 rows (plain loop) are the chapters' Lightning runs, to the printed digits, and
    both learn, as the seeds page says."""
    hand, builtin = seed_study.MODELS
    printed = {hand: runs["lstm-by-hand"].text(runs["lstm-by-hand"].cell_for("chapter2.py:check-resumed")),
               builtin: runs["nn-lstm"].text(runs["nn-lstm"].cell_for("chapter3.py:check"))}
    for model, text in printed.items():
        row = next(r for r in seed_study_results()[model] if r["seed"] == 42)
        a, b = (float(x) for x in re.findall(r"tensor\(\[?(-?[\d.e+-]+)\]?\)", text))
        assert row["learned"], f"{model}: seed 42 did not learn in the study"
        assert abs(row["A"] - a) <= 1e-4 and abs(row["B"] - b) <= 1e-4, (model, row, text)
