"""How often does each model learn, seed by seed? python snippets/seed_study.py (minutes) prints JSON:
what `python tests/regenerate.py` writes to docs/generated/seed_study.json and makes the seeds page's table of."""
# --8<-- [start:imports]
import json
import sys

import lightning as L
import torch

from lightning_lstm import LightningLSTM
from lstm_by_hand import LSTMbyHand
from plain_loop import fit
# --8<-- [end:imports]

# --8<-- [start:study]
SEEDS = [*range(20), 42]
INPUTS = torch.tensor([[0., 0.5, 0.25, 1.], [1., 0.5, 0.25, 1.]])
LABELS = torch.tensor([0., 1.])
MODELS = {"手搓 LSTM（5000 轮）": (LSTMbyHand, 5000), "nn.LSTM（300 轮）": (LightningLSTM, 300)}


def learned(a, b):
    """Company A within 0.1 of 0 and Company B within 0.1 of 1."""
    return abs(a) < 0.1 and abs(b - 1) < 0.1


def run_seed(model_class, epochs, seed):
    L.seed_everything(seed, verbose=False)
    model = fit(model_class(), INPUTS, LABELS, epochs)
    with torch.no_grad():
        a, b = (model(x).item() for x in INPUTS)
    return {"seed": seed, "A": round(a, 4), "B": round(b, 4), "learned": learned(a, b)}
# --8<-- [end:study]


# --8<-- [start:main]
def study():
    return {name: [run_seed(cls, epochs, seed) for seed in SEEDS] for name, (cls, epochs) in MODELS.items()}


if __name__ == "__main__":
    json.dump(study(), sys.stdout, ensure_ascii=False, indent=1)
# --8<-- [end:main]
