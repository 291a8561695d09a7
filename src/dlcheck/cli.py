"""The command line: a thin Typer layer over `dlcheck.assess`."""

from __future__ import annotations

import json
import os
import signal
import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from dlcheck import __version__
from dlcheck.checks.codes import CHECK_CODES
from dlcheck.data.examples import DEMO_EXAMPLE, EXAMPLES, load_example
from dlcheck.errors import DataError, RunInterrupted, WorkerDied

app = typer.Typer(
    name="dlcheck",
    help="Is deep learning worth it for your table, or is a simpler model all you need? "
         "Benchmarks a ladder from a dummy baseline to deep networks on the same folds and "
         "gives a verdict with reasons.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)


class TaskChoice(StrEnum):
    auto = "auto"
    binary = "binary"
    multiclass = "multiclass"
    regression = "regression"


class BudgetChoice(StrEnum):
    quick = "quick"
    standard = "standard"
    thorough = "thorough"


def _version(value: bool) -> None:
    if value:
        print(f"dlcheck {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """dlcheck: a fair benchmark from dummy to deep, with honest statistics and a verdict."""


@app.command()
def run(
    data: Annotated[Path | None, typer.Argument(
        help="CSV, TSV or Parquet file with one row per example, or a folder of images with "
             "one subfolder per class (PNG, JPEG, BMP). Omit it with --example.",
        show_default=False)] = None,
    target: Annotated[str | None, typer.Option(
        "--target", "-t", help="Name of the column to predict (for a folder of images: the "
        "name the labels go by, default the folder's name).", show_default=False)] = None,
    task: Annotated[TaskChoice, typer.Option(
        help="What kind of prediction: auto detects it from the target column.")]
        = TaskChoice.auto,
    budget: Annotated[BudgetChoice, typer.Option(
        help="How much work: quick (5 folds, short deep training; ~2.5 min on 10k x 20 "
             "with every check), standard (5 folds x 2 repeats), thorough (5 folds x 4 "
             "repeats, long training).")]
        = BudgetChoice.quick,
    time_col: Annotated[str | None, typer.Option(
        help="Column that orders rows in time: folds then train on the past and test on the "
             "future. The column itself is not used as a feature.", show_default=False)] = None,
    gap: Annotated[int, typer.Option(
        help="With --time-col: distinct times left out between each fold's training and test "
             "periods, when a prediction is made some periods ahead of the outcome.")] = 0,
    group_col: Annotated[str | None, typer.Option(
        help="Column of group IDs (patient, customer...): a group never spans train and test. "
             "Not used as a feature.", show_default=False)] = None,
    min_gain: Annotated[float | None, typer.Option(
        help="Smallest gain that makes deep learning worth it, and the gap within which a "
             "simpler model is good enough: absolute on bounded scores (default: 0.01 ROC-AUC, "
             "or a fifth of the best classical model's remaining error 1 - score when that is "
             "smaller), a relative reduction on losses (default 0.02 = 2% of RMSE).",
        show_default=False)] = None,
    explain_required: Annotated[bool, typer.Option(
        "--explain-required", help="Interpretability is a hard requirement: recommend only "
        "models a person can read (linear, shallow tree), or an ensemble or deep model whose "
        "depth-3 surrogate tree agrees with it on >= 90% of test rows (R² >= 0.9 in "
        "regression).")] = False,
    seed: Annotated[int, typer.Option(help="Seed for folds, subsamples and every model.")] = 0,
    skip_check: Annotated[list[str] | None, typer.Option(
        "--skip-check", help="Code of a pitfall check not to run (repeat for several): "
        + ", ".join(CHECK_CODES) + ".", show_default=False)] = None,
    out: Annotated[Path, typer.Option(
        help="Folder that receives report.json, report.html and report.md.")]
        = Path("dlcheck-report"),
    example: Annotated[str | None, typer.Option(
        help="Run on a built-in example data set instead of DATA (see `dlcheck examples`).",
        show_default=False)] = None,
    jobs: Annotated[int | None, typer.Option(
        help="Parallel worker processes (default: one per CPU core).", show_default=False)]
        = None,
    device: Annotated[str, typer.Option(
        help="Where deep models train: auto (CUDA when available), cpu or cuda.")] = "auto",
    resume: Annotated[bool, typer.Option(
        "--resume", help="Go on with the interrupted run in --out: its finished jobs are "
        "reused. A plain rerun does so too; --resume fails (exit 2), saying why, when there "
        "is nothing to resume (no run there, or the data or options changed).")] = False,
    fresh: Annotated[bool, typer.Option(
        "--fresh", help="Fit everything again: discard the finished jobs stored in --out.")]
        = False,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="No progress bar and no tables: only the report files.")]
        = False,
    image_col: Annotated[str | None, typer.Option(
        help="Column of image file paths (relative to the table's folder): the table is then "
             "a set of labelled images, with --target and optionally --group-col.",
        show_default=False)] = None,
    image_size: Annotated[int | None, typer.Option(
        help="Side in pixels that every image is resized to (8..512). Default: the images' "
             "most common size (longer side) within 8..64. An image of another shape is "
             "scaled to fit, aspect ratio kept, and centred on black.",
        show_default=False)] = None,
    augment_flip: Annotated[bool, typer.Option(
        "--augment-flip", help="Let the image networks also train on left-right mirrored "
        "images (off by default: a mirrored digit or letter is another symbol; right for "
        "photos of objects).")] = False,
    weights: Annotated[Path | None, typer.Option(
        help="A pretrained torchvision ResNet checkpoint (.pth, e.g. resnet18-f37072fd.pth) "
             "to fine-tune on images. Default: one in the torch hub cache, if any; nothing is "
             "ever downloaded.", show_default=False)] = None,
) -> None:
    """Assess one table or image set: benchmark the ladder, decide, and write the report.

    Every finished job is saved in OUT/dlcheck-runs.sqlite as it finishes: after Ctrl-C, a
    crash or a lost machine, the same command goes on where the run stopped.
    """
    options: dict = {}
    if example is not None:
        if data is not None:
            _fail("give either DATA or --example, not both.")
        table, example_target = _or_fail(load_example, example)
        source, target = table, target or example_target
        options["data_name"] = f"{example} (example)"
    elif data is None:
        _fail("give a DATA file (or --example NAME; see `dlcheck examples`).")
    elif target is None and not data.is_dir():
        _fail("--target is required: name the column to predict, e.g. --target churn.")
    else:
        source = data
    if image_col is not None or image_size is not None or augment_flip or weights is not None:
        options.update(image_col=image_col, image_size=image_size, augment_flip=augment_flip,
                       weights=weights)
    _assess_and_report(source, target, out=out, quiet=quiet, **options, task=task.value,
                       budget=budget.value, time_col=time_col, gap=gap, group_col=group_col,
                       min_gain=min_gain, explain_required=explain_required, seed=seed,
                       n_jobs=jobs, device=device, skip_checks=tuple(skip_check or ()),
                       resume=resume, fresh=fresh)


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Folder that receives the report.")]
        = Path("dlcheck-report"),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the report files.")]
        = False,
) -> None:
    """The whole job on a real data set that ships with scikit-learn (no download)."""
    example = EXAMPLES[DEMO_EXAMPLE]
    if not quiet:
        err.print(f"[bold]Demo:[/] {example.name}: {example.description} "
                  f"Source: {example.source}.")
    table, target = load_example(DEMO_EXAMPLE)
    _assess_and_report(table, target, out=out, quiet=quiet, budget="quick",
                       data_name=f"{example.name} (example)")


@app.command()
def report(
    run_dir: Annotated[Path, typer.Argument(
        help="Folder of a dlcheck run, holding report.json.", show_default=False)],
    out: Annotated[Path | None, typer.Option(
        help="Where to write the HTML page (default: RUN_DIR/report.html; report.md goes "
             "next to it).", show_default=False)] = None,
) -> None:
    """Render report.html and report.md again from RUN_DIR/report.json."""
    from dlcheck.assessment import Assessment, check_output_dir

    assessment = _or_fail(Assessment.load, run_dir)
    if out is None:
        paths = _or_fail(assessment.save, run_dir, json_too=False)
    else:
        _or_fail(check_output_dir, out.parent)
        out.parent.mkdir(parents=True, exist_ok=True)
        paths = {"html": assessment.save_html(out),
                 "md": assessment.save_markdown(out.with_suffix(".md"))}
    print(f"Report: {paths['html']}  {paths['md']}")


@app.command()
def history(
    run_dir: Annotated[Path, typer.Argument(
        help="Folder of dlcheck runs (the --out of `dlcheck run`).", show_default=False)]
        = Path("dlcheck-report"),
) -> None:
    """List the runs recorded in RUN_DIR: when, how they ended, their verdict and time."""
    from dlcheck.store import read_history

    runs = _or_fail(read_history, run_dir)
    table = Table(title=f"Runs in {run_dir}")
    for col in ("run", "started", "status", "data", "budget", "decision", "recommended",
                "jobs reused / fitted", "time"):
        table.add_column(col, justify="right" if col in ("run", "time") else "left")
    for r in runs:
        options = json.loads(r["options"] or "{}")
        table.add_row(str(r["id"]), _local_time(r["started_at"]), r["status"],
                      r["data_name"] or "", str(options.get("budget", "")),
                      r["decision"] or "", r["recommended_model"] or "",
                      f"{r['jobs_reused']} / {r['jobs_fitted']}",
                      _duration(r["seconds"]))
    Console(width=None if sys.stdout.isatty() else 140).print(table)


def _local_time(stamp: str | None) -> str:
    if not stamp:
        return ""
    return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


@app.command()
def examples() -> None:
    """List the real example data sets available offline."""
    table = Table(title="Examples (run one with: dlcheck run --example NAME)")
    for col in ("name", "kind", "task", "target", "description", "source"):
        table.add_column(col)
    for e in EXAMPLES.values():
        table.add_row(e.name, e.kind, e.task, e.target, e.description, e.source)
    # Piped output gets room for the names instead of Rich's 80 columns (they would wrap).
    Console(width=None if sys.stdout.isatty() else 140).print(table)


class _JobProgress:
    """A progress bar that appears with the first finished job, so that bad input shows only
    its one-line error (none with --quiet). Called at every step of the run, it also stops the
    run for a Ctrl-C that Python swallowed (see `_stop_if_requested`)."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.bar: Progress | None = None
        self.task_id = None

    def __call__(self, what: str, done: int, total: int) -> None:
        _stop_if_requested()
        if self.quiet:
            return
        if self.bar is None:
            self.bar = Progress(TextColumn("[bold blue]{task.description:<28}"), BarColumn(),
                                MofNCompleteColumn(), TimeElapsedColumn(), console=err)
            self.bar.start()
            self.task_id = self.bar.add_task("fitting models", total=total)
        description = "fitted every model" if done == total else what
        self.bar.update(self.task_id, completed=done, total=total, description=description)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def _assess_and_report(source, target: str | None, *, out: Path, quiet: bool, **options) -> None:
    from dlcheck.assessment import check_output_dir
    from dlcheck.pipeline import assess

    _or_fail(check_output_dir, out)
    _stop_if_requested()  # a Ctrl-C that landed in one of the imports above
    progress = _JobProgress(quiet)

    def log(message: str) -> None:
        if not quiet:
            err.print(message, highlight=False, markup=False, soft_wrap=True)

    try:
        assessment = _or_fail(assess, source, target, progress=progress, run_dir=out, log=log,
                              **options)
    except RunInterrupted as stop:
        if progress is not None:
            progress.close()
        _say_interrupted(f"interrupted: running models were stopped; {stop.saved_jobs} "
                         f"finished jobs are saved in {stop.store_path}. Run the same command "
                         "again to go on from there.")
        raise typer.Exit(130) from None
    except KeyboardInterrupt:
        if progress is not None:
            progress.close()
        _say_interrupted("interrupted before any model was fitted: run the same command again.")
        raise typer.Exit(130) from None
    finally:
        if progress is not None:
            progress.close()
    paths = _or_fail(assessment.save, out)
    if not quiet:
        from dlcheck.report.terminal import print_summary

        # Piped output gets a width that fits the ladder table instead of Rich's 80 columns.
        console = Console() if sys.stdout.isatty() else Console(width=130)
        print_summary(assessment.report, console)
        console.print(f"Report: {paths['json']}  {paths['html']}  {paths['md']}")


def _or_fail(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except DataError as exc:
        _fail(exc.for_command_line())


def _fail(message: str) -> None:
    err.print(f"error: {message}", highlight=False, markup=False, soft_wrap=True)
    raise typer.Exit(2)


_MAIN_PID = os.getpid()
_interrupt_said = False


def _say_interrupted(message: str) -> None:
    """Tell the user once that the run was interrupted, and what is kept."""
    global _interrupt_said
    if not _interrupt_said:
        _interrupt_said = True
        err.print(message, highlight=False, markup=False, soft_wrap=True)


_stop_requested = False


def _interrupt(signum, frame) -> None:
    """SIGINT and SIGTERM in the main process: stop as cleanly as on Ctrl-C, and remember it.

    Python ignores an exception raised while it runs some callbacks (a module lock's weakref
    callback during an import prints "Exception ignored" and goes on): a Ctrl-C landing there
    would be lost and the run would go on. `_stop_if_requested` raises it again at the next
    step of the run."""
    global _stop_requested
    if os.getpid() != _MAIN_PID:  # a forked child inherited this handler
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        signal.signal(signum, signal.SIG_DFL)  # SIGTERM: just end
        os.kill(os.getpid(), signum)
        return
    _stop_requested = True
    raise KeyboardInterrupt


def _stop_if_requested() -> None:
    if _stop_requested:
        raise KeyboardInterrupt


def main() -> None:
    global _MAIN_PID
    _MAIN_PID = os.getpid()
    signal.signal(signal.SIGTERM, _interrupt)
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:  # a background job ignores it
        signal.signal(signal.SIGINT, _interrupt)
    try:
        app()
    except KeyboardInterrupt:
        _say_interrupted("interrupted: no report was written.")
        sys.exit(130)
    except SystemExit as exc:
        # Typer turns a Ctrl-C outside our handlers (parsing, imports) into a silent exit 130.
        if exc.code == 130:
            _say_interrupted("interrupted: no report was written.")
        raise
    except WorkerDied as exc:
        err.print(f"error: {exc.for_command_line()}", highlight=False, markup=False, soft_wrap=True)
        sys.exit(1)
    except Exception as exc:  # an internal failure: exit 1, short message, no traceback wall
        err.print(f"internal error: {type(exc).__name__}: {exc}. Please report it with the "
                  "command you ran.", highlight=False, markup=False, soft_wrap=True)
        sys.exit(1)
