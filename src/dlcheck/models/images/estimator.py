"""The image networks as scikit-learn classifiers: they take uint8 images (n, channels, h, w),
train with AdamW, a learning rate halved on plateaus, early stopping on an inner split and
augmentation by small shifts (and flips when asked), and sit in a Pipeline like every model."""

from __future__ import annotations

import time

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted
from torch.nn import functional as F

from dlcheck.devices import resolve_device
from dlcheck.models.training import TensorSet, heads, predict_heads, train_module
from dlcheck.models.validation import validation_split

ARCHITECTURES = ("cnn", "resnet", "pretrained")
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
MIN_PRETRAINED_SIZE = 32
"""A pretrained ResNet halves an image five times: smaller images are upscaled to this."""


PIXELS_PER_BATCH = 2048 * 28 * 28
"""Pixels predicted at once: 2,048 MNIST-sized images, 41 of 224 x 224 in colour, so that the
activations held stay bounded whatever --image-size is."""


def images_per_batch(X: np.ndarray) -> int:
    return max(1, PIXELS_PER_BATCH // int(np.prod(X.shape[1:])))


def channel_statistics(X: np.ndarray, chunk: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of each channel's pixels (0..1), accumulated in float64
    over chunks of images, so that no float copy of the whole training set is made."""
    total = np.zeros(X.shape[1])
    squares = np.zeros(X.shape[1])
    for begin in range(0, len(X), chunk):
        part = X[begin:begin + chunk].astype(np.float64) / 255.0
        total += part.sum(axis=(0, 2, 3))
        squares += (part ** 2).sum(axis=(0, 2, 3))
    count = len(X) * X.shape[2] * X.shape[3]
    mean = total / count
    std = np.sqrt(np.maximum(squares / count - mean ** 2, 0.0))
    return mean.astype(np.float32), np.maximum(std, 1e-3).astype(np.float32)


def shift_batch(batch: TensorSet, generator: torch.Generator, max_shift: int,
                flip: bool) -> TensorSet:
    """Each image moved by up to `max_shift` pixels in each direction (a random crop of the
    image padded with zeros), and mirrored left-right with probability 1/2 when `flip`."""
    (x,) = batch.inputs
    n, _, h, w = x.shape
    if max_shift:
        padded = F.pad(x, (max_shift,) * 4)
        offsets = torch.randint(0, 2 * max_shift + 1, (n, 2), generator=generator)
        x = torch.stack([padded[i, :, dy:dy + h, dx:dx + w]
                         for i, (dy, dx) in enumerate(offsets.tolist())])
    if flip:
        mirrored = torch.rand(n, generator=generator) < 0.5
        x = torch.where(mirrored[:, None, None, None], x.flip(-1), x)
    return TensorSet((x,), batch.y)


class PixelScaling(torch.nn.Module):
    """The network's first layer: uint8 (or 0..255 float) pixels to standardised floats, grey
    images repeated to three channels and small ones upscaled for a pretrained ResNet. Inside
    the network, so that a training set stays uint8 in memory (a quarter of float32) and every
    caller (predictions, gradients, probes) feeds the same pixels."""

    def __init__(self, mean, std, rgb: bool = False) -> None:
        super().__init__()
        self.register_buffer("mean", torch.tensor(np.asarray(mean), dtype=torch.float32)
                             .view(1, -1, 1, 1))
        self.register_buffer("std", torch.tensor(np.asarray(std), dtype=torch.float32)
                             .view(1, -1, 1, 1))
        self.rgb = rgb

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.float() / 255.0
        if self.rgb:
            if x.shape[1] == 1:
                x = x.expand(-1, 3, -1, -1)
            if x.shape[-1] < MIN_PRETRAINED_SIZE:
                x = F.interpolate(x, size=MIN_PRETRAINED_SIZE, mode="bilinear",
                                  align_corners=False)
        # Not channels-last: 1.5x faster for the CNN on a CPU, but with torch 2.13's CPU build
        # the residual network's backward pass corrupted the heap (free(): invalid next size).
        return (x - self.mean) / self.std


class ImageNetworkClassifier(ClassifierMixin, BaseEstimator):
    """A CNN from scratch, a small residual network, or a pretrained ResNet fine-tuned
    (`architecture`), on uint8 images of shape (n, channels, height, width)."""

    def __init__(self, *, architecture: str = "cnn", channels: int = 32, dropout: float = 0.2,
                 lr: float = 2e-3, weight_decay: float = 5e-4, batch_size: int = 64,
                 max_epochs: int = 100, max_row_passes: int | None = None, patience: int = 8,
                 max_seconds: float | None = None, validation_fraction: float = 0.15,
                 max_shift: int | None = None, augment_flip: bool = False,
                 weights: str | None = None, class_weight: str | None = None,
                 n_threads: int | None = None, device: str = "auto",
                 random_state: int = 0) -> None:
        self.architecture = architecture
        self.channels = channels
        self.dropout = dropout
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.max_row_passes = max_row_passes
        self.patience = patience
        self.max_seconds = max_seconds
        self.validation_fraction = validation_fraction
        self.max_shift = max_shift
        self.augment_flip = augment_flip
        self.weights = weights
        self.class_weight = class_weight
        self.n_threads = n_threads
        self.device = device
        self.random_state = random_state

    def fit(self, X, y, split_groups=None):
        X = self._check_images(X)
        check_classification_targets(y)
        if self.architecture not in ARCHITECTURES:
            raise ValueError(f"unknown architecture {self.architecture!r}")
        if self.architecture == "pretrained" and not self.weights:
            raise ValueError("the pretrained network needs a checkpoint (weights)")
        if self.n_threads:
            torch.set_num_threads(self.n_threads)
        torch.manual_seed(self.random_state)
        generator = torch.Generator().manual_seed(self.random_state)
        device = torch.device(resolve_device(self.device))
        start = time.perf_counter()
        self.classes_, codes = np.unique(y, return_inverse=True)
        self.n_features_in_ = int(np.prod(X.shape[1:]))
        self.image_shape_ = tuple(X.shape[1:])
        y_tensor = torch.from_numpy(codes.astype(np.int64))
        train_idx, valid_idx = validation_split(len(codes), codes, self.validation_fraction,
                                                self.random_state, split_groups)
        self.validation_split_ = "grouped" if split_groups is not None else "random"
        # Per-channel standardisation from the training part only (ImageNet's for weights
        # learnt with it).
        if self.architecture == "pretrained":
            self.mean_, self.std_ = np.array(IMAGENET_MEAN), np.array(IMAGENET_STD)
        else:
            self.mean_, self.std_ = channel_statistics(X[train_idx])
        module = torch.nn.Sequential(
            PixelScaling(self.mean_, self.std_, rgb=self.architecture == "pretrained"),
            self._build_module(X.shape[1], len(self.classes_))).to(
                device)
        data = TensorSet((torch.from_numpy(np.ascontiguousarray(X)),), y_tensor)
        train = data.take(torch.from_numpy(np.asarray(train_idx)))
        loss = self._loss(train.y)
        size = X.shape[-1]
        shift = self.max_shift if self.max_shift is not None else max(1, round(size / 14))
        log = train_module(
            module, train, data.take(torch.from_numpy(np.asarray(valid_idx))),
            train_loss=loss, valid_loss=loss, lr=self.lr, weight_decay=self.weight_decay,
            batch_size=self.batch_size, max_epochs=self._epoch_limit(len(train_idx)),
            patience=self.patience, max_seconds=self.max_seconds, generator=generator,
            device=device, reduce_lr_on_plateau=True,
            augment=lambda batch, g: shift_batch(batch, g, shift, self.augment_flip),
        )
        self.module_ = module.cpu()
        self.training_log_ = log
        self.fit_seconds_ = time.perf_counter() - start
        return self

    def _build_module(self, in_channels: int, n_classes: int) -> torch.nn.Module:
        from dlcheck.models.images import networks

        if self.architecture == "cnn":
            return networks.SmallCNN(in_channels, n_classes, self.channels, self.dropout)
        if self.architecture == "resnet":
            return networks.small_image_resnet(in_channels, n_classes, self.channels,
                                               self.dropout)
        return networks.pretrained_resnet(self.weights, n_classes, self.dropout)

    def _loss(self, y_train: torch.Tensor):
        weight = None
        if self.class_weight == "balanced":
            counts = torch.bincount(y_train, minlength=len(self.classes_)).float().clamp(min=1)
            weight = counts.sum() / (len(counts) * counts)

        def loss(out, y):
            w = None if weight is None else weight.to(out.device)
            return F.cross_entropy(out.flatten(0, 1), y, weight=w)

        return loss

    def _epoch_limit(self, n_train: int) -> int:
        if self.max_row_passes is None:
            return self.max_epochs
        return int(max(1, min(self.max_epochs, np.ceil(self.max_row_passes / n_train))))

    @staticmethod
    def _check_images(X) -> np.ndarray:
        X = np.asarray(X)
        if X.ndim != 4:
            raise ValueError(f"expected images of shape (n, channels, height, width), got "
                             f"{X.shape}")
        return X

    def predict_proba(self, X) -> np.ndarray:
        check_is_fitted(self, "module_")
        X = self._check_images(X)
        if self.n_threads:
            torch.set_num_threads(self.n_threads)
        parts = []
        for begin in range(0, len(X), images_per_batch(X)):
            part = np.ascontiguousarray(X[begin:begin + images_per_batch(X)])
            inputs = TensorSet((torch.from_numpy(part),), torch.zeros(len(part)))
            parts.append(predict_heads(self.module_, inputs, torch.device("cpu")))
        proba = torch.softmax(torch.cat(parts), dim=-1).mean(dim=1).numpy().astype(np.float64)
        return proba / proba.sum(axis=1, keepdims=True)  # float32 softmax, summed in float64

    def predict(self, X) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def input_gradient(self, X, y) -> np.ndarray:
        """d log loss / d pixel (pixels on the 0..255 scale) for each image: the direction an
        adversarial (FGSM) perturbation follows."""
        check_is_fitted(self, "module_")
        X = self._check_images(X)
        codes = torch.from_numpy(np.searchsorted(self.classes_, np.asarray(y)).astype(np.int64))
        gradient = np.zeros(X.shape, dtype=np.float32)
        self.module_.eval()
        step = max(1, images_per_batch(X) // 8)  # autograd keeps the activations
        for begin in range(0, len(X), step):
            part = torch.from_numpy(X[begin:begin + step].astype(np.float32)).requires_grad_(True)
            loss = F.cross_entropy(heads(self.module_(part)).mean(dim=1),
                                   codes[begin:begin + step], reduction="sum")
            [grad] = torch.autograd.grad(loss, [part])
            gradient[begin:begin + len(part)] = grad.numpy()
        return gradient

    @property
    def n_params_(self) -> int:
        check_is_fitted(self, "module_")
        return int(sum(p.numel() for p in self.module_.parameters()))
