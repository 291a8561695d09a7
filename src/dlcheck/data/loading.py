"""Read a user's table from a file, with errors that say what to do."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from dlcheck.errors import DataError

_SEPARATORS = {".csv": ",", ".tsv": "\t", ".tab": "\t"}
_PARQUET = {".parquet", ".pq"}
_FORMATS_HINT = "dlcheck reads CSV, TSV and Parquet files"


def load_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV, TSV or Parquet file into a DataFrame.

    Raises DataError, with a message that says what to do, when the file is missing, empty,
    unreadable or cannot be parsed.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"file not found: {path}. Check the path (run `dlcheck examples` "
                        "to try a built-in data set).")
    if path.is_dir():
        raise DataError(f"{path} is a folder, not a file: give the path of a CSV, TSV or "
                        "Parquet file.")
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror}. Check the file's permissions.") \
            from None
    if size == 0:
        raise DataError(f"{path} is empty: give a file with a header row and data rows.")

    suffix = path.suffix.lower()
    if suffix in _PARQUET or head.startswith(b"PAR1"):
        df = _read_parquet(path)
    else:
        df = _read_delimited(path, head, _SEPARATORS.get(suffix))
        sniffed = _sniff_separator(head)
        if df.shape[1] == 1 and sniffed != _SEPARATORS.get(suffix):
            # A ".csv" written with semicolons (common with decimal commas) or tabs.
            df = _read_delimited(path, head, sniffed)
    if df.shape[1] == 0:
        raise DataError(f"{path} has no columns: {_FORMATS_HINT} with a header row.")
    if len(df) == 0:
        raise DataError(f"{path} has a header but no data rows.")
    return df


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for corrupt files
        raise DataError(f"could not parse {path} as Parquet ({_short(exc)}); "
                        f"{_FORMATS_HINT}.") from None


def _read_delimited(path: Path, head: bytes, sep: str | None) -> pd.DataFrame:
    if b"\x00" in head:
        raise DataError(f"{path} looks like a binary file, not a table: {_FORMATS_HINT}.")
    if sep is None:
        sep = _sniff_separator(head)
    last_error: Exception | None = None
    # utf-8-sig strips a byte-order mark; Latin-1 accepts any byte, so it goes last.
    for encoding in ("utf-8-sig", "latin-1"):
        try:
            return pd.read_csv(path, sep=sep, encoding=encoding, low_memory=False)
        except UnicodeDecodeError as exc:
            last_error = exc
            continue
        except pd.errors.EmptyDataError:
            raise DataError(f"{path} has no header row and no data: give a table with a "
                            "header row.") from None
        except (pd.errors.ParserError, ValueError) as exc:
            raise DataError(f"could not parse {path} ({_short(exc)}); {_FORMATS_HINT}: check "
                            "the delimiter and quoting.") from None
    raise DataError(f"could not decode {path} ({_short(last_error)}); save it as UTF-8.")


def _sniff_separator(head: bytes) -> str:
    text = head.decode("utf-8", errors="replace")
    try:
        return csv.Sniffer().sniff(text, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _short(exc: BaseException | None) -> str:
    text = str(exc).strip().splitlines()[0] if exc and str(exc).strip() else type(exc).__name__
    return text[:160]
