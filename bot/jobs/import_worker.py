"""The main loop of one worker process of ``exemplar import --jobs N`` (see :mod:`bot.jobs.import_pool`).

A worker reads batches of payloads from its own pipe and answers each on the same pipe: ``(True,
work)`` with the batch's packed work, or ``(False, error)`` when the work raised. It ends when the
pipe says so (``None``) or closes, so a worker never outlives the importing process.
"""

from __future__ import annotations

from multiprocessing.connection import Connection

from bot.classify.catalogue import ToolCatalogue
from bot.jobs.import_wire import packed_work_on
from bot.jobs.import_work import start_worker


def serve_batches(connection: Connection, fmt: str, path: str, catalogue: ToolCatalogue) -> None:
    """Work on every batch ``connection`` sends until it sends ``None`` or closes."""
    start_worker(fmt, path, catalogue)
    while True:
        try:
            payloads = connection.recv()
        except EOFError:  # the importing process has gone
            return
        if payloads is None:
            return
        try:
            answer: tuple[bool, object] = (True, packed_work_on(payloads))
        except Exception as error:  # a bug: the importing process raises it, as its own would be
            answer = (False, error)
        try:
            connection.send(answer)
        except (BrokenPipeError, ConnectionResetError):  # the importing process has gone
            return
        except Exception as unsendable:  # it could not be pickled (nothing was sent): say what it was
            problem = unsendable if answer[0] else answer[1]
            connection.send((False, RuntimeError(f"{type(problem).__name__}: {problem}")))
