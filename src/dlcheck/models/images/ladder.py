"""The ladder for images, from a dummy baseline to a fine-tuned pretrained ResNet.

Classical rungs see classic features (features.py) fitted inside the fold; deep rungs take
the pixels (estimator.py, networks.py). What the ladder reads of the data is
`context.features`: the images' channels and size, whether flips are allowed, and the
pretrained checkpoint the user has (the pretrained rung is skipped without one).
"""

from __future__ import annotations

from functools import partial

from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from dlcheck.deadlines import lightgbm_deadline
from dlcheck.models.images.features import DownscaledPixels, Flatten, HogFeatures
from dlcheck.models.spec import ModelContext, ModelSpec


def _dummy(c: ModelContext):
    return DummyClassifier(strategy="prior")


def _linear(c: ModelContext):
    return LogisticRegression(max_iter=2000, class_weight=c.class_weight)


def _lightgbm(c: ModelContext):
    import lightgbm

    # 63 bins instead of 255: HOG features are smooth, and with 576 of them and 10 classes the
    # search over bins dominates a fit (MNIST, 3,400 training images, one core: 34 s and
    # accuracy 0.963 with 255 bins, 11 s and 0.962 with 63).
    return lightgbm.LGBMClassifier(class_weight=c.class_weight, n_jobs=c.n_threads,
                                   max_bin=HOG_BINS, random_state=c.random_state, verbose=-1)


HOG_BINS = 63


def _lightgbm_fit_kwargs() -> dict:
    return {"callbacks": [lightgbm_deadline]}


def _network(architecture: str, lr: float, weight_decay: float):
    def build(c: ModelContext):
        from dlcheck.models.images.estimator import ImageNetworkClassifier

        return ImageNetworkClassifier(
            architecture=architecture, channels=image_channels(c.budget),
            lr=lr, weight_decay=weight_decay, max_epochs=c.budget.max_epochs,
            max_row_passes=c.budget.deep_row_passes, patience=c.budget.patience,
            max_seconds=image_seconds_per_fit(c.budget),
            augment_flip=c.features.augment_flip,
            weights=c.features.weights if architecture == "pretrained" else None,
            class_weight=c.class_weight, n_threads=c.n_threads, device=c.device,
            random_state=c.random_state)

    return build


def image_seconds_per_fit(budget) -> float:
    """The safety net of an image network's fit: most of the job's own limit (a fit of a few
    thousand images already takes the minutes a table's network takes for 100,000 rows, so
    the tables' `deep_seconds_per_fit` would cut it short on an ordinary machine). Early
    stopping is what ends training; a fit this net stops is reported as cut short."""
    return 0.8 * budget.job_seconds


