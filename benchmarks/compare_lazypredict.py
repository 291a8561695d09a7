"""Wall time and peak memory of `dlcheck run --budget quick` against LazyPredict, on real tables.

What it measures. For each table the script runs, one after the other as subprocesses:

- dlcheck: `dlcheck run FILE --target COL --budget quick --quiet --out DIR` (7 models, 5-fold
  cross-validation, the deep models and the verdict), with the `dlcheck` console script beside
  this interpreter (or --dlcheck);
- LazyPredict, the way its README does it: one `train_test_split(X, y, test_size=0.2,
  random_state=SEED)` and `LazyClassifier(verbose=0, ignore_warnings=True, custom_metric=None)`
  (or LazyRegressor) fitted on every default model, no cross-validation. It runs in the Python
  of a separate virtualenv given with --lazypredict-python (LazyPredict is not a dependency of
  dlcheck); without it, LazyPredict is skipped with a message.

For each run it reports the wall time from starting the subprocess to its exit (interpreter
start-up and imports included); the CPU seconds (user + system) of the whole tree (the larger
of what the kernel reports for the reaped tree and the sum of each process's last sampled CPU
time, which can miss a process's last 0.2 s); the peak, over samples taken every 0.2 s from
/proc, of the summed PSS (Pss of /proc/PID/smaps_rollup: shared pages divided among the processes
sharing them, so the memory the tree really needs) and of the summed RSS (shared pages counted
once per process, so an overstatement) over the process and all its descendants (dlcheck's
workers are children of a fork-server child); the number of models scored; and the best model
with its score. Spikes shorter than 0.2 s can be missed. LazyPredict's split is one 80/20
holdout, so its scores are one estimate each while dlcheck's are means over 5 folds: they are
indicative, not a paired test.

The data. `diamonds` (53,940 round-cut diamonds: carat, cut, colour, clarity, depth, table,
price, x, y, z), as shipped by the plotnine package (MIT licence) in plotnine/data/diamonds.csv;
plotnine copies it from the R package ggplot2 (MIT licence), where Hadley Wickham collected it
from the diamond search engine of diamondse.info in 2008. The script takes a seeded sample of
--rows rows (20,000 by default; pandas `DataFrame.sample(random_state=SEED)`) and writes one CSV
per table into --workdir:

- `cut`: multiclass, predict the quality of the cut (Fair ... Ideal, 5 classes) from the other
  9 columns;
- `price`: regression, predict the price in US dollars from the other 9 columns;
- `ideal`: binary, `ideal_cut` = (cut == "Ideal"), from the other 9 columns (not run by
  default).

The CSV is found (in this order) at --diamonds-csv, in a plotnine installed in this interpreter,
or in a plotnine installed beside LazyPredict (its file is located, plotnine is not imported
here). Nothing is downloaded.

How to run it (Linux only: it reads /proc). LazyPredict in its own virtualenv, never in dlcheck's,
which the script makes itself with --make-venv DIR (`python -m venv DIR`, then `pip install
lazypredict lightgbm xgboost-cpu plotnine`: xgboost-cpu is XGBoost without the CUDA libraries the
plain `xgboost` wheel pulls on Linux; the script stops if torch or an nvidia package came along):

    .venv/bin/python benchmarks/compare_lazypredict.py --make-venv /tmp/lpvenv
    .venv/bin/python benchmarks/compare_lazypredict.py --lazypredict-python /tmp/lpvenv/bin/python
    .venv/bin/python benchmarks/compare_lazypredict.py --tables cut --rows 20000 \\
        --diamonds-csv /path/to/diamonds.csv                      # dlcheck only

Each run's line is printed when it finishes, then one aligned comparison table and, per table,
the ratio of dlcheck's wall time to LazyPredict's (the speed issue's goal: at most 1.0). Standard
library, numpy and pandas only; the tools run as subprocesses, one at a time. The measuring code
is shared with bench_quick.py in _measure.py beside this script.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

# The shared measuring code lives beside this script. Run as
# `python benchmarks/compare_lazypredict.py`, Python already puts this folder first on sys.path;
# the insert keeps the import working when the file is loaded some other way (runpy, a test).
sys.path.insert(0, str(Path(__file__).resolve().parent))
import _measure  # noqa: E402

DEFAULT_WORKDIR = Path("/tmp/dlcheck-vs-lazypredict")


@dataclass(frozen=True)
class Table:
    """One prediction problem on the diamonds sample."""

    key: str
    target: str
    task: str  # binary, multiclass or regression
    description: str


TABLES = {
    "cut": Table("cut", "cut", "multiclass", "diamonds cut (5 classes)"),
    "price": Table("price", "price", "regression", "diamonds price"),
    "ideal": Table("ideal", "ideal_cut", "binary", "diamonds cut == Ideal"),
}


# --- the data -----------------------------------------------------------------------------------

_FIND_PLOTNINE = (
    "import importlib.util, pathlib; s = importlib.util.find_spec('plotnine'); "
    "print(pathlib.Path(s.origin).parent / 'data' / 'diamonds.csv' if s and s.origin else '')"
)


def find_diamonds(explicit: Path | None, lazypredict_python: Path | None) -> Path:
    """The path of plotnine's diamonds.csv: given, in this interpreter, or beside LazyPredict."""
    if explicit is not None:
        if not explicit.is_file():
            sys.exit(f"--diamonds-csv {explicit}: no such file")
        return explicit
    spec = importlib.util.find_spec("plotnine")  # locates the package without importing it
    if spec is not None and spec.origin:
        candidate = Path(spec.origin).parent / "data" / "diamonds.csv"
        if candidate.is_file():
            return candidate
    if lazypredict_python is not None and lazypredict_python.exists():
        found = subprocess.run([str(lazypredict_python), "-c", _FIND_PLOTNINE],
                               capture_output=True, text=True, check=False).stdout.strip()
        if found and Path(found).is_file():
            return Path(found)
    sys.exit("diamonds.csv not found: install plotnine (e.g. beside LazyPredict: "
             "`/tmp/lpvenv/bin/pip install plotnine`) or give --diamonds-csv PATH.")


