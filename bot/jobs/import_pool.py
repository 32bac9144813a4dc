"""Worker processes for ``exemplar import --jobs N``: they parse, normalise and classify batches of
payloads (:mod:`bot.jobs.import_work`) while the importing process screens and stores them in order.

Workers are spawned (no state is inherited from the importing process, so no open database
connection), and ignore Ctrl-C: the importing process stops them.

Each worker has two pipes of its own: one that brings it batches and one that takes its answers back.
Here a feeding thread per worker writes it batches and a reading thread reads its answers, so a
worker never waits for a round trip: up to :data:`UNANSWERED_PER_WORKER` batches are sent to it and
not yet answered, its next batch waiting in the pipe as it works on one. A worker that dies (killed,
out of memory) closes its pipes, even in the middle of a message, so its reading thread learns of it
at once and the pool breaks: every batch not done fails with :class:`WorkerDiedError`. (A
``ProcessPoolExecutor``'s workers share one result pipe, which the others keep open: a worker killed
halfway through writing its result leaves the reader waiting for the rest forever.)
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import queue
import signal
import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from multiprocessing import resource_tracker
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from types import FrameType, TracebackType

from bot.classify.catalogue import ToolCatalogue
from bot.errors import ExemplarError
from bot.jobs.import_formats import Payload
from bot.jobs.import_wire import PackedWork, packed_payloads, unpacked
from bot.jobs.import_work import PayloadWork
from bot.jobs.import_worker import serve_batches

# How long a worker asked to stop may take to end before it is terminated.
_STOP_GRACE = 5.0
# Batches sent to a worker and not answered yet: the one it works on and the next, waiting for it.
UNANSWERED_PER_WORKER = 2


def usable_cpus() -> int:
    """How many CPUs this process may run on (its affinity, where the system tells)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """Ctrl-C held back while workers start, and raised once they have.

    A worker ignores Ctrl-C once it runs (:func:`bot.jobs.import_work.start_worker`), but one that
    reached it while Python itself was starting would end it with a fatal error on the terminal, and
    one that cut this process short as it sent a new worker its set-up would leave that worker to
    print a traceback. So SIGINT is blocked in this thread, and a process it starts is born with it
    blocked (the signal waits, and is dropped as the worker sets it ignored); and this process's own
    handler, which any thread's SIGINT reaches, only notes it until the workers are started."""
    # Spawning starts multiprocessing's resource tracker first, and its start unblocks SIGINT in the
    # starting thread when it ends: started now, it is out of the way.
    resource_tracker.ensure_running()
    noted: list[int] = []

    def note(number: int, _frame: FrameType | None) -> None:
        noted.append(number)

    in_main_thread = threading.current_thread() is threading.main_thread()
    handler = signal.signal(signal.SIGINT, note) if in_main_thread else None
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        if in_main_thread:  # None: a handler not set from Python, so none that it can restore
            signal.signal(signal.SIGINT, signal.SIG_DFL if handler is None else handler)
    if noted:
        raise KeyboardInterrupt


class WorkerDiedError(ExemplarError):
    """A worker process died (killed, out of memory) in the middle of an import."""


_Task = tuple[list[Payload], Future[list[PackedWork]]]


@dataclass(slots=True)
class _Worker:
    number: int
    process: BaseProcess
    batches: Connection  # ours to write: the worker reads its batches from it
    answers: Connection  # ours to read: the worker writes its answers to it
    # Sent and not answered yet, oldest first: the worker answers in the order it is sent batches.
    unanswered: deque[Future[list[PackedWork]]] = field(default_factory=deque)
    room: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(UNANSWERED_PER_WORKER))
    threads: list[threading.Thread] = field(default_factory=list)


