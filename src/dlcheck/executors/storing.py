"""The run store's executor: jobs already finished in the store are answered from it, the
others run on any inner executor and are recorded as each finishes, so that an interrupted
run resumes where it stopped."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from dlcheck.executors.base import Executor

if TYPE_CHECKING:
    from dlcheck.benchmark.jobs import Job, JobResult
    from dlcheck.store import RunStore


class StoringExecutor:
    """An Executor that answers the jobs already finished from the store, runs the others on
    an inner executor, and records each as it finishes."""

    def __init__(self, inner: Executor, store: RunStore) -> None:
        self.inner = inner
        self.store = store

    @property
    def n_workers(self) -> int:
        return self.inner.n_workers

    def map(self, fn: Callable[[Job], JobResult], jobs: Sequence[Job]) -> Iterator[JobResult]:
        by_key = {job.key: job for job in jobs}
        stored = self.store.finished(by_key)
        for key, result in stored.items():
            if result.predictions is not None and result.test_index is None:
                result.test_index = by_key[key].fold.test  # saved without it: see below
            yield result
        todo = [job for key, job in by_key.items() if key not in stored]
        for result in self.inner.map(fn, todo):
            test = by_key[result.key].fold.test
            # The test rows are the fold's own: not stored again with every job (half the
            # store's size on large tables).
            if result.test_index is not None and np.array_equal(result.test_index, test):
                self.store.save(replace(result, test_index=None))
            else:
                self.store.save(result)
            yield result

    def close(self) -> None:
        if hasattr(self.inner, "close"):
            self.inner.close()

    @property
    def threads_per_job(self) -> int:
        from dlcheck.executors.base import threads_per_job

        return threads_per_job(self.inner)