def write_tables(diamonds_csv: Path, keys: list[str], rows: int, seed: int,
                 workdir: Path) -> dict[str, tuple[Path, int, int]]:
    """One CSV per table from a seeded sample of `rows` diamonds: key -> (path, rows, cols)."""
    diamonds = pd.read_csv(diamonds_csv)
    if rows > len(diamonds):
        sys.exit(f"--rows {rows}: diamonds has only {len(diamonds):,} rows")
    sample = diamonds.sample(n=rows, random_state=seed).reset_index(drop=True)
    written: dict[str, tuple[Path, int, int]] = {}
    for key in keys:
        table = sample
        if key == "ideal":
            table = sample.assign(ideal_cut=(sample["cut"] == "Ideal").astype(int))
            table = table.drop(columns=["cut"])
        path = workdir / f"diamonds_{key}_{rows}.csv"
        table.to_csv(path, index=False)
        written[key] = (path, table.shape[0], table.shape[1])
    return written


@dataclass
class Run:
    """One tool on one table."""

    tool: str
    table: Table
    rows: int
    cols: int
    cv: str
    wall_s: float = 0.0
    cpu_s: float = 0.0
    peak_pss_mb: float = 0.0
    peak_rss_mb: float = 0.0
    processes: int = 0
    returncode: int = 0
    models: str = "-"
    best: str = "-"
    common: str = "-"
    verdict: str = ""
    notes: list[str] = field(default_factory=list)

    def cells(self) -> list[str]:
        failed = f"FAILED (exit {self.returncode})" if self.returncode else ""
        return [self.tool, self.table.description, f"{self.rows:,} x {self.cols}", self.cv,
                self.models, f"{self.wall_s:.1f}", f"{self.cpu_s:.0f}",
                f"{self.peak_pss_mb:,.0f}", f"{self.peak_rss_mb:,.0f}", str(self.processes),
                failed or self.best, self.common]


HEADERS = ["tool", "table", "rows x cols", "validation", "models", "wall s", "CPU s",
           "peak PSS MB", "peak RSS MB", "procs", "best model: score", "comparable"]


