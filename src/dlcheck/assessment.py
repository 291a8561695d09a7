"""The result of an assessment: the report (report.json's content) and its views, saved and
loaded. `dlcheck.pipeline.assess` makes one."""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from dlcheck.errors import DataError


class Assessment:
    """The result of `assess`: the report dict and its views."""

    def __init__(self, report: dict[str, Any]) -> None:
        self.report = report

    @property
    def verdict(self) -> dict[str, Any]:
        return self.report["verdict"]

    @property
    def findings(self) -> list[dict[str, Any]]:
        return self.report["findings"]

    @property
    def leaderboard(self) -> pd.DataFrame:
        columns = ["name", "family", "mean", "ci_low", "ci_high", "fit_seconds",
                   "predict_ms_per_1k", "size_bytes", "n_params", "train_rows"]
        board = pd.DataFrame(self.report["models"])[columns]
        ascending = not self.report["comparison"]["greater_is_better"]
        board = board.sort_values("mean", ascending=ascending).reset_index(drop=True)
        return board.rename(columns={"mean": self.report["comparison"]["metric"]})

    def to_json(self, indent: int = 2) -> str:
        return json.dumps(self.report, indent=indent, allow_nan=False)

    def to_html(self) -> str:
        from dlcheck.report.html import render_html

        return render_html(self.report)

    def save_html(self, path: str | os.PathLike) -> Path:
        return _write_atomic(Path(path), self.to_html())

    def to_markdown(self) -> str:
        """A short Markdown summary: verdict, reasons, top of the ladder, critical findings."""
        from dlcheck.report.markdown import render_markdown

        return render_markdown(self.report)

    def save_markdown(self, path: str | os.PathLike) -> Path:
        return _write_atomic(Path(path), self.to_markdown())

    def save(self, out_dir: str | os.PathLike, *, json_too: bool = True) -> dict[str, Path]:
        """Write report.json, report.html and report.md into out_dir (created if needed);
        `json_too=False` re-renders the views of an existing report.json only."""
        out = check_output_dir(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {"json": out / "report.json"}
        if json_too:
            _write_atomic(paths["json"], self.to_json())
        paths["html"] = self.save_html(out / "report.html")
        paths["md"] = self.save_markdown(out / "report.md")
        return paths

    @classmethod
    def load(cls, path: str | os.PathLike) -> Assessment:
        """The assessment saved in a report.json (or a folder holding one)."""
        path = Path(path)
        if path.is_dir():
            path = path / "report.json"
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise DataError(f"{path} does not exist: give the folder of a dlcheck run "
                            "(its <out_dir>).") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DataError(f"{path} is not a readable report.json ({exc}): run the "
                            "assessment again.") from None
        missing = [k for k in ("verdict", "models", "comparison", "findings", "dataset")
                   if not isinstance(report, dict) or k not in report]
        if missing:
            raise DataError(f"{path} is not a dlcheck report (no {', '.join(missing)}): run "
                            "the assessment again.")
        return cls(report)

    def _repr_html_(self) -> str:
        """The page inside an iframe, so that its styles and its sorting script stay in it
        and do not restyle the notebook around it."""
        page = html.escape(self.to_html(), quote=True)
        return (f'<iframe srcdoc="{page}" title="dlcheck report" '
                'style="width:100%;height:80vh;border:1px solid #ccc"></iframe>')

    def __repr__(self) -> str:
        v = self.verdict
        return (f"<Assessment {v['decision']} recommended={v['recommended_model']!r} "
                f"confidence={v['confidence']!r}>")


def check_output_dir(out_dir: str | os.PathLike) -> Path:
    """The output folder, or a DataError if it cannot be one: checked before any work."""
    out = Path(out_dir)
    existing = next((p for p in (out, *out.parents) if p.exists()), None)
    if out.exists() and not out.is_dir():
        raise DataError(f"<out_dir> {out} is a file, not a folder: choose another <out_dir>.")
    if existing is not None and (not existing.is_dir() or not os.access(existing, os.W_OK)):
        raise DataError(f"<out_dir> {out}: cannot create or write to it. Choose a writable "
                        "folder.")
    return out


def _write_atomic(path: Path, text: str) -> Path:
    """Write to a temporary file beside `path`, flush it to disk, then rename it over `path`:
    a reader or a crash sees the old file or the new one, never half of one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
