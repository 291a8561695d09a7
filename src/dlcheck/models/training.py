"""One training loop for every network of every kind of data: AdamW, mini-batches, early
stopping on an inner validation split, and a wall-clock limit so that a fit never outruns its
budget. A network takes the tensors of a `TensorSet` as the positional inputs of its forward."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from dlcheck.deadlines import check_deadline

MIN_RELATIVE_IMPROVEMENT = 1e-4
"""A validation loss must improve by more than this share of the best so far to count
(skorch's default threshold)..."""

MIN_IMPROVEMENT_OF_FIRST = 1e-3
"""... and by more than this share of the first epoch's loss: on a separable table the loss
creeps towards 0 by a few percent an epoch for hundreds of epochs, improvements far below
what a validation part of a few hundred rows can tell from noise."""


def min_improvement(reference: float, first_loss: float) -> float:
    """The smallest drop of the validation loss below `reference` that counts as progress."""
    return max(MIN_RELATIVE_IMPROVEMENT * abs(reference), MIN_IMPROVEMENT_OF_FIRST *
               abs(first_loss), 1e-7)


@dataclass
class TrainingLog:
    epochs: int
    best_epoch: int
    best_val_loss: float
    stopped_by: str  # "early_stopping" | "max_epochs" | "time_limit"
    seconds: float
    steps: int = 0
    """Optimizer steps taken: a step's fixed cost, apart from its rows, is what a small
    table's fit mostly pays (ModelSpec.step_work)."""


@dataclass
class TensorSet:
    """What a network takes, as the positional tensors of its forward (None where a kind of
    input is absent: a table without categories), and the targets."""

    inputs: tuple[torch.Tensor | None, ...]
    y: torch.Tensor

    def __len__(self) -> int:
        return len(self.y)

    def take(self, idx: torch.Tensor) -> TensorSet:
        return TensorSet(tuple(None if t is None else t[idx] for t in self.inputs), self.y[idx])


FUSED_OPTIMIZER_DEVICES = frozenset({"cpu", "cuda"})
"""Devices whose fused AdamW kernel this torch has (one kernel a parameter tensor)."""


def fused_where_supported(device: torch.device) -> dict[str, bool]:
    """AdamW's fused implementation where it exists: the same update rule, in one kernel
    per parameter tensor instead of about ten operations each. On a CPU the default runs
    them one by one from Python, and on a few hundred rows (batches of 32) that optimizer
    step was 2 to 3 of a step's 6 to 8 ms."""
    return {"fused": True} if device.type in FUSED_OPTIMIZER_DEVICES else {}


def heads(output: torch.Tensor) -> torch.Tensor:
    """(batch, d_out) or (batch, k, d_out) -> (batch, k, d_out)."""
    return output.unsqueeze(1) if output.ndim == 2 else output


def train_module(
    module: nn.Module,
    train: TensorSet,
    valid: TensorSet,
    *,
    train_loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    valid_loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    lr: float,
    weight_decay: float,
    batch_size: int,
    max_epochs: int,
    patience: int,
    max_seconds: float | None,
    generator: torch.Generator,
    device: torch.device,
    augment: Callable[[TensorSet, torch.Generator], TensorSet] | None = None,
    reduce_lr_on_plateau: bool = False,
) -> TrainingLog:
    """Train in place; on return the module holds the weights of its best validation epoch.
    `augment` transforms each training batch (images: small shifts), never the validation
    rows. With `reduce_lr_on_plateau` the learning rate halves when the validation loss has
    not improved for half the patience, so that a stall is first met with smaller steps."""
    optimizer = torch.optim.AdamW(module.parameters(), lr=lr, weight_decay=weight_decay,
                                  **fused_where_supported(device))
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimizer, factor=0.5, patience=max(1, patience // 2)) if reduce_lr_on_plateau else None
    best_loss, best_epoch, best_state = float("inf"), 0, copy.deepcopy(module.state_dict())
    # Patience counts from the last improvement that matters (see `min_improvement`); the
    # weights kept are those of the lowest validation loss all the same.
    reference, reference_epoch, first_loss = float("inf"), 0, None
    stopped_by = "max_epochs"
    start = time.perf_counter()
    deadline = start + max_seconds if max_seconds is not None else float("inf")
    epoch = steps = 0
    for epoch in range(1, max_epochs + 1):
        module.train()
        order = torch.randperm(len(train), generator=generator)
        for begin in range(0, len(order), batch_size):
            check_deadline()  # the job's hard limit, wherever the job runs
            if time.perf_counter() > deadline:
                break
            idx = order[begin:begin + batch_size]
            if len(idx) < 2 and len(order) > 1:
                continue  # normalisation layers need more than one row
            batch = train.take(idx)
            if augment is not None:
                batch = augment(batch, generator)
            batch = _to(batch, device)
            optimizer.zero_grad(set_to_none=True)
            loss = train_loss(heads(module(*batch.inputs)), batch.y)
            loss.backward()
            optimizer.step()
            steps += 1
        val_loss = valid_loss(predict_heads(module, valid, device), valid.y)
        val = float(val_loss)
        first_loss = val if first_loss is None else first_loss
        if scheduler is not None:
            scheduler.step(val)
        if val < best_loss:
            best_loss, best_epoch = val, epoch
            best_state = copy.deepcopy(module.state_dict())
        if reference_epoch == 0 or val < reference - min_improvement(reference, first_loss):
            reference, reference_epoch = val, epoch
        elif epoch - reference_epoch >= patience:
            stopped_by = "early_stopping"
            break
        if time.perf_counter() > deadline:
            stopped_by = "time_limit"
            break
    module.load_state_dict(best_state)
    module.eval()
    return TrainingLog(epochs=epoch, best_epoch=best_epoch, best_val_loss=best_loss,
                       stopped_by=stopped_by, seconds=time.perf_counter() - start,
                       steps=steps)


PREDICT_ROWS_TIMES_HEADS = 2048
"""Rows x heads per prediction batch: bounds the activations held at once (each row expands to
k heads of embedded features), so that predicting a large test fold stays cheap in memory."""


@torch.no_grad()
def predict_heads(module: nn.Module, data: TensorSet, device: torch.device) -> torch.Tensor:
    """Outputs of every head for every row, on the CPU: (n, k, d_out)."""
    module.eval()
    k = getattr(module, "k", 1)
    batch_size = max(64, PREDICT_ROWS_TIMES_HEADS // k)
    outputs = []
    for begin in range(0, len(data), batch_size):
        idx = torch.arange(begin, min(begin + batch_size, len(data)))
        batch = _to(data.take(idx), device)
        outputs.append(heads(module(*batch.inputs)).float().cpu())
    return torch.cat(outputs)


def _to(data: TensorSet, device: torch.device) -> TensorSet:
    if device.type == "cpu":
        return data
    return TensorSet(tuple(None if t is None else t.to(device, non_blocking=True)
                           for t in data.inputs), data.y.to(device, non_blocking=True))
