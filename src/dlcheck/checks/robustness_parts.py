"""What the robustness check says the same way for every kind of data: how its noise finding
names the noise levels, and two small helpers of its sentences."""

from __future__ import annotations

from dataclasses import dataclass

from dlcheck.benchmark.results import BenchmarkResults, ModelResult
from dlcheck.benchmark.stats import goodness_sign


@dataclass(frozen=True)
class NoiseWording:
    """How the noise finding names its levels and what it advises, for one kind of data."""

    unit: str
    short: str
    evidence: str
    fragile_advice: str
    advice: str


TABLE_NOISE = NoiseWording(
    unit="x each numeric feature's standard deviation", short="std",
    evidence="training standard deviation of each numeric feature",
    fragile_advice="The model leans on fine differences in feature values: check how "
    "precisely the features are measured in production, and prefer a model that keeps its "
    "score under noise (or train with noise augmentation).",
    advice="If production features are noisier than the training data, expect scores like "
    "the noisy ones; prefer the more robust of tied models.")

IMAGE_NOISE = NoiseWording(
    unit="of the pixel range (standard deviation)", short="of the range",
    evidence="standard deviation of the Gaussian pixel noise, as a share of the pixel range "
    "0..255; noisy pixels clipped to it",
    fragile_advice="The model leans on exact pixel values: expect a drop on photos from "
    "another camera, compression or lighting; train with noise augmentation or prefer a model "
    "that keeps its score.",
    advice="If production images are noisier than the training ones (other sensors, "
    "compression), expect scores like the noisy ones.")


def best_of(results: BenchmarkResults, among: dict) -> ModelResult:
    sign = goodness_sign(results.metric.greater_is_better)
    return max((results.get(n) for n in among), key=lambda m: sign * m.mean)


def join_names(names: list[str]) -> str:
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
