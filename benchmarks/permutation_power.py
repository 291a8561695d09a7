"""Power and cost of the permutation test's sequential rule, and its power on real refits.

Part 1, the Monte Carlo rule itself (no model fitted): for a true p-value p, each shuffle
scores at least as well as the real labels with probability p. The script simulates the
test's stopping rule (Besag & Clifford 1991: stop at h = ceil(0.05 n) shuffles as good, else
after n) and, beside it, a fixed test with 20 shuffles (dlcheck's former design), and prints
for each true p the share of runs with p < 0.05 and the mean number of shuffles drawn.

Part 2, the whole check on real refits: pure-noise tables and tables with a weak signal
(the label depends on x0 with the given strength), benchmarked with the ladder's dummy,
linear and LightGBM models on 5 folds, then `PermutationTest` at the quick budget's
design; it prints the share of tables with p < 0.05 (false positives on noise, power on the
signal) and the mean number of shuffles drawn.

    .venv/bin/python benchmarks/permutation_power.py                  # both parts
    .venv/bin/python benchmarks/permutation_power.py --tables 40 --rows 400
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ for the benchmark helper


def sequential(p_true: float, n_max: int, rng: np.random.Generator, alpha: float = 0.05) \
        -> tuple[float, int]:
    """(p-value, shuffles drawn) of one run of the sequential rule."""
    h = max(1, math.ceil(alpha * n_max))
    as_good = 0
    for drawn in range(1, n_max + 1):
        as_good += rng.random() < p_true
        if as_good >= h:
            return as_good / drawn, drawn
    return (as_good + 1) / (n_max + 1), n_max


def fixed(p_true: float, n: int, rng: np.random.Generator) -> float:
    return (rng.binomial(n, p_true) + 1) / (n + 1)


def monte_carlo_rule(runs: int) -> None:
    rng = np.random.default_rng(0)
    print(f"Part 1: the stopping rule, {runs:,} simulated runs per true p")
    print(f"{'true p':>8} {'fixed 20: p<.05':>16} {'seq. 99: p<.05':>15} {'shuffles':>9} "
          f"{'seq. 199: p<.05':>16} {'shuffles':>9}")
    for p_true in (0.001, 0.005, 0.01, 0.02, 0.04, 0.05, 0.1, 0.3, 0.5):
        f20 = np.mean([fixed(p_true, 20, rng) < 0.05 for _ in range(runs)])
        s99 = [sequential(p_true, 99, rng) for _ in range(runs)]
        s199 = [sequential(p_true, 199, rng) for _ in range(runs)]
        print(f"{p_true:>8g} {f20:>16.1%} {np.mean([p < 0.05 for p, _ in s99]):>15.1%} "
              f"{np.mean([d for _, d in s99]):>9.1f} "
              f"{np.mean([p < 0.05 for p, _ in s199]):>16.1%} "
              f"{np.mean([d for _, d in s199]):>9.1f}")


def _table(n: int, strength: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    logit = strength * X[:, 0]
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(6)])
    df["y"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return df


def real_refits(tables: int, rows: int, strengths: list[float]) -> None:
    from tests.checks._real_benchmark import benchmarked

    from dlcheck._config import BUDGETS
    from dlcheck.checks.permutation import PermutationTest

    budget = BUDGETS["quick"]
    print(f"\nPart 2: the check on real refits, {tables} tables of {rows} rows per strength "
          f"(dummy, linear, LightGBM; quick budget: at most {budget.n_permutations} shuffles)")
    print(f"{'strength':>9} {'p<.05':>7} {'mean p':>7} {'shuffles':>9} {'s/table':>8}")
    for strength in strengths:
        significant, ps, drawn = 0, [], []
        started = time.perf_counter()
        for seed in range(tables):
            context = benchmarked(_table(rows, strength, seed), "y",
                                  models=("dummy", "linear", "lightgbm"),
                                  budget=replace(budget, max_epochs=8))
            [finding] = PermutationTest().run(context)
            p = finding.evidence["p_value"]
            ps.append(p)
            drawn.append(finding.evidence["n_permutations"])
            significant += p < 0.05
        print(f"{strength:>9g} {significant / tables:>7.1%} {np.mean(ps):>7.3f} "
              f"{np.mean(drawn):>9.1f} {(time.perf_counter() - started) / tables:>8.1f}",
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20_000, help="simulated runs per true p")
    parser.add_argument("--tables", type=int, default=30, help="real tables per strength")
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--strengths", type=float, nargs="*", default=[0.0, 0.3, 0.5])
    parser.add_argument("--skip-real", action="store_true", help="part 1 only")
    args = parser.parse_args()
    monte_carlo_rule(args.runs)
    if not args.skip_real:
        real_refits(args.tables, args.rows, args.strengths)


if __name__ == "__main__":
    main()
