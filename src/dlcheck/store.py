"""The run store: every finished job of a run, written at once to SQLite in the output folder.

A rerun into the same folder with the same inputs (data, options that change what is fitted,
seed, dlcheck version) reuses the jobs already finished there, so an interrupted run costs only
the jobs that were running. Changed inputs start afresh and say what changed. The store also
keeps one row per run for `dlcheck history`.

SQLite in WAL mode with one transaction per job: a process killed at any moment leaves every
finished job readable and no half-written one. Only the main process writes; a lock file keeps
two runs from writing to one folder at once.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import pickle
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dlcheck.benchmark.jobs import JobResult
from dlcheck.errors import DataError

STORE_NAME = "dlcheck-runs.sqlite"
LOCK_NAME = ".dlcheck-runs.lock"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    inputs TEXT NOT NULL,
    options TEXT NOT NULL,
    data_name TEXT,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    status TEXT NOT NULL,
    jobs_reused INTEGER NOT NULL DEFAULT 0,
    jobs_fitted INTEGER NOT NULL DEFAULT 0,
    decision TEXT,
    recommended_model TEXT,
    seconds REAL
);
CREATE TABLE IF NOT EXISTS jobs (
    fingerprint TEXT NOT NULL,
    key TEXT NOT NULL,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    finished_at TEXT NOT NULL,
    result BLOB NOT NULL,
    PRIMARY KEY (fingerprint, key)
);
"""

_INPUT_NAMES = {"data": "the data", "target": "--target", "task": "--task",
                "budget": "--budget", "time_col": "--time-col", "gap": "--gap",
                "group_col": "--group-col",
                "seed": "--seed", "device": "the device", "dlcheck_version": "dlcheck's version",
                "work_model": "the way work is counted"}


