"""The task every chapter trains on (two companies' four days) and reading what a chapter printed of it."""
from __future__ import annotations

import re

import torch

INPUTS = torch.tensor([[0., 0.5, 0.25, 1.], [1., 0.5, 0.25, 1.]])
LABELS = torch.tensor([0., 1.])
PREDICTION = re.compile(r"Company ([AB]): Observed = \d, Predicted =\s+tensor\(\[?(-?[\d.e+-]+)\]?\)")


def predictions(run, target: str) -> dict[str, float]:
    """Company A's and B's predictions as the block showing `target` printed them."""
    text = run.text_for(target)
    found = {company: float(value) for company, value in PREDICTION.findall(text)}
    assert set(found) == {"A", "B"}, f"{run.page}.md, {target}: no predictions for both companies in\n{text}"
    return found
