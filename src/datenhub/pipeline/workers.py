"""Worker processes for big imports: batches are checked, enriched and merged in parallel while the
importing process reads the input and writes finished batches, in order, in its one transaction.

Workers are forked after the `ImportPlan` is complete, so they inherit it (and the loaded boundaries,
station index and candidates) instead of receiving copies; they never touch the store.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
import os
from collections import deque
from collections.abc import Generator, Iterable
from multiprocessing.connection import Connection
from multiprocessing.pool import AsyncResult
from typing import Any

from datenhub.pipeline.prepare import Batch, ImportPlan, Prepared, prepare_batch, warm

AUTO_MIN_BYTES = 2_000_000  # below this (~8,000 CSV rows) forking costs more than it saves
MAX_AUTO_WORKERS = 4
ENV = "DATENHUB_IMPORT_WORKERS"
LOST_CHECK_S = 0.5  # how often an importer waiting for a batch looks whether a worker died

_PLAN: ImportPlan | None = None  # set just before the pool forks; each worker inherits it


def worker_count(requested: int | None, input_bytes: int) -> int:
    """Explicit request, else $DATENHUB_IMPORT_WORKERS, else one per core for big inputs."""
    if requested is None and os.environ.get(ENV):
        try:
            requested = int(os.environ[ENV])
        except ValueError:
            raise ValueError(f"{ENV} must be a whole number of worker processes, not {os.environ[ENV]!r}") from None
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1  # workers inherit the plan by forking; elsewhere the import runs in one process
    if requested is not None:
        return max(1, requested)
    if input_bytes < AUTO_MIN_BYTES:
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_AUTO_WORKERS))


class WorkerLost(RuntimeError):
    """A worker process ended in the middle of an import (killed, out of memory): the import fails and rolls back
    instead of waiting for a result that never comes."""


class _Pool(multiprocessing.pool.Pool):
    """CPython's pool, with two changes for imports:

    - its worker-handler thread no longer wakes for every result in the pipe. It waits on the result pipe too, and
      so spins while a result of several MB is read from it: 100k places cost ~0.6 s of CPU and thousands of GIL
      hand-overs on the importing process, the import's critical path. It only needs to wake when a worker ends
      (its own sentinels) or the pool changes state (the notifier): no maxtasksperchild here.
    - a worker that dies is noticed (`lost`): CPython's pool starts another and the dead one's batch is never
      answered, so the import would wait for ever.
    """

    def __init__(self, processes: int, context: Any) -> None:
        super().__init__(processes, context=context)
        self.first = list(getattr(self, "_pool", []))  # the workers the plan was forked into

    def _get_sentinels(self) -> list[Connection]:
        notifier = getattr(self, "_change_notifier", None)
        if notifier is None:  # another Python's pool: as it is
            return super()._get_sentinels()  # type: ignore[misc, no-any-return]
        return [notifier._reader]

    def lost(self) -> int | None:
        """The exit code of a worker that ended while the pool ran, if one did."""
        return next((p.exitcode for p in self.first if p.exitcode is not None), None)


def _answer(pool: _Pool, result: AsyncResult[Prepared]) -> Prepared:
    while not result.ready():
        result.wait(LOST_CHECK_S)
        code = pool.lost()
        if code is not None and not result.ready():
            what = f"was killed by signal {-code}" if code < 0 else f"ended with exit code {code}"
            if code == -9:
                what += ", which the kernel's out-of-memory killer sends"
            raise WorkerLost(f"an import worker process {what}; the import was rolled back, nothing of it was kept. "
                             f"If memory is short, import with fewer workers (--workers 1, or {ENV}=1)")
    return result.get()


def _prepare_in_worker(batch: Batch) -> Prepared:
    assert _PLAN is not None, "the import plan is set before the workers fork"
    return prepare_batch(batch, _PLAN)


def prepared_batches(batches: Iterable[Batch], plan: ImportPlan, workers: int) -> Generator[Prepared, None, None]:
    """Prepared batches in input order; with workers > 1, at most 2 per worker are in flight (bounded memory)."""
    if workers <= 1:
        for batch in batches:
            yield prepare_batch(batch, plan)
        return
    global _PLAN
    _PLAN = plan
    # loaded once here (~80 ms: hours engine, boundaries, station index), not again by each worker on its first
    # batch (~75 ms each); the forked workers share those pages instead of holding a copy each
    warm()
    pool = _Pool(workers, context=multiprocessing.get_context("fork"))
    try:
        pending: deque[AsyncResult[Prepared]] = deque()
        for batch in batches:
            pending.append(pool.apply_async(_prepare_in_worker, (batch,)))
            if len(pending) >= 2 * workers:
                yield _answer(pool, pending.popleft())
        while pending:
            yield _answer(pool, pending.popleft())
        pool.close()
    finally:
        pool.terminate()
        pool.join()
        _PLAN = None