@dataclass(frozen=True)
class Fingerprint:
    """What a run's jobs depend on. Options that only change the verdict or the checks chosen
    (--min-gain, --explain-required, --skip-check) are left out: changing them reuses every
    fitted job."""

    inputs: dict[str, Any]

    @property
    def digest(self) -> str:
        text = json.dumps(self.inputs, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def changes_from(self, earlier: dict[str, Any]) -> list[str]:
        """What differs from an earlier run's inputs, in words."""
        out = []
        for key, name in _INPUT_NAMES.items():
            before, now = earlier.get(key), self.inputs.get(key)
            if before == now:
                continue
            if key == "data":
                out.append("the data changed")
            elif key == "budget":
                was = before.get("name") if isinstance(before, dict) else before
                out.append(f"--budget changed ({was} -> {now.get('name')})"
                           if was != now.get("name") else "the budget's settings changed")
            else:
                out.append(f"{name} changed ({before} -> {now})")
        return out


@dataclass(frozen=True)
class RunStart:
    run_id: int
    reusable: int
    """Finished jobs of earlier runs with the same fingerprint, available for reuse."""
    fresh_reason: str | None
    """Why earlier jobs are not reused (None when there were none, or they are)."""
    resumed_from: str | None
    """When the run whose jobs are reused started."""


class RunStore:
    """One output folder's runs and finished jobs."""

    def __init__(self, folder: str | os.PathLike) -> None:
        self.folder = Path(folder)
        self.path = self.folder / STORE_NAME
        self._lock = None
        self._db: sqlite3.Connection | None = None
        self.fingerprint: str | None = None
        self.run_id: int | None = None
        self.reused = 0
        self.fitted = 0

    # -- opening and closing ---------------------------------------------------------------

    def open(self) -> RunStore:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = open(self.folder / LOCK_NAME, "a+")  # noqa: SIM115 (held for the run)
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            self._lock = None
            raise DataError(f"another dlcheck run is writing to {self.folder}: wait for it to "
                            "finish or choose another <out>.") from None
        try:
            self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL survives a killed process; only a power cut can lose the
            # last jobs, never corrupt the file.
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            elif version != SCHEMA_VERSION:
                self.close()
                raise DataError(f"{self.path} was written by another version of dlcheck: "
                                "delete it or choose another <out>.")
        except sqlite3.DatabaseError as exc:
            self.close()
            raise DataError(f"{self.path} is not a readable run store ({exc}): delete it or "
                            "choose another <out>.") from None
        # Runs left 'running' were killed: nobody else holds the lock.
        self._db.execute("UPDATE runs SET status = 'killed' WHERE status = 'running'")
        return self

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._lock is not None:
            self._lock.close()  # releases the lock
            self._lock = None

    def __enter__(self) -> RunStore:
        return self.open()

    def __exit__(self, *exc) -> None:
        self.close()

    # -- runs ------------------------------------------------------------------------------

    def begin_run(self, fingerprint: Fingerprint, options: dict[str, Any], data_name: str,
                  *, fresh: bool = False, resume: bool = False) -> RunStart:
        """Record a new run and decide what it may reuse.

        `fresh` discards earlier jobs; `resume` insists on reusing them and raises DataError,
        saying why, when there is nothing to resume.
        """
        db = self._connection()
        digest = fingerprint.digest
        last = db.execute("SELECT fingerprint, inputs, started_at FROM runs "
                          "ORDER BY id DESC LIMIT 1").fetchone()
        reusable = db.execute("SELECT COUNT(*) FROM jobs WHERE fingerprint = ?",
                              (digest,)).fetchone()[0]
        reason = resumed_from = None
        if resume and fresh:
            raise DataError("<resume> and <fresh> contradict each other: choose one.")
        if resume and not reusable:
            if last is None:
                why = f"no earlier run is recorded in {self.folder}"
            elif last[0] != digest:
                why = _changed_since(fingerprint, last)
            else:
                why = "the earlier run finished no job"
            raise DataError(f"nothing to resume: {why}. Run without <resume> to start afresh.")
        if fresh and reusable:
            reason = "--fresh was given"
            reusable = 0
        elif last is not None and not reusable and last[0] != digest:
            reason = _changed_since(fingerprint, last)
        elif reusable:
            resumed_from = _local(db.execute(
                "SELECT MIN(r.started_at) FROM runs r JOIN jobs j ON j.run_id = r.id "
                "WHERE j.fingerprint = ?", (digest,)).fetchone()[0])
        with _transaction(db):
            # One run's jobs are kept: the folder holds the latest assessment, and the store
            # stays the size of one run.
            if fresh:
                db.execute("DELETE FROM jobs")
            else:
                db.execute("DELETE FROM jobs WHERE fingerprint != ?", (digest,))
            cursor = db.execute(
                "INSERT INTO runs (fingerprint, inputs, options, data_name, started_at, status) "
                "VALUES (?, ?, ?, ?, ?, 'running')",
                (digest, json.dumps(fingerprint.inputs, sort_keys=True, default=str),
                 json.dumps(options, sort_keys=True, default=str), data_name, _now()))
        self.fingerprint, self.run_id = digest, cursor.lastrowid
        return RunStart(self.run_id, reusable, reason, resumed_from)

    def end_run(self, status: str, *, decision: str | None = None,
                recommended_model: str | None = None, seconds: float | None = None) -> None:
        db = self._connection()
        with _transaction(db):
            db.execute("UPDATE runs SET status = ?, ended_at = ?, jobs_reused = ?, "
                       "jobs_fitted = ?, decision = ?, recommended_model = ?, seconds = ? "
                       "WHERE id = ?", (status, _now(), self.reused, self.fitted, decision,
                                        recommended_model, seconds, self.run_id))

    # -- jobs ------------------------------------------------------------------------------

    def finished(self, keys: Iterable[str]) -> dict[str, JobResult]:
        """The stored results among these job keys."""
        db = self._connection()
        keys = list(keys)
        out: dict[str, JobResult] = {}
        for start in range(0, len(keys), 500):  # SQLite's limit on bound parameters
            chunk = keys[start:start + 500]
            rows = db.execute(
                f"SELECT key, run_id, result FROM jobs WHERE fingerprint = ? AND key IN "
                f"({', '.join('?' * len(chunk))})", (self.fingerprint, *chunk))
            for key, run_id, blob in rows:
                out[key] = pickle.loads(blob)
                self.reused += run_id != self.run_id  # not a job this run fitted itself
        return out

    def save(self, result: JobResult) -> None:
        """Record one finished job, in its own transaction."""
        db = self._connection()
        blob = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        with _transaction(db):
            # A plain INSERT: fitting a stored job a second time is a bug, and fails loudly.
            db.execute("INSERT INTO jobs (fingerprint, key, run_id, finished_at, result) "
                       "VALUES (?, ?, ?, ?, ?)",
                       (self.fingerprint, result.key, self.run_id, _now(), blob))
        self.fitted += 1

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError("the run store is not open")
        return self._db


def read_history(folder: str | os.PathLike) -> list[dict[str, Any]]:
    """The runs recorded in a folder, oldest first, read without taking the run lock."""
    path = Path(folder) / STORE_NAME
    if not Path(folder).is_dir():
        raise DataError(f"{folder} is not a folder: give the <out> folder of a dlcheck run.")
    if not path.exists():
        raise DataError(f"no dlcheck runs are recorded in {folder} (no {STORE_NAME}): give the "
                        "<out> folder of a dlcheck run.")
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        db.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in db.execute("SELECT * FROM runs ORDER BY id").fetchall()]
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise DataError(f"{path} is not a readable run store ({exc}).") from None


class _transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any error (the connection autocommits)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, exc, tb) -> None:
        self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")


def _changed_since(fingerprint: Fingerprint, last: tuple) -> str:
    """What changed since the last run (its fingerprint, inputs and start), in words."""
    changes = "; ".join(fingerprint.changes_from(json.loads(last[1])))
    return f"{changes} since the run of {_local(last[2])}"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _local(stamp: str | None) -> str:
    """An ISO UTC time as local time, to the minute."""
    if not stamp:
        return "an unknown time"
    return dt.datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
