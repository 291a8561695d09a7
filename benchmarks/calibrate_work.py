"""The reference rates behind counted work (`ModelSpec.work_rate`), measured on this machine.

dlcheck never reads a clock to choose what to refit: it estimates each fit's cost from what
the fit did (rows, features, trees, epochs) at a fixed rate per model, so that the choice is
the same on every machine. This script fits every ladder model once on a synthetic
10,000 x 20 binary table (`synthetic.wide_table`), on one thread, and prints for each model
the measured CPU seconds, the units of work the fit counted (one fit; 100 trees; one epoch of
a width-128 network, times TabM's heads), the measured seconds per unit and the configured
rate, so that the rates can be checked against a reference machine. Run it on an idle machine:

    .venv/bin/python benchmarks/calibrate_work.py [--rows 10000] [--features 20]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import numpy as np


def main() -> None:
    from threadpoolctl import threadpool_limits

    from dlcheck._config import BUDGETS
    from dlcheck.data import synthetic
    from dlcheck.data.tabular.prepare import prepare
    from dlcheck.models.spec import ModelContext
    from dlcheck.models.tabular.ladder import TABULAR_LADDER as LADDER

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--features", type=int, default=20)
    args = parser.parse_args()
    df, target = synthetic.wide_table(n=args.rows, n_features=args.features)
    prepared = prepare(df, target)
    budget = replace(BUDGETS["quick"], max_rows_slow=10**9)
    context = ModelContext(task=prepared.task, features=prepared.features, budget=budget,
                           n_threads=1, device="cpu")
    train = np.arange(int(0.8 * args.rows))
    X, y = prepared.X.iloc[train], prepared.y[train]
    print(f"{args.rows * 0.8:,.0f} training rows x {X.shape[1]} features, one thread")
    print(f"{'model':>14} {'CPU s':>8} {'units':>7} {'s/unit':>8} {'rate':>7} "
          f"{'measured/rate':>14}")
    for spec in LADDER:
        pipeline = spec.build(context)
        started = time.process_time()
        with threadpool_limits(limits=1):
            pipeline.fit(X, y)
        seconds = time.process_time() - started
        per_unit_rate = spec.work_seconds(len(train), X.shape[1], pipeline[-1]) / spec.work_rate
        scale = (len(train) / 10_000) * (X.shape[1] / 20)
        units = per_unit_rate / scale
        measured = seconds / per_unit_rate
        print(f"{spec.name:>14} {seconds:>8.2f} {units:>7.1f} {measured:>8.3f} "
              f"{spec.work_rate:>7.3f} {measured / spec.work_rate:>14.2f}", flush=True)


if __name__ == "__main__":
    main()
