"""The reference rates behind counted work (`ModelSpec.work_rate`), measured on this machine.

dlcheck never reads a clock to choose what to refit: it estimates each fit's cost from what
the fit did (rows, features, trees, epochs and steps) at a fixed rate per model, so that the
choice is the same on every machine. This script fits every ladder model once on a synthetic
10,000 x 20 binary table (`synthetic.wide_table`), on one thread, and prints for each model
the measured CPU seconds, the reference seconds the fit counted (`ModelSpec.work_seconds`: one
fit, 100 trees, or a network's epochs and steps, at the configured rates) and their ratio, so
that the rates can be checked against a reference machine. Run it on an idle machine:

    .venv/bin/python benchmarks/calibrate_work.py [--rows 10000] [--features 20]

With `--networks` it measures instead what a table network's fit costs beyond its rows: it
fits the MLP and TabM for a fixed number of epochs on tables of 600 to 10,000 rows and 5 to
60 features, fits CPU seconds = epochs x rows x heads x (c0 + c1 x features / 20) + b x
optimizer steps by least squares (rows per 10,000), and prints each model's rate at 20
features (c0 + c1, `ModelSpec.work_rate`), the share of it that does not grow with the
features (`fixed_share`, c0 / (c0 + c1)) and the seconds of one step (`step_work`), beside the
measured and the counted seconds of every fit:

    .venv/bin/python benchmarks/calibrate_work.py --networks
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import numpy as np


def main() -> None:
    from dlcheck._config import BUDGETS
    from dlcheck.data import synthetic
    from dlcheck.data.tabular.prepare import prepare
    from dlcheck.models.spec import ModelContext
    from dlcheck.models.tabular.ladder import TABULAR_LADDER as LADDER

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--networks", action="store_true",
                        help="calibrate the networks' fixed share and step cost instead")
    args = parser.parse_args()
    if args.networks:
        calibrate_networks()
        return
    df, target = synthetic.wide_table(n=args.rows, n_features=args.features)
    prepared = prepare(df, target)
    budget = replace(BUDGETS["quick"], max_rows_slow=10**9)
    context = ModelContext(task=prepared.task, features=prepared.features, budget=budget,
                           n_threads=1, device="cpu")
    train = np.arange(int(0.8 * args.rows))
    X, y = prepared.X.iloc[train], prepared.y[train]
    print(f"{args.rows * 0.8:,.0f} training rows x {X.shape[1]} features, one thread")
    print(f"{'model':>14} {'CPU s':>8} {'counted':>8} {'measured/counted':>17}")
    for spec in LADDER:
        seconds, pipeline = timed_fit(spec, context, X, y, warm_up=True)
        counted = spec.work_seconds(len(train), X.shape[1], pipeline[-1])
        print(f"{spec.name:>14} {seconds:>8.2f} {counted:>8.2f} {seconds / counted:>17.2f}",
              flush=True)

NETWORK_ROWS = (600, 1200, 3000, 10_000)
NETWORK_FEATURES = (5, 20, 60)
NETWORK_EPOCHS = 6


def timed_fit(spec, context, X, y, warm_up: bool):
    """CPU seconds of one fit of `spec` on one thread, and the fitted pipeline; with
    `warm_up` an untimed fit first, since a model's first fit pays its lazy set-up."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        if warm_up:
            spec.build(context).fit(X, y)
        pipeline = spec.build(context)
        started = time.process_time()
        pipeline.fit(X, y)
        return time.process_time() - started, pipeline


def calibrate_networks() -> None:
    """The least-squares fit described in the module's docstring, one thread."""
    from dlcheck._config import BUDGETS
    from dlcheck.data import synthetic
    from dlcheck.data.tabular.prepare import prepare
    from dlcheck.models.spec import ModelContext
    from dlcheck.models.tabular.ladder import TABULAR_LADDER as LADDER

    budget = replace(BUDGETS["quick"], max_rows_slow=10**9, max_epochs=NETWORK_EPOCHS,
                     patience=10**6)
    specs = [s for s in LADDER if s.family == "deep"]
    fits: dict[str, list[tuple[float, float, float, int]]] = {s.name: [] for s in specs}
    print(f"{'model':>6} {'rows':>6} {'features':>8} {'steps':>6} {'CPU s':>7} {'counted':>8}")
    warmed: set[str] = set()
    for n_features in NETWORK_FEATURES:
        df, target = synthetic.wide_table(n=max(NETWORK_ROWS), n_features=n_features)
        prepared = prepare(df, target)
        context = ModelContext(task=prepared.task, features=prepared.features, budget=budget,
                               n_threads=1, device="cpu")
        for n_rows in NETWORK_ROWS:
            X, y = prepared.X.iloc[:n_rows], prepared.y[:n_rows]
            for spec in specs:
                seconds, pipeline = timed_fit(spec, context, X, y,
                                              warm_up=spec.name not in warmed)
                warmed.add(spec.name)
                model = pipeline[-1]
                log = model.training_log_
                # the rows the fit is given, as `work_seconds` counts them
                row_epochs = log.epochs * n_rows * getattr(model, "k", 1) / 10_000
                fits[spec.name].append((seconds, row_epochs, row_epochs * X.shape[1] / 20,
                                        log.steps))
                counted = spec.work_seconds(n_rows, X.shape[1], model)
                print(f"{spec.name:>6} {n_rows:>6} {X.shape[1]:>8} {log.steps:>6} "
                      f"{seconds:>7.2f} {counted:>8.2f}", flush=True)
    print(f"\n{'model':>6} {'rate at 20':>10} {'fixed_share':>11} {'step ms':>8} "
          f"{'configured rate / share / step ms':>34}")
    for spec in specs:
        rows = np.array(fits[spec.name])
        design = rows[:, 1:4]  # row-epochs (per 10,000), row-epochs x features / 20, steps
        (c0, c1, b), *_ = np.linalg.lstsq(design, rows[:, 0], rcond=None)
        rate = c0 + c1  # per 10,000 row-epochs at 20 features
        print(f"{spec.name:>6} {rate:>10.3f} {c0 / rate:>11.2f} {b * 1e3:>8.2f} "
              f"{spec.work_rate:>15.3f} / {spec.fixed_share:.2f} / {spec.step_work * 1e3:.2f}")


if __name__ == "__main__":
    main()