def image_channels(budget) -> int:
    """Channels of the first stage of the image networks: deep_width / 16, at least 8 (8 on
    quick, 16 on standard, 32 on thorough): a width-32 CNN trains at 250 images a second on
    one core here, width 8 at 1,200, with the same accuracy on MNIST (0.972 and 0.971 for
    widths 8 and 16 on 2,000 images)."""
    return max(8, budget.deep_width // 16)


def _prep(kind: str, c: ModelContext):
    if kind == "flat":
        return Flatten()
    if kind == "pixels":
        return make_pipeline(DownscaledPixels(), StandardScaler())
    if kind == "hog_scaled":
        return make_pipeline(HogFeatures(), StandardScaler())
    if kind == "hog":
        return HogFeatures()
    return "passthrough"


def _lr(trial, c: ModelContext) -> dict:
    return {"C": trial.suggest_float("C", 1e-4, 1e2, log=True)}


def _gbm_space(trial, c: ModelContext) -> dict:
    from dlcheck.models.tabular.search_spaces import SEARCH_SPACES

    return SEARCH_SPACES["lightgbm"](trial, c)


def _network_space(trial, c: ModelContext) -> dict:
    return {"lr": trial.suggest_float("lr", 3e-4, 1e-2, log=True),
            "weight_decay": trial.suggest_float("weight_decay", 1e-6, 1e-2, log=True),
            "dropout": trial.suggest_float("dropout", 0.0, 0.5)}


# Work rates (`ModelSpec.work_rate`: reference CPU seconds of one unit of work on 10,000 rows
# x 20 inputs; 28 x 28 = 784 pixels count as 39.2 such units), read on one core of the
# reference machine, nothing else running, with 4,000 training images of 28 x 28 (MNIST):
# logistic on pixels 1.0 s, on HOG 2.3 s, LightGBM on HOG 15 s (10 classes, 63 bins; 46 s with
# 255), an epoch of the width-8 CNN 2.4 s and of the ResNet-10 4.0 s (3,400 images trained on,
# the rest validates);
# the pretrained ResNet-18's is estimated from its FLOPs. The networks' are for 8 channels in
# the first stage (the quick budget); wider ones count as (channels / 8) ** 1.3: an epoch of
# 1,200 images on one core, 8 / 16 / 32 channels, took 0.41 / 0.88 / 2.98 s (CNN) and
# 0.79 / 1.47 / 4.60 s (ResNet), 2.2x and 1.9x at 16 (1.3: 2.5x), 7.3x and 5.8x at 32
# (1.3: 6.1x); the square would count 4x and 16x.


def _rung(name, family, description, build, prep, **kwargs) -> ModelSpec:
    return ModelSpec(name, family, description, build, build_preprocessor=partial(_prep, prep),
                     preprocessing=prep, **kwargs)


def _needs_weights(features) -> str | None:
    if features.weights:
        return None
    return ("no pretrained weights were available: pass a torchvision ResNet checkpoint with "
            "--weights FILE (e.g. resnet18-f37072fd.pth, 45 MB, from torchvision's ResNet18 "
            "ImageNet weights) or put it in the torch hub cache; nothing is downloaded")


IMAGE_LADDER: tuple[ModelSpec, ...] = (
    _rung("dummy", "baseline", "predicts the class prior", _dummy, "flat",
          relative_cost=0.1, work_rate=0.0001),
    _rung("linear_pixels", "linear", "logistic regression on standardised pixels, averaged "
          "down to at most 16 x 16", _linear, "pixels", relative_cost=0.5, work_rate=0.064,
          search_space=_lr),
    _rung("hog_linear", "linear", "logistic regression on HOG features (scikit-image)",
          _linear, "hog_scaled", relative_cost=1, work_rate=0.15, search_space=_lr),
    _rung("hog_lightgbm", "ensemble", "gradient-boosted trees (LightGBM defaults, 63 bins a "
          "feature) on HOG features", _lightgbm, "hog", relative_cost=10, work_rate=0.95,
          search_space=_gbm_space, fit_kwargs=_lightgbm_fit_kwargs),
    _rung("cnn", "deep", "CNN from scratch: 3 stages of two 3x3 convolutions with batch "
          "norm (8, 16, 32 channels on quick; 16, 32, 64 standard; 32, 64, 128 thorough), "
          "dropout, AdamW, learning rate halved on plateaus, early stopping, shifts of a few "
          "pixels as augmentation", _network("cnn", 2e-3, 5e-4), "passthrough",
          slow=True, relative_cost=40, work_rate=0.18, reference_width=8, width_exponent=1.3,
          search_space=_network_space),
    _rung("resnet", "deep", "residual network from scratch: torchvision's ResNet with one "
          "basic block per stage (8 to 64 channels on quick, 16 to 128 standard, 32 to 256 "
          "thorough) and a stem for small images, same training",
          _network("resnet", 2e-3, 5e-4), "passthrough", slow=True, relative_cost=50,
          work_rate=0.30, reference_width=8, width_exponent=1.3,
          search_space=_network_space),
    _rung("pretrained_resnet", "deep", "a torchvision ResNet fine-tuned from the pretrained "
          "weights the user has (--weights or the torch hub cache), a new head, the same "
          "training", _network("pretrained", 5e-4, 1e-4), "passthrough", slow=True,
          relative_cost=80, work_rate=20.0, reference_width=None,
          search_space=_network_space, unavailable=_needs_weights),
)

