"""Worker processes for ``exemplar import --jobs N``: they parse, normalise and classify batches of
payloads (:mod:`bot.jobs.import_work`) while the importing process screens and stores them in order.

Workers are spawned (no state is inherited from the importing process, so no open database
connection), and ignore Ctrl-C: the importing process stops them.

Each worker has a pipe of its own, and a thread here that hands it one batch at a time and waits for
its answer. A worker that dies (killed, out of memory) closes its pipe, even in the middle of a
message, so its thread learns of it at once and the pool breaks: every batch not done fails with
:class:`WorkerDiedError`. (A ``ProcessPoolExecutor``'s workers share one result pipe, which the
others keep open: a worker killed halfway through writing its result leaves the reader waiting for
the rest forever.)
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import threading
from concurrent.futures import Future
from contextlib import suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import TracebackType

from bot.classify.catalogue import ToolCatalogue
from bot.errors import ExemplarError
from bot.jobs.import_formats import Payload
from bot.jobs.import_wire import PackedWork, unpacked
from bot.jobs.import_work import PayloadWork
from bot.jobs.import_worker import serve_batches

# How long a worker asked to stop may take to end before it is terminated.
_STOP_GRACE = 5.0


def usable_cpus() -> int:
    """How many CPUs this process may run on (its affinity, where the system tells)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class WorkerDiedError(ExemplarError):
    """A worker process died (killed, out of memory) in the middle of an import."""


_Task = tuple[list[Payload], Future[list[PackedWork]]]


@dataclass(slots=True)
class _Worker:
    number: int
    process: BaseProcess
    connection: Connection
    thread: threading.Thread | None = None


class WorkPool:
    """``jobs`` worker processes, started with the first batch given to them."""

    def __init__(self, jobs: int, fmt: str, path: Path, catalogue: ToolCatalogue) -> None:
        self._jobs = jobs
        self._setup = (fmt, str(path), catalogue)
        self._tasks: queue.SimpleQueue[_Task | None] = queue.SimpleQueue()
        self._workers: list[_Worker] = []
        self._lock = threading.Lock()
        self._broken: str | None = None

    def submit(self, payloads: list[Payload]) -> Future[list[PackedWork]]:
        """The packed work on ``payloads``, as a worker will send it back."""
        with self._lock:
            if self._broken is not None:
                raise WorkerDiedError(self._broken)
            future: Future[list[PackedWork]] = Future()
            self._tasks.put((payloads, future))
        if not self._workers:
            self._start_workers()
        return future

    @staticmethod
    def result(future: Future[list[PackedWork]]) -> list[PayloadWork]:
        """The work of a batch :meth:`submit` gave; raises :class:`WorkerDiedError` when the pool broke
        before it was done, and whatever the work itself raised."""
        return [unpacked(work) for work in future.result()]

    def _start_workers(self) -> None:
        context = multiprocessing.get_context("spawn")
        for number in range(1, self._jobs + 1):
            ours, theirs = context.Pipe(duplex=True)
            process = context.Process(
                target=serve_batches, args=(theirs, *self._setup), name=f"exemplar-import-{number}"
            )
            process.start()
            # Only the worker may hold its end: then its death closes the pipe.
            theirs.close()
            worker = _Worker(number, process, ours)
            worker.thread = threading.Thread(
                target=self._feed, args=(worker,), name=f"exemplar-import-feed-{number}", daemon=True
            )
            self._workers.append(worker)
            worker.thread.start()

    def _feed(self, worker: _Worker) -> None:
        """Hand ``worker`` one batch at a time until told to stop, or until it dies."""
        while (task := self._tasks.get()) is not None:
            payloads, future = task
            if not future.set_running_or_notify_cancel():
                continue
            try:
                worker.connection.send(payloads)
                done, answer = worker.connection.recv()
            except (EOFError, OSError):
                future.set_exception(WorkerDiedError(self._break(worker)))
                return
            except Exception as error:  # an answer that would not unpickle: read whole, so the pipe is fine
                future.set_exception(error)
                continue
            if done:
                future.set_result(answer)
            else:
                future.set_exception(answer)

    def _break(self, dead: _Worker) -> str:
        """Mark the pool broken by ``dead``'s death, fail every batch still waiting, and say why."""
        dead.process.join(_STOP_GRACE)
        code = dead.process.exitcode
        if code is not None and code < 0:
            ending = f"killed by {signal.Signals(-code).name}"
        elif code is not None:
            ending = f"exit code {code}"
        else:
            ending = "its pipe closed"
        reason = f"worker {dead.number} of {self._jobs}, pid {dead.process.pid}: {ending}"
        with self._lock:
            self._broken = self._broken or reason
            while True:
                try:
                    task = self._tasks.get_nowait()
                except queue.Empty:
                    break
                if task is None:  # a stop meant for another worker's thread: keep it
                    self._tasks.put(task)
                    break
                task[1].set_exception(WorkerDiedError(self._broken))
        return reason

    def __enter__(self) -> WorkPool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        # Batches not yet started are dropped; running ones finish (workers ignore Ctrl-C) and are
        # thrown away. No worker outlives the import.
        with self._lock:
            while True:
                try:
                    task = self._tasks.get_nowait()
                except queue.Empty:
                    break
                if task is not None:
                    task[1].cancel()
            for _ in self._workers:
                self._tasks.put(None)
        for worker in self._workers:
            if worker.thread is not None:
                # Ctrl-C can cut a thread's start short (it then finds its stop and ends by itself).
                with suppress(RuntimeError):
                    worker.thread.join()
        for worker in self._workers:
            with suppress(OSError):  # it has ended already
                worker.connection.send(None)
            worker.connection.close()
        for worker in self._workers:
            worker.process.join(_STOP_GRACE)
            if worker.process.exitcode is None:
                worker.process.terminate()
                worker.process.join()
