"""A SQLite file removed, moved or replaced under a running engine.

SQLite keeps reading and writing a file it has open even after it is removed or renamed, so without
this a long-running ``serve`` or ``run`` would store posts in a file nobody can find any more, and its
next new connection would silently create an empty database in its place. Instead, once the engine
has opened the file, a pooled connection whose file has gone is dropped with a one-line
:class:`~bot.errors.DatabaseError`, no new empty file is created, and a file put back (a backup
restored, say) is reopened on the next checkout.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, exc

from bot.errors import DatabaseError
from storage.failures import shown_url

_IDENTITY = "exemplar_file_identity"


def watch_file(engine: Engine, path: Path) -> None:
    """Check ``path`` each time ``engine`` hands out or makes a connection (a ``stat``: cheap)."""
    opened = {"once": False}
    where = f"database {shown_url(engine.url)}"

    def gone() -> DatabaseError:
        return DatabaseError(
            f"{where}: its file {path} has gone (removed or moved while Exemplar was running); "
            "put it back or restore it from a backup, then try again"
        )

    def before_connect(*_args: Any) -> None:
        if opened["once"] and not path.exists():
            raise gone()  # connecting would create a new, empty database in its place

    def on_connect(_dbapi: Any, record: Any) -> None:
        opened["once"] = True
        record.info[_IDENTITY] = _identity(path)

    def on_checkout(_dbapi: Any, record: Any, _proxy: Any) -> None:
        now = _identity(path)
        if now is None:
            raise gone()
        if now != record.info.get(_IDENTITY):
            raise exc.DisconnectionError(f"{path} was replaced; reconnecting to the new file")

    event.listen(engine, "do_connect", before_connect)
    event.listen(engine, "connect", on_connect)
    event.listen(engine, "checkout", on_checkout)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return (found.st_dev, found.st_ino)
