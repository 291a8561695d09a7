"""How often pure noise looks like signal: the winner's curse, measured on real fits.

For each simulated pure-noise table (a binary label independent of every feature), the
ladder's models are benchmarked on the same 5 folds in this process, as `assess` does; the
best non-baseline model is picked on those folds and compared with the dummy. The script
prints the share of tables where that comparison claims signal (the lower end of the 95%
interval of the uplift above 0, a one-sided claim at the nominal 2.5%):

- uncorrected: the plain corrected resampled t interval, as if the best model had been chosen
  in advance (dlcheck's former rule);
- corrected: simultaneous over the candidates it was picked from (dlcheck's rule, Hsu 1996);
- permutation: the label-permutation test of that best model (quick budget) gives p < 0.05;
- verdict: both the corrected uplift and the permutation test claim signal, as the verdict
  requires (anything but `no_signal`);

with the number of tables and the binomial standard error of each rate.

    .venv/bin/python benchmarks/null_rate.py                       # 200 tables of 400 rows
    .venv/bin/python benchmarks/null_rate.py --tables 100 --rows 300 --deep
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ for the benchmark helper


def main() -> None:
    from tests.checks._real_benchmark import benchmarked

    from dlcheck._config import BUDGETS
    from dlcheck.benchmark.compare import CLASSICAL
    from dlcheck.benchmark.stats import paired_difference
    from dlcheck.checks.permutation import PermutationTest

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=200)
    parser.add_argument("--rows", type=int, default=400)
    parser.add_argument("--deep", action="store_true", help="add the MLP (slower)")
    args = parser.parse_args()
    models = ("dummy", "linear", "shallow_tree", "random_forest", "lightgbm")
    if args.deep:
        models += ("mlp",)
    budget = replace(BUDGETS["quick"], forest_trees=50, deep_width=32)
    claims = {"uncorrected": 0, "corrected": 0, "permutation": 0, "verdict": 0}
    started = time.perf_counter()
    for seed in range(args.tables):
        rng = np.random.default_rng(seed)
        df = pd.DataFrame(rng.normal(size=(args.rows, 8)), columns=[f"x{i}" for i in range(8)])
        df["y"] = (rng.random(args.rows) < 0.3).astype(int)
        context = benchmarked(df, "y", models=models, budget=budget)
        results = context.results
        best, dummy = results.best(CLASSICAL | {"deep"}), results.best({"baseline"})
        m = len(results.candidates(CLASSICAL | {"deep"}))
        claimed = {}
        for label, n_compared in (("uncorrected", 1), ("corrected", m)):
            gain = paired_difference(results.scores(best.name), results.scores(dummy.name),
                                     results.split.test_train_ratio, True, n_compared)
            claimed[label] = gain.ci_low > 0
        [finding] = PermutationTest().run(context)
        claimed["permutation"] = finding.evidence["p_value"] < 0.05
        claimed["verdict"] = claimed["corrected"] and claimed["permutation"]
        for label, value in claimed.items():
            claims[label] += value
        if (seed + 1) % 25 == 0:
            print(f"  {seed + 1} tables, {time.perf_counter() - started:.0f} s", flush=True)
    n = args.tables
    print(f"Pure noise, {n} tables of {args.rows} rows, {len(models) - 1} candidate models "
          f"({', '.join(models[1:])}), 5 folds; nominal rate of a one-sided claim: 2.5%, "
          "of the permutation test 5%")
    for label, count in claims.items():
        rate = count / n
        print(f"  {label:>11}: {rate:6.1%} of tables claim signal "
              f"(± {np.sqrt(rate * (1 - rate) / n):.1%})")


if __name__ == "__main__":
    main()