def measure_into(run: Run, command: list[str], log: Path, timeout: float) -> None:
    """Run `command` measured, its stdout and stderr into `log`, and fill `run` with the figures
    (and, when it failed, a note with the log's tail). Past `timeout` seconds its whole session
    is stopped (return code 124)."""
    with open(log, "wb") as out:
        measured = _measure.run_measured(command, stdout=out, stderr=subprocess.STDOUT,
                                         timeout=timeout)
    run.returncode, run.wall_s, run.cpu_s = measured.returncode, measured.wall_s, measured.cpu_s
    run.peak_pss_mb, run.peak_rss_mb = measured.peak_pss_mb, measured.peak_rss_mb
    run.processes = measured.processes
    if run.returncode:
        tail = log.read_text(encoding="utf-8", errors="replace").strip()[-1500:]
        run.notes.append(f"exit {run.returncode}" + (" (timed out)" if run.returncode == 124
                                                      else "") + f"; log tail:\n{tail}")


# --- dlcheck ------------------------------------------------------------------------------------

def run_dlcheck(dlcheck: Path, table: Table, csv: Path, shape: tuple[int, int], workdir: Path,
                timeout: float) -> Run:
    """`dlcheck run --budget quick --quiet` on one table, measured, with its report read."""
    out = workdir / f"dlcheck_{table.key}"
    log = workdir / f"dlcheck_{table.key}.log"
    command = [str(dlcheck), "run", str(csv), "--target", table.target, "--task", table.task,
               "--budget", "quick", "--quiet", "--out", str(out)]
    run = Run("dlcheck quick", table, *shape, cv="5-fold CV")
    measure_into(run, command, log, timeout)
    report_path = out / "report.json"
    if run.returncode or not report_path.exists():
        return run
    report: dict[str, Any] = json.loads(report_path.read_text(encoding="utf-8"))
    models = report.get("models", [])
    comparison = report.get("comparison", {})
    metric = comparison.get("metric", "?")
    best = next((m for m in models if m["name"] == comparison.get("best_model")), None)
    run.models = str(len(models))
    if best is not None:
        run.best = f"{best['name']}: {metric} {best['mean']:.3f}"
        secondary = best.get("secondary", {})
        if table.task == "regression":
            run.common = f"RMSE {best['mean']:.0f}, R2 {secondary.get('r2', float('nan')):.3f}"
        else:
            run.common = f"bal.acc {secondary.get('balanced_accuracy', float('nan')):.3f}"
    verdict = report.get("verdict", {})
    run.verdict = (f"{verdict.get('decision')}, recommended {verdict.get('recommended_model')} "
                   f"({verdict.get('confidence')} confidence)")
    run.notes.append("means over folds: " + ", ".join(
        f"{m['name']} {m['mean']:.4g}" for m in models))
    timings = report.get("timings", {})
    if timings:
        run.notes.append("stages s: " + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()))
    if report.get("failed_models"):
        run.notes.append(f"failed models: {report['failed_models']}")
    return run


# --- LazyPredict --------------------------------------------------------------------------------

# Runs in LazyPredict's own interpreter: argv = csv, target, task, seed, result.json.
LAZY_DRIVER = r"""
import json, sys, time
import pandas as pd
import sklearn
from sklearn.model_selection import train_test_split
import lazypredict
from lazypredict.Supervised import CLASSIFIERS, REGRESSORS, LazyClassifier, LazyRegressor

csv, target, task, seed, out = sys.argv[1:6]
df = pd.read_csv(csv)
X, y = df.drop(columns=[target]), df[target]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=int(seed))
if task == "regression":
    lazy = LazyRegressor(verbose=0, ignore_warnings=True, custom_metric=None)
    candidates = REGRESSORS
else:
    lazy = LazyClassifier(verbose=0, ignore_warnings=True, custom_metric=None)
    candidates = CLASSIFIERS
started = time.perf_counter()
models, _ = lazy.fit(X_train, X_test, y_train, y_test)
fit_s = time.perf_counter() - started
models = models.reset_index()
json.dump({
    "lazypredict": lazypredict.__version__, "sklearn": sklearn.__version__,
    "train_rows": len(X_train), "test_rows": len(X_test), "fit_s": fit_s,
    "candidates": len(candidates), "errors": {k: repr(v)[:200] for k, v in lazy.errors.items()},
    "scores": json.loads(models.to_json(orient="records")),
}, open(out, "w"))
"""


