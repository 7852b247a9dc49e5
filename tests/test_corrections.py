"""Corrections the pages make to the post hold when run: the post's training_step only takes batch size 1."""
from __future__ import annotations

import lightning as L
import pytest
from torch.utils.data import DataLoader, TensorDataset

from lightning_lstm import LightningLSTM
from lstm_by_hand import LSTMbyHand
from seed_study import INPUTS, LABELS


@pytest.mark.parametrize("model", [LSTMbyHand, LightningLSTM])
def test_training_step_fails_at_self_log_with_batch_size_2(model):
    """lstm-by-hand.md and nn-lstm.md: with batch_size=2 the loss is not one number and self.log refuses it."""
    trainer = L.Trainer(max_epochs=1, logger=False, enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    with pytest.raises(ValueError, match="must have a single element"):
        trainer.fit(model(), DataLoader(TensorDataset(INPUTS, LABELS), batch_size=2))
