"""Scikit-learn estimators around the networks, so that they sit in a Pipeline and share the
folds, metrics and inspection tools of every other model."""

from __future__ import annotations

import time

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data
from torch.nn import functional as F

from dlcheck.devices import resolve_device
from dlcheck.models.batches import VALIDATION_FRACTION, auto_batch_size
from dlcheck.models.tabular.deep.architectures import (
    ARCHITECTURES,
    D_NUM_EMBEDDING,
    MAX_NUM_EMBEDDING_WIDTH,
    MIN_D_NUM_EMBEDDING,
    num_embedding_size,
)
from dlcheck.models.training import (
    PREDICT_ROWS_TIMES_HEADS,
    TensorSet,
    heads,
    predict_heads,
    train_module,
)
from dlcheck.models.validation import validation_split


def torch_device(device: str) -> torch.device:
    """--device as a torch device (dlcheck.devices resolves 'auto')."""
    return torch.device(resolve_device(device))


class _DeepTabularBase(BaseEstimator):
    """A network for tables, trained with AdamW and early stopping.

    X is a float array whose last `n_cat_features` columns hold category codes from an
    OrdinalEncoder (-1 for a category unseen in training); the other columns are numeric and
    already scaled by the pipeline.

    Each numeric input (missing-value indicators included) gets a periodic embedding of 16
    values while n_numeric x 16 <= 2048, i.e. up to 128 numeric inputs; on wider tables the
    embedding narrows so that n_numeric x width stays <= 2048 (4 values at 512 inputs), and
    beyond 512 numeric inputs there is none: the quantile-normalised values enter the first
    layer as they are (`architectures.num_embedding_size`). A 1,000-column table thus gets a
    1,000-wide first layer, not 16,000. After `fit`, `d_num_embedding_` holds the width used
    (0: none) and `input_notes_` says so in words when the bound applied.
    """

    def __init__(
        self,
        *,
        architecture: str = "mlp",
        n_cat_features: int = 0,
        width: int = 256,
        n_blocks: int = 3,
        dropout: float = 0.1,
        k: int = 1,
        frequency_scale: float = 0.1,
        lr: float = 1e-3,
        weight_decay: float = 1e-4,
        batch_size: int | None = None,
        max_epochs: int = 100,
        max_row_passes: int | None = None,
        patience: int = 16,
        max_seconds: float | None = None,
        validation_fraction: float = VALIDATION_FRACTION,
        class_weight: str | None = None,
        n_threads: int | None = None,
        device: str = "auto",
        random_state: int = 0,
    ) -> None:
        self.architecture = architecture
        self.n_cat_features = n_cat_features
        self.width = width
        self.n_blocks = n_blocks
        self.dropout = dropout
        self.k = k
        self.frequency_scale = frequency_scale
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.max_row_passes = max_row_passes
        self.patience = patience
        self.max_seconds = max_seconds
        self.validation_fraction = validation_fraction
        self.class_weight = class_weight
        self.n_threads = n_threads
        self.device = device
        self.random_state = random_state

    # Subclasses define how targets become tensors and outputs become predictions.
    def _encode_target(self, y: np.ndarray) -> tuple[torch.Tensor, int]:
        raise NotImplementedError

    def _losses(self, y_train: torch.Tensor):
        raise NotImplementedError

    def fit(self, X, y, split_groups=None, split_order=None):
        """Train with early stopping on a validation part of (X, y) split as the benchmark's
        folds are: the latest rows by `split_order` (time), whole groups of `split_groups`,
        else at random (stratified for classes). Training stops when the validation loss,
        the very loss the network trains on, has not improved for `patience` epochs."""
        X, y = validate_data(self, X, y, dtype=np.float32, y_numeric=not self._is_classifier())
        if self._is_classifier():
            check_classification_targets(y)
        if self.architecture not in ARCHITECTURES:
            raise ValueError(f"unknown architecture {self.architecture!r}")
        if self.n_threads:
            torch.set_num_threads(self.n_threads)
        torch.manual_seed(self.random_state)
        generator = torch.Generator().manual_seed(self.random_state)
        device = torch_device(self.device)
        start = time.perf_counter()

        y_tensor, d_out = self._encode_target(y)
        data = self._tensors(X, y_tensor)
        n_num = X.shape[1] - self.n_cat_features
        cat_cardinalities = (
            [int(c) + 2 for c in X[:, n_num:].max(axis=0)] if self.n_cat_features else []
        )
        train_idx, valid_idx = self._validation_split(y_tensor, split_groups, split_order)
        self.validation_split_ = ("time" if split_order is not None else
                                  "grouped" if split_groups is not None else "random")
        module = ARCHITECTURES[self.architecture](
            n_num, cat_cardinalities, d_out, width=self.width, n_blocks=self.n_blocks,
            dropout=self.dropout, k=self.k, frequency_scale=self.frequency_scale,
        ).to(device)
        train = data.take(torch.from_numpy(train_idx))
        x_num, x_cat = train.inputs
        if x_cat is not None:
            train.inputs = (x_num, _mark_some_unknown(x_cat, generator))
        train_loss, valid_loss = self._losses(train.y)
        log = train_module(
            module, train, data.take(torch.from_numpy(valid_idx)),
            train_loss=train_loss, valid_loss=valid_loss, lr=self.lr,
            weight_decay=self.weight_decay,
            batch_size=self.batch_size or auto_batch_size(len(train_idx)),
            max_epochs=self._epoch_limit(len(train_idx)), patience=self.patience,
            max_seconds=self.max_seconds,
            generator=generator, device=device,
        )
        self.module_ = module.cpu()
        self.cat_cardinalities_ = cat_cardinalities
        self.training_log_ = log
        self.fit_seconds_ = time.perf_counter() - start
        return self

    def _validation_split(self, y_tensor: torch.Tensor, groups, order) \
            -> tuple[np.ndarray, np.ndarray]:
        """Positions of the rows that train and of those that decide early stopping."""
        codes = y_tensor.numpy() if self._is_classifier() else None
        return validation_split(len(y_tensor), codes, self.validation_fraction,
                                self.random_state, groups, order)

    def _epoch_limit(self, n_train: int) -> int:
        """Epochs allowed: `max_epochs`, fewer when `max_row_passes` runs out first."""
        if self.max_row_passes is None:
            return self.max_epochs
        return int(max(1, min(self.max_epochs, np.ceil(self.max_row_passes / n_train))))

    def _tensors(self, X: np.ndarray, y: torch.Tensor | None = None) -> TensorSet:
        n_num = X.shape[1] - self.n_cat_features
        x_num = torch.from_numpy(np.ascontiguousarray(X[:, :n_num])) if n_num else None
        x_cat = None
        if self.n_cat_features:
            codes = X[:, n_num:].astype(np.int64) + 1  # 0 is kept for unseen categories
            if hasattr(self, "cat_cardinalities_"):
                codes = np.clip(codes, 0, np.asarray(self.cat_cardinalities_) - 1)
            x_cat = torch.from_numpy(codes)
        if y is None:
            y = torch.zeros(len(X))
        return TensorSet((x_num, x_cat), y)

    def _raw_heads(self, X) -> torch.Tensor:
        check_is_fitted(self, "module_")
        X = validate_data(self, X, dtype=np.float32, reset=False)
        if self.n_threads:
            torch.set_num_threads(self.n_threads)
        return predict_heads(self.module_, self._tensors(X), torch.device("cpu"))

    def input_gradient(self, X, y) -> np.ndarray:
        """d loss / d input for each row, the shape of X: the loss is the classifier's
        log loss of the heads' mean probabilities at labels `y`, or the regressor's squared
        error against `y` on its standardised target. Category code columns get 0 (they are
        not continuous). The direction an adversarial (FGSM) perturbation follows."""
        check_is_fitted(self, "module_")
        X = validate_data(self, X, dtype=np.float32, reset=False)
        if self.n_threads:
            torch.set_num_threads(self.n_threads)
        data = self._tensors(X, self._target_tensor(np.asarray(y)))
        gradient = np.zeros(X.shape, dtype=np.float32)
        if data.inputs[0] is None:  # no numeric input to perturb
            return gradient
        self.module_.eval()
        batch_size = max(64, PREDICT_ROWS_TIMES_HEADS // getattr(self.module_, "k", 1))
        for begin in range(0, len(data), batch_size):
            batch = data.take(torch.arange(begin, min(begin + batch_size, len(data))))
            numeric, categories = batch.inputs
            x_num = numeric.clone().requires_grad_(True)
            loss = self._row_losses(heads(self.module_(x_num, categories)), batch.y).sum()
            [grad] = torch.autograd.grad(loss, [x_num])
            gradient[begin:begin + len(batch), :x_num.shape[1]] = grad.numpy()
        return gradient

    def _target_tensor(self, y: np.ndarray) -> torch.Tensor:
        raise NotImplementedError

    def _row_losses(self, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def _is_classifier(self) -> bool:
        return isinstance(self, ClassifierMixin)

    @property
    def d_num_embedding_(self) -> int:
        """Width of each numeric input's embedding in the fitted network, 0 for none. A
        property (not stored), so the pickled model, and its measured size, stay as they were."""
        check_is_fitted(self, "module_")
        n_num = self.n_features_in_ - self.n_cat_features
        return num_embedding_size(n_num) if n_num else 0

    @property
    def input_notes_(self) -> list[str]:
        """The numeric embedding bound in words, when it applied (empty on ordinary tables)."""
        return _input_notes(self.n_features_in_ - self.n_cat_features, self.d_num_embedding_)

    @property
    def n_params_(self) -> int:
        check_is_fitted(self, "module_")
        return int(sum(p.numel() for p in self.module_.parameters()))


def _input_notes(n_num: int, d_embedding: int) -> list[str]:
    """The numeric embedding bound in words, when it applied (empty on ordinary tables)."""
    if not n_num or d_embedding == D_NUM_EMBEDDING:
        return []
    bound = f"inputs x width <= {MAX_NUM_EMBEDDING_WIDTH:,}"
    if d_embedding:
        return [f"numeric embeddings narrowed to {d_embedding} values per input ({n_num:,} "
                f"numeric inputs; {bound})"]
    return [f"no numeric embeddings ({n_num:,} numeric inputs enter as quantile-normalised "
            f"values; embeddings only up to {MAX_NUM_EMBEDDING_WIDTH // MIN_D_NUM_EMBEDDING:,} "
            f"inputs, {bound})"]


UNKNOWN_CATEGORY_SHARE = 0.02


def _mark_some_unknown(codes: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Recode a few training categories as 'unseen' (code 0), so that the network learns a
    representation for categories it will first meet at prediction time."""
    mask = torch.rand(codes.shape, generator=generator) < UNKNOWN_CATEGORY_SHARE
    return codes.masked_fill(mask, 0)


class DeepTabularClassifier(ClassifierMixin, _DeepTabularBase):
    """Classifier; with several heads (TabM) each head is trained and their probabilities
    are averaged."""

    def _encode_target(self, y):
        self.classes_, codes = np.unique(y, return_inverse=True)
        return torch.from_numpy(codes.astype(np.int64)), len(self.classes_)

    def _losses(self, y_train):
        weight = None
        if self.class_weight == "balanced":
            counts = torch.bincount(y_train, minlength=len(self.classes_)).float().clamp(min=1)
            weight = counts.sum() / (len(counts) * counts)

        def train_loss(out, y):
            k = out.shape[1]
            w = None if weight is None else weight.to(out.device)
            return F.cross_entropy(out.flatten(0, 1), y.repeat_interleave(k), weight=w)

        # Early stopping watches the loss being minimised (class weights and heads included):
        # stopping on another loss would pick an epoch the training did not aim at.
        return train_loss, train_loss

    def _target_tensor(self, y):
        return torch.from_numpy(np.searchsorted(self.classes_, y).astype(np.int64))

    def _row_losses(self, out, y):
        k = out.shape[1]
        log_mean = torch.logsumexp(F.log_softmax(out, dim=-1), dim=1) - np.log(k)
        return F.nll_loss(log_mean, y, reduction="none")

    def predict_proba(self, X) -> np.ndarray:
        probs = torch.softmax(self._raw_heads(X), dim=-1).mean(dim=1)
        return probs.numpy().astype(np.float64)

    def predict(self, X) -> np.ndarray:
        proba = self.predict_proba(X)  # checks that the model is fitted
        return self.classes_[proba.argmax(axis=1)]


class DeepTabularRegressor(RegressorMixin, _DeepTabularBase):
    """Regressor on a standardised target; several heads are averaged."""

    def _encode_target(self, y):
        self.y_mean_ = float(np.mean(y))
        self.y_std_ = float(np.std(y)) or 1.0
        scaled = ((y - self.y_mean_) / self.y_std_).astype(np.float32)
        return torch.from_numpy(scaled), 1

    def _losses(self, y_train):
        def train_loss(out, y):
            return F.mse_loss(out[..., 0], y.unsqueeze(1).expand(-1, out.shape[1]))

        return train_loss, train_loss

    def _target_tensor(self, y):
        return torch.from_numpy(((y - self.y_mean_) / self.y_std_).astype(np.float32))

    def _row_losses(self, out, y):
        return (out[..., 0].mean(dim=1) - y) ** 2

    def predict(self, X) -> np.ndarray:
        scaled = self._raw_heads(X)[..., 0].mean(dim=1).numpy().astype(np.float64)
        return scaled * self.y_std_ + self.y_mean_
