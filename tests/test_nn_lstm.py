"""Chapter nn-lstm: nn.LSTM learns in 300 epochs, the shape table holds on real tensors, and the hand-made
LSTM is nn.LSTM."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
import torch
import torch.nn as nn

import artifacts
from models import LSTMbyHand
from pages import DOCS, GENERATED
from task import INPUTS, predictions
from weight_mapping import copy_hand_weights

PAGE = (DOCS / "nn-lstm.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def curve(runs) -> list[dict]:
    """The chapter's logged curve, read once from its TensorBoard files."""
    return list(csv.DictReader(io.StringIO(artifacts.curves_csv(runs["nn-lstm"]))))


def test_learns_in_300_epochs(runs, curve):
    """The post's 300 epochs (the last logged point is epoch 300), and both companies within 0.05."""
    assert int(curve[-1]["epoch"]) == 300, curve[-1]
    p = predictions(runs["nn-lstm"], "nn-lstm.py:check")
    assert abs(p["A"]) < 0.05 and abs(p["B"] - 1) < 0.05, p


def test_the_curves_caption_is_the_curve(curve):
    """The caption: both predictions wait near 0.5 for most of the run (more than half of the epochs within
    0.05 of it), then part quickly (from the last such epoch to both within 0.05 of their labels in under a
    sixth of the run)."""
    rows = [(int(r["epoch"]), float(r["out_0"]), float(r["out_1"])) for r in curve]
    epochs = rows[-1][0]
    waiting = [e for e, a, b in rows if abs(a - 0.5) < 0.05 and abs(b - 0.5) < 0.05]
    learned = next(e for e, a, b in rows if e > waiting[-1] and abs(a) < 0.05 and abs(b - 1) < 0.05)
    assert len(waiting) == len({e for e in waiting}), "one point per epoch"
    assert len(waiting) > epochs / 2 and learned - waiting[-1] < epochs / 6, (len(waiting), waiting[-1], learned)
    assert "两家公司的预测先在 0.5 附近停了大半程" in PAGE and "然后迅速分开" in PAGE


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


@pytest.mark.parametrize("checkpoint", [0, 1])
def test_trained_weights_agree(checkpoint):
    hand = LSTMbyHand()
    weights = json.loads((GENERATED / "weights.json").read_text(encoding="utf-8"))["checkpoints"][checkpoint]["weights"]
    hand.load_state_dict({k: torch.tensor(v) for k, v in weights.items()})
    assert_same_predictions(hand)


@pytest.mark.parametrize("lstm", [nn.LSTM(2, 1), nn.LSTM(1, 2), nn.LSTM(1, 1, num_layers=2),
                                  nn.LSTM(1, 1, bidirectional=True)], ids=repr)
def test_mapping_rejects_other_shapes(lstm):
    before = {k: v.clone() for k, v in lstm.state_dict().items()}
    with pytest.raises(ValueError, match="nn.LSTM"):
        copy_hand_weights(LSTMbyHand(), lstm)
    assert all(torch.equal(before[k], v) for k, v in lstm.state_dict().items()), "weights changed before refusing"


SHAPE_ROWS = re.compile(r"^\| (没有批维度|有批维度（默认）|`batch_first=True`) \|(.+)\|$", re.M)


def test_shape_table_symbols_hold_for_other_sizes():
    """The table's symbolic shapes, checked where no two sizes coincide: nn.LSTM(3, 5), L=4, N=2."""
    sizes = {"L": 4, "N": 2, "H_in": 3, "H_out": 5}
    rows = SHAPE_ROWS.findall(PAGE)
    assert [label for label, _ in rows] == ["没有批维度", "有批维度（默认）", "`batch_first=True`"], rows
    for label, cells in rows:
        symbolic = [tuple(int(d) if d.isdigit() else sizes[d] for d in re.findall(r"\w+", c.split("=")[0].replace("`", "")))
                    for c in cells.split("|")]
        batch_first = label == "`batch_first=True`"
        lstm = nn.LSTM(sizes["H_in"], sizes["H_out"], batch_first=batch_first)
        output, (h_n, c_n) = lstm(torch.randn(symbolic[0]))
        actual = [symbolic[0], tuple(output.shape), tuple(h_n.shape), tuple(c_n.shape)]
        assert symbolic == actual, f"row {label}: the table says {symbolic}, nn.LSTM(3, 5) gives {actual}"


def test_shape_table_matches_the_tensors(runs):
    """Each row of the page's shape table is what the chapter printed for real tensors."""
    rows = SHAPE_ROWS.findall(PAGE)
    printed = runs["nn-lstm"].text_for("nn-lstm.py:shapes").splitlines()
    assert len(rows) == 3 and len(printed) == 3
    for (_, cells), line in zip(rows, printed):
        table = [tuple(map(int, re.findall(r"\d+", c.split("=")[-1]))) for c in cells.split("|")]
        shown = [tuple(map(int, re.findall(r"\d+", s))) for s in re.findall(r"\(([\d, ]+)\)", line)]
        assert table == shown, f"table row {cells!r} disagrees with the tensors: {line!r}"


def test_plain_loop_gives_lightnings_numbers(runs):
    """The chapter retrains the hand-made model without Lightning for chapter lstm-by-hand's first 2000 epochs
    and prints that chapter's numbers after them."""
    lightning = runs["lstm-by-hand"].text_for("lstm-by-hand.py:check-trained")
    plain = runs["nn-lstm"].text_for("nn-lstm.py:retrain-hand")
    numbers = lambda text: re.findall(r"tensor\((-?[\d.]+)\)", text)  # noqa: E731
    assert numbers(lightning) == numbers(plain) and len(numbers(plain)) == 2, (lightning, plain)
