"""Worker processes for ``exemplar import --jobs N``: they parse, normalise and classify batches of
payloads (:mod:`bot.jobs.import_work`) while the importing process screens and stores them in order.

Workers are spawned (no state is inherited from the importing process, so no open database
connection), and ignore Ctrl-C: the importing process stops them.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from types import TracebackType

from bot.classify.catalogue import ToolCatalogue
from bot.errors import ExemplarError
from bot.jobs.import_formats import Payload
from bot.jobs.import_wire import PackedWork, packed_work_on, unpacked
from bot.jobs.import_work import PayloadWork, start_worker


def usable_cpus() -> int:
    """How many CPUs this process may run on (its affinity, where the system tells)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class WorkerDiedError(ExemplarError):
    """A worker process died (killed, out of memory) in the middle of an import."""


class WorkPool:
    """``jobs`` worker processes, started with the first batch given to them."""

    def __init__(self, jobs: int, fmt: str, path: Path, catalogue: ToolCatalogue) -> None:
        self._executor = ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=start_worker,
            initargs=(fmt, str(path), catalogue),
        )

    def submit(self, payloads: list[Payload]) -> Future[list[PackedWork]]:
        try:
            return self._executor.submit(packed_work_on, payloads)
        except BrokenProcessPool as error:
            raise WorkerDiedError(str(error)) from None

    @staticmethod
    def result(future: Future[list[PackedWork]]) -> list[PayloadWork]:
        try:
            return [unpacked(work) for work in future.result()]
        except BrokenProcessPool as error:
            raise WorkerDiedError(str(error)) from None

    def __enter__(self) -> WorkPool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        # Batches not yet started are dropped; running ones finish (workers ignore Ctrl-C) and are
        # thrown away, so that no worker outlives the import.
        self._executor.shutdown(wait=True, cancel_futures=True)