class WorkPool:
    """``jobs`` worker processes, started with the first batch given to them."""

    def __init__(self, jobs: int, fmt: str, path: Path, catalogue: ToolCatalogue) -> None:
        self._jobs = jobs
        self._setup = (fmt, str(path), catalogue)
        self._tasks: queue.SimpleQueue[_Task | None] = queue.SimpleQueue()
        self._workers: list[_Worker] = []
        self._lock = threading.Lock()
        self._broken: str | None = None
        self._stopping = False
        # Held to wait for a worker's end: by one thread at a time, as only one can be told of it.
        self._joining = threading.Lock()

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
        with _ctrl_c_held():
            for number in range(1, self._jobs + 1):
                their_batches, our_batches = context.Pipe(duplex=False)
                our_answers, their_answers = context.Pipe(duplex=False)
                process = context.Process(
                    target=serve_batches,
                    args=(their_batches, their_answers, *self._setup),
                    name=f"exemplar-import-{number}",
                    daemon=True,  # terminated as this process exits, should the pool not have stopped it
                )
                worker = _Worker(number, process, our_batches, our_answers)
                self._workers.append(worker)  # before it starts: then it is stopped whatever happens next
                process.start()
                # Only the worker may hold its ends: then its death closes both pipes.
                their_batches.close()
                their_answers.close()
                for role, target in (("feed", self._feed), ("read", self._read)):
                    thread = threading.Thread(
                        target=target, args=(worker,), name=f"exemplar-import-{role}-{number}", daemon=True
                    )
                    worker.threads.append(thread)
                    thread.start()

    def _feed(self, worker: _Worker) -> None:
        """Send ``worker`` batches, keeping no more than :data:`UNANSWERED_PER_WORKER` unanswered,
        until told to stop or until it dies."""
        while True:
            worker.room.acquire()
            task = self._tasks.get()
            if task is None:
                return
            payloads, future = task
            if not future.set_running_or_notify_cancel():
                worker.room.release()
                continue
            try:
                message = ForkingPickler.dumps(packed_payloads(payloads))
            except Exception as error:  # nothing was sent: the pipe is fine
                future.set_exception(error)
                worker.room.release()
                continue
            with self._lock:
                # Once broken, no batch is sent: the dead worker's reading thread has failed those
                # it was waiting for, and fails none sent after.
                if self._broken is not None:
                    future.set_exception(WorkerDiedError(self._broken))
                    worker.room.release()
                    continue
                worker.unanswered.append(future)
            try:
                worker.batches.send_bytes(message)
            except OSError:  # it has died: its reading thread breaks the pool
                return

    def _read(self, worker: _Worker) -> None:
        """Give each of ``worker``'s answers to the batch it answers, until it ends or dies."""
        while True:
            try:
                message = worker.answers.recv_bytes()
            except (EOFError, OSError):
                self._break(worker)
                return
            with self._lock:
                future = worker.unanswered.popleft()
            worker.room.release()
            try:
                done, answer = pickle.loads(message)
            except Exception as error:  # an answer that would not unpickle: read whole, so the pipe is fine
                future.set_exception(error)
                continue
            if done:
                future.set_result(answer)
            else:
                future.set_exception(answer)

    def _break(self, dead: _Worker) -> None:
        """Mark the pool broken by ``dead``'s end, failing every batch not done but those the other
        workers were sent (unless the pool is stopping: then the end was asked for)."""
        with self._lock:
            if self._stopping:
                return
        with self._joining:
            dead.process.join(_STOP_GRACE)
        code = dead.process.exitcode
        if code is not None and code < 0:
            ending = f"killed by {signal.Signals(-code).name}"
        elif code is not None:
            ending = f"exit code {code}"
        else:
            ending = "its pipes closed"
        reason = f"worker {dead.number} of {self._jobs}, pid {dead.process.pid}: {ending}"
        with self._lock:
            self._broken = self._broken or reason
            for future in dead.unanswered:
                future.set_exception(WorkerDiedError(reason))
            dead.unanswered.clear()
            while True:
                try:
                    task = self._tasks.get_nowait()
                except queue.Empty:
                    break
                if task is None:  # a stop meant for a feeding thread: keep it
                    self._tasks.put(task)
                    break
                task[1].set_exception(WorkerDiedError(self._broken))
        dead.room.release()  # its feeding thread may wait for room: let it go on to its stop

    def __enter__(self) -> WorkPool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        # Batches not yet sent are dropped; those sent are done (workers ignore Ctrl-C) and thrown
        # away. No worker outlives the import.
        with self._lock:
            self._stopping = True
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
            worker.room.release()  # a feeding thread waiting for room goes on to find its stop
        for worker in self._workers:
            if worker.threads:
                # Ctrl-C can cut a thread's start short (it then finds its stop and ends by itself).
                with suppress(RuntimeError):
                    worker.threads[0].join()
        for worker in self._workers:
            worker.batches.close()  # the worker ends once it has answered what it was sent
        with self._joining:
            for worker in self._workers:
                if worker.process.pid is None:  # Ctrl-C came before it started
                    continue
                worker.process.join(_STOP_GRACE)
                if worker.process.exitcode is None:
                    worker.process.terminate()
                    worker.process.join()
        for worker in self._workers:
            for thread in worker.threads[1:]:
                with suppress(RuntimeError):
                    thread.join()  # its worker has ended: it reads the end of the pipe
            worker.answers.close()
