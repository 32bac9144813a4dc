"""Checkpoints of a SQLite file's write-ahead log beside a bulk writer, not inside its commits.

SQLite copies the log back into the database file, and syncs both to the disk, in whichever commit
takes the log past :data:`SQLITE_DEFAULT` pages. A bulk import that commits a batch at a time pays for
it every few batches, waiting on the disk while it could be storing the next batch. Inside
:func:`checkpoints_aside`, the engine's commits leave that to a thread of its own, which checkpoints
after each commit it is told of: PASSIVE, so that it never waits for, nor holds up, a writer or a
reader. Each commit is as durable as before (WAL with ``synchronous=NORMAL``: see :mod:`storage.db`);
only where the waiting is done changes. The log grows by at most what is committed while one
checkpoint runs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event

log = logging.getLogger(__name__)

SQLITE_DEFAULT = 1000  # pages: SQLite's own wal_autocheckpoint, restored on every connection given back


def _nothing() -> None:
    return None


@contextmanager
def checkpoints_aside(engine: Engine) -> Iterator[Callable[[], None]]:
    """While the block runs, connections ``engine`` hands out do not checkpoint as they commit; call
    the function yielded after each commit, and a thread checkpoints what is committed.

    Anything but a SQLite file (PostgreSQL, an in-memory database) is left as it is, and the function
    does nothing.
    """
    database = engine.url.database
    if engine.dialect.name != "sqlite" or database in (None, "", ":memory:") or database.startswith("file:"):
        yield _nothing
        return

    def on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")

    def on_checkin(dbapi_connection: Any, _record: Any) -> None:
        if dbapi_connection is not None:  # None: it was invalidated, and will not be handed out again
            dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={SQLITE_DEFAULT}")

    checkpointer = _Checkpointer(engine)
    event.listen(engine, "checkout", on_checkout)
    event.listen(engine, "checkin", on_checkin)
    checkpointer.start()
    try:
        yield checkpointer.due
    finally:
        checkpointer.stop()
        event.remove(engine, "checkout", on_checkout)
        event.remove(engine, "checkin", on_checkin)


class _Checkpointer:
    """A thread that checkpoints the log each time it is told something was committed."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._due = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="exemplar-wal-checkpoints", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def due(self) -> None:
        """Something was committed: checkpoint it (soon, in the thread)."""
        self._due.set()

    def stop(self) -> None:
        self._stopping = True
        self._due.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            connection = self._engine.raw_connection()
        except Exception as error:  # the writer reports its own failures to reach the database
            log.warning("WAL checkpoints stay with each commit: %s", error)
            return
        try:
            while True:
                self._due.wait()
                self._due.clear()
                stopping = self._stopping
                cursor = connection.cursor()  # the last commit is checkpointed too, before the block ends
                try:
                    cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
                    cursor.fetchall()
                finally:
                    cursor.close()
                if stopping:
                    return
        except Exception as error:  # a checkpoint is never worth failing the work for: the next does it
            log.warning("WAL checkpoints stopped: %s", error)
        finally:
            connection.close()