def run_lazypredict(python: Path, table: Table, csv: Path, shape: tuple[int, int],
                    workdir: Path, seed: int, timeout: float) -> Run:
    """LazyClassifier / LazyRegressor on one 80/20 split of one table, measured."""
    result_path = workdir / f"lazypredict_{table.key}.json"
    log = workdir / f"lazypredict_{table.key}.log"
    result_path.unlink(missing_ok=True)
    command = [str(python), "-c", LAZY_DRIVER, str(csv), table.target, table.task, str(seed),
               str(result_path)]
    run = Run("LazyPredict", table, *shape, cv="one 80/20 split")
    measure_into(run, command, log, timeout)
    if run.returncode or not result_path.exists():
        return run
    result: dict[str, Any] = json.loads(result_path.read_text(encoding="utf-8"))
    scores = result["scores"]
    run.models = f"{len(scores)} of {result['candidates']}"
    if scores:
        best = scores[0]  # LazyPredict's own order: balanced accuracy / adjusted R2
        if table.task == "regression":
            run.best = f"{best['Model']}: adj.R2 {best['Adjusted R-Squared']:.3f}"
            run.common = f"RMSE {best['RMSE']:.0f}, R2 {best['R-Squared']:.3f}"
        else:
            auc = max((s["ROC AUC"] for s in scores if s.get("ROC AUC") is not None),
                      default=float("nan"))
            run.best = f"{best['Model']}: bal.acc {best['Balanced Accuracy']:.3f}"
            run.common = f"bal.acc {best['Balanced Accuracy']:.3f} (best ROC-AUC {auc:.3f})"
        slowest = sorted(scores, key=lambda s: -s["Time Taken"])[:5]
        run.notes.append("slowest models s: " + ", ".join(
            f"{s['Model']} {s['Time Taken']:.1f}" for s in slowest))
    run.notes.append(f"lazypredict {result['lazypredict']}, scikit-learn {result['sklearn']}; "
                     f"{result['train_rows']:,} train / {result['test_rows']:,} test rows; "
                     f"fit() {result['fit_s']:.1f} s")
    if result["errors"]:
        run.notes.append("models that raised: " + ", ".join(sorted(result["errors"])))
    return run


# --- output -------------------------------------------------------------------------------------

def report_run(run: Run) -> None:
    """A finished run as one line of name=value pairs, then its notes."""
    print("done: " + " | ".join(f"{h} {c}" for h, c in zip(HEADERS, run.cells(), strict=True)),
          flush=True)
    if run.verdict:
        print(f"  verdict: {run.verdict}", flush=True)
    for note in run.notes:
        print(f"  {note}", flush=True)


LAZYPREDICT_PACKAGES = ["lazypredict", "lightgbm", "xgboost-cpu", "plotnine"]
"""What --make-venv installs: LazyPredict with the boosting libraries its README's benchmark
lists, XGBoost as its CPU-only wheel, and plotnine for the diamonds data."""


def make_lazypredict_venv(directory: Path) -> Path:
    """A virtualenv at `directory` with LazyPredict (made if absent, installed into if not
    yet there): the path of its Python. Stops if pip brought torch or CUDA packages."""
    python = directory / "bin" / "python"
    if not python.exists():
        print(f"making a virtualenv for LazyPredict in {directory}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(directory)], check=True)
    if subprocess.run([str(python), "-c", "import lazypredict, plotnine"], capture_output=True,
                      check=False).returncode != 0:
        print(f"installing {' '.join(LAZYPREDICT_PACKAGES)} there", flush=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *LAZYPREDICT_PACKAGES],
                       check=True)
    listed = subprocess.run([str(python), "-m", "pip", "list", "--format=freeze"],
                            capture_output=True, text=True, check=True).stdout.lower()
    heavy = [line.split("==")[0] for line in listed.splitlines()
             if line.startswith(("torch==", "nvidia-"))]
    if heavy:
        sys.exit(f"the LazyPredict virtualenv {directory} holds {', '.join(heavy)}: remove them "
                 "(or the virtualenv) so that the comparison runs on the CPU packages alone.")
    return python


def ratios(runs: list[Run]) -> list[str]:
    """Per table run by both tools: dlcheck's wall time over LazyPredict's."""
    lines = []
    for key in dict.fromkeys(r.table.key for r in runs):
        mine = next((r for r in runs if r.table.key == key and r.tool.startswith("dlcheck")
                     and not r.returncode), None)
        theirs = next((r for r in runs if r.table.key == key and r.tool == "LazyPredict"
                       and not r.returncode), None)
        if mine and theirs and theirs.wall_s > 0:
            lines.append(f"{mine.table.description}: dlcheck {mine.wall_s:.1f} s / LazyPredict "
                         f"{theirs.wall_s:.1f} s = {mine.wall_s / theirs.wall_s:.2f}x wall; "
                         f"peak PSS {mine.peak_pss_mb:,.0f} MB / {theirs.peak_pss_mb:,.0f} MB")
    return lines


