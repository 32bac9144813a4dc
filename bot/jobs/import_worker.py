"""The main loop of one worker process of ``exemplar import --jobs N`` (see :mod:`bot.jobs.import_pool`).

A worker reads batches of payloads (packed: :mod:`bot.jobs.import_wire`) from one pipe of its own
and answers each, in order, on another: ``(True, work)`` with the batch's packed work, or ``(False,
error)`` when the work raised. It ends when its batches' pipe closes (or says ``None``), so a worker
never outlives the importing process.
"""

from __future__ import annotations

from multiprocessing.connection import Connection

from bot.classify.catalogue import ToolCatalogue
from bot.jobs.import_wire import packed_work_on
from bot.jobs.import_work import start_worker


def serve_batches(
    batches: Connection, answers: Connection, fmt: str, path: str, catalogue: ToolCatalogue
) -> None:
    """Work on every batch ``batches`` brings, answering on ``answers``, until it closes or brings
    ``None``."""
    start_worker(fmt, path, catalogue)
    while True:
        try:
            payloads = batches.recv()
        except EOFError:  # the importing process is done, or has gone
            return
        if payloads is None:
            return
        try:
            answer: tuple[bool, object] = (True, packed_work_on(payloads))
        except Exception as error:  # a bug: the importing process raises it, as its own would be
            answer = (False, error)
        try:
            answers.send(answer)
        except (BrokenPipeError, ConnectionResetError):  # the importing process has gone
            return
        except Exception as unsendable:  # it could not be pickled (nothing was sent): say what it was
            problem = unsendable if answer[0] else answer[1]
            answers.send((False, RuntimeError(f"{type(problem).__name__}: {problem}")))
