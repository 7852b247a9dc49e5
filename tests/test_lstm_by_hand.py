"""Chapter lstm-by-hand: what the post says its training does, and what the site says about it."""
from __future__ import annotations

import csv
import io
import re

import lightning as L
import pytest
from torch.utils.data import DataLoader, TensorDataset

import artifacts
from models import LightningLSTM, LSTMbyHand
from pages import DOCS, ROOT
from task import INPUTS, LABELS, predictions


def test_only_fair_after_2000_epochs(runs):
    """The post: 发现效果一般. Neither company is within 0.05 of its label yet."""
    p = predictions(runs["lstm-by-hand"], "lstm-by-hand.py:check-trained")
    assert abs(p["A"]) > 0.05 and abs(p["B"] - 1) > 0.05, p


def test_learns_after_resuming(runs):
    """The post: 效果巨好. Company A -> 0, Company B -> 1."""
    p = predictions(runs["lstm-by-hand"], "lstm-by-hand.py:check-resumed")
    assert abs(p["A"]) < 0.05 and abs(p["B"] - 1) < 0.05, p


def test_resume_continues_from_the_last_checkpoint(runs):
    """max_epochs=5000 is a total, and best_model_path (no metric monitored) is the last epoch's checkpoint."""
    run = runs["lstm-by-hand"]
    first, second = (c.name for c in artifacts.checkpoints(run))
    assert first == "epoch=1999-step=4000.ckpt", first
    assert second == "epoch=4999-step=10000.ckpt", second  # 5000 epochs in all, not 2000 + 5000
    before, after = (artifacts.read_scalars(f) for f in artifacts.fits(run))
    assert before[-1]["step"] < 4000 <= after[0]["step"], "the second fit did not start where the first stopped"
    assert f"Restoring states from the checkpoint path at ./lightning_logs/version_0/checkpoints/{first}" \
        in run.text_for("lstm-by-hand.py:resume")


@pytest.mark.parametrize("model", [LSTMbyHand, LightningLSTM])
def test_training_step_only_takes_batch_size_1(model):
    """lstm-by-hand.md and nn-lstm.md: with batch_size=2 the loss is not one number and self.log refuses it."""
    trainer = L.Trainer(max_epochs=1, logger=False, enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    with pytest.raises(ValueError, match="must have a single element"):
        trainer.fit(model(), DataLoader(TensorDataset(INPUTS, LABELS), batch_size=2))


def logged_rows(run) -> list[dict]:
    return list(csv.DictReader(io.StringIO(artifacts.curves_csv(run))))


@pytest.mark.parametrize("page", ["lstm-by-hand", "nn-lstm"])
def test_the_logged_train_loss_is_company_bs_loss(runs, page):
    """Lightning writes the logs on the second batch of an epoch only: every train_loss point on the charts
    is Company B's squared error, (out_1 - 1)^2."""
    rows = logged_rows(runs[page])
    assert len(rows) > 100
    for row in rows:
        assert int(row["step"]) % 2 == 1, f"{page}: a point logged on an epoch's first batch (Company A's): {row}"
        assert float(row["train_loss"]) == pytest.approx((float(row["out_1"]) - 1) ** 2, rel=1e-4, abs=1e-7), row


def test_out_0_is_company_as_output_in_the_same_epoch(runs):
    """The charts draw Company A's loss as out_0^2: out_0 at each logged point is what the model output for
    Company A on that epoch's first step. Checked against the loop Lightning runs, written out (same seed,
    same order, same Adam), for the first 100 epochs."""
    L.seed_everything(42, verbose=False)
    model = LSTMbyHand()
    optimizer = model.configure_optimizers()
    outputs = {}
    for epoch in range(1, 101):
        outputs[epoch] = []
        for x, label in zip(INPUTS, LABELS):
            optimizer.zero_grad()
            output = model(x)
            outputs[epoch].append(output.item())
            ((output - label) ** 2).backward()
            optimizer.step()
    compared = 0
    for row in logged_rows(runs["lstm-by-hand"]):
        a_b = outputs.get(int(row["epoch"]))
        if a_b:
            compared += 1
            assert (float(row["out_0"]), float(row["out_1"])) == pytest.approx(a_b, abs=1e-5), (row, a_b)
    assert compared == 4, "epochs 25, 50, 75 and 100 are logged (every 50 steps)"


def test_logs_a_point_every_25_epochs(runs):
    """The page: with log_every_n_steps=50 and two steps an epoch, a point every 25 epochs."""
    epochs = [int(r["epoch"]) for r in logged_rows(runs["lstm-by-hand"]) if r["fit"] == "1"]
    assert epochs == list(range(25, 2001, 25)), epochs[:5]


def cell_gradients(run) -> dict[str, tuple[float, float]]:
    """Per company, (f_2·f_3·f_4, the full dC_4/dC_1) as section 2.8 printed them."""
    text = run.text_for("lstm-by-hand.py:cell-gradient")
    found = re.findall(r"Company ([AB]): f_2·f_3·f_4 = ([\d.]+)，完整的 ∂C_4/∂C_1 = ([\d.]+)", text)
    assert len(found) == 2, text
    return {company: (float(direct), float(full)) for company, direct, full in found}


def test_the_cell_state_gradient_is_more_than_the_forget_gates(runs):
    """Section 2.8: on the trained model the full dC_4/dC_1 is larger than f_2·f_3·f_4, and above 1."""
    for company, (direct, full) in cell_gradients(runs["lstm-by-hand"]).items():
        assert 0 < direct < 1 and full > direct and full > 1, (company, direct, full)


def test_the_theory_page_quotes_section_2_8(runs):
    """theory.md's correction quotes company A's two numbers from section 2.8's output (within the tolerance
    that another CPU's rounding gets, like the committed output it quotes)."""
    said = re.search(r"公司 A 的 \$f_2 f_3 f_4\$ 是 ([\d.]+)，完整的 \$\\partial C_4 / \\partial C_1\$ 却是 ([\d.]+)",
                     (DOCS / "theory.md").read_text(encoding="utf-8"))
    assert said, "theory.md no longer quotes section 2.8's numbers"
    printed = cell_gradients(runs["lstm-by-hand"])["A"]
    tolerance = artifacts.TOLERANCE
    assert tuple(map(float, said.groups())) == pytest.approx(printed, rel=tolerance["rel"], abs=tolerance["abs_"]), (
        f"theory.md quotes {said.groups()}, section 2.8 printed {printed}")


def test_lightning_and_pytorch_lightning_do_not_mix():
    """Section 2.1: both packages import after `pip install lightning`; a LightningModule of one is refused
    by the other's Trainer."""
    import pytorch_lightning

    trainer = pytorch_lightning.Trainer(max_epochs=1, logger=False, enable_checkpointing=False,
                                        enable_progress_bar=False, enable_model_summary=False)
    with pytest.raises(TypeError, match="must be a .*LightningModule"):
        trainer.fit(LSTMbyHand(), DataLoader(TensorDataset(INPUTS, LABELS)))


def test_the_versions_the_home_page_names_are_the_pinned_ones():
    said = re.search(r"torch ([\d.]+)、Lightning ([\d.]+)", (DOCS / "index.md").read_text(encoding="utf-8"))
    requirements = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    assert said and f"torch=={said[1]}" in requirements and f"lightning=={said[2]}" in requirements, said