def dlcheck_script(explicit: Path | None) -> Path:
    """The `dlcheck` console script: given, or installed beside this interpreter."""
    script = explicit or Path(sys.executable).parent / "dlcheck"
    if not script.exists():
        sys.exit(f"no dlcheck console script at {script}: install dlcheck (`make test`) and run "
                 "this with its Python, or give --dlcheck PATH.")
    return script


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--lazypredict-python", type=Path, default=None,
                        help="Python of a virtualenv with lazypredict installed; without it, "
                             "LazyPredict is skipped")
    parser.add_argument("--make-venv", type=Path, default=None, metavar="DIR",
                        help="make (or reuse) a virtualenv with LazyPredict at DIR and use it")
    parser.add_argument("--tables", nargs="+", choices=sorted(TABLES), default=["cut", "price"],
                        help="tables to run (default: cut price)")
    parser.add_argument("--rows", type=int, default=20_000, help="rows sampled (default 20000)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the sample and of LazyPredict's split (default 0)")
    parser.add_argument("--diamonds-csv", type=Path, default=None,
                        help="plotnine's diamonds.csv (default: found in an installed plotnine)")
    parser.add_argument("--dlcheck", type=Path, default=None,
                        help="dlcheck console script (default: beside this interpreter)")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR,
                        help=f"where CSVs, logs and reports go (default {DEFAULT_WORKDIR})")
    parser.add_argument("--timeout", type=float, default=3600,
                        help="seconds before a run is stopped (default 3600)")
    args = parser.parse_args(argv)
    if not Path("/proc/self/smaps_rollup").exists():
        parser.error("this benchmark reads /proc/PID/smaps_rollup: it runs on Linux only")
    if args.rows < 100:
        parser.error("--rows must be at least 100")

    dlcheck = dlcheck_script(args.dlcheck)
    if args.make_venv is not None:
        args.lazypredict_python = make_lazypredict_venv(args.make_venv)
    lazy_python: Path | None = args.lazypredict_python
    skip_lazy = ""
    if lazy_python is None:
        skip_lazy = "no --lazypredict-python given"
    elif not lazy_python.exists():
        skip_lazy = f"{lazy_python} does not exist"
    elif subprocess.run([str(lazy_python), "-c", "import lazypredict"], capture_output=True,
                        check=False).returncode != 0:
        skip_lazy = f"{lazy_python} cannot import lazypredict"
    if skip_lazy:
        print(f"LazyPredict skipped: {skip_lazy}. Run with --make-venv /tmp/lpvenv to install "
              "it in a virtualenv of its own, or pass --lazypredict-python PYTHON.", flush=True)
        lazy_python = None

    args.workdir.mkdir(parents=True, exist_ok=True)
    diamonds = find_diamonds(args.diamonds_csv, lazy_python or args.lazypredict_python)
    tables = write_tables(diamonds, args.tables, args.rows, args.seed, args.workdir)
    print(f"data: {diamonds} -> {args.rows:,}-row sample (seed {args.seed}) in {args.workdir}")
    print(f"python {platform.python_version()} | {len(os.sched_getaffinity(0))} cores | "
          f"memory sampled every {_measure.SAMPLE_SECONDS} s over the process tree", flush=True)

    runs: list[Run] = []
    for key in args.tables:
        csv, rows, cols = tables[key]
        table = TABLES[key]
        runs.append(run_dlcheck(dlcheck, table, csv, (rows, cols), args.workdir, args.timeout))
        report_run(runs[-1])
        if lazy_python is not None:
            runs.append(run_lazypredict(lazy_python, table, csv, (rows, cols), args.workdir,
                                        args.seed, args.timeout))
            report_run(runs[-1])

    print("\nComparison (wall = subprocess start to exit; peak PSS/RSS summed over the process "
          "tree; comparable = balanced accuracy or RMSE/R2 of each tool's best model):")
    print(_measure.format_table(HEADERS, [r.cells() for r in runs]))
    for line in ratios(runs):
        print(line)
    return 0 if all(r.returncode == 0 for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
