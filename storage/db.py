"""Engines, sessions and the schema check every command runs before touching data."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, exc, inspect, text
from sqlalchemy.engine import URL, ExceptionContext, make_url
from sqlalchemy.orm import Session

from bot.errors import DatabaseError
from storage.failures import configuration_failure, database_failure, shown_url
from storage.json_text import json_serializer
from storage.sqlite_file import watch_file

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

log = logging.getLogger(__name__)

# The newest migration in storage/migrations/versions. Every command compares the database's
# ``alembic_version`` row with this instead of reading the migration scripts (alembic and its
# scripts load only when a schema is created or upgraded). tests/test_storage.py fails when a
# migration is added without updating it.
HEAD_REVISION = "0019"


class SchemaError(Exception):
    """The database schema does not match this version of Exemplar."""


DEFAULT_LOCK_TIMEOUT = (
    30.0  # seconds a command waits for another process's write lock ([database] lock_timeout)
)
CONNECT_TIMEOUT = 10  # seconds to reach a PostgreSQL server
# Connections an engine keeps open, and how many more it opens at a busy moment (SQLAlchemy's
# defaults, stated: the web server sizes its thread pool by them, see bot.web.threads).
POOL_SIZE = 5
POOL_OVERFLOW = 10
_POOLED = {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW}
_LOCK_TIMEOUT_OPTION = "exemplar_lock_timeout"  # kept on the engine for schema_lock
_CAPACITY_OPTION = "exemplar_connections"  # kept on the engine for connection_capacity


def create_db_engine(url: str, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> Engine:
    """An engine for ``url``: SQLite gets WAL, foreign keys and a busy timeout of ``lock_timeout``.

    Failures to connect, read or write surface as one-line :class:`~bot.errors.DatabaseError` errors
    naming the database; a URL that cannot work raises :class:`~bot.errors.DatabaseConfigError` here.
    """
    options: dict[str, object] = {_LOCK_TIMEOUT_OPTION: lock_timeout}
    pooled = {**options, _CAPACITY_OPTION: POOL_SIZE + POOL_OVERFLOW}
    try:
        parsed = make_url(url)
        if parsed.drivername in ("postgresql", "postgres"):
            # Without a driver named, SQLAlchemy would look for psycopg2; Exemplar ships psycopg 3.
            parsed = parsed.set(drivername="postgresql+psycopg")
            url = parsed.render_as_string(hide_password=False)
        if parsed.get_backend_name() == "sqlite":
            # A file gets a QueuePool whose connections may move between threads (check_same_thread
            # off, SQLAlchemy's default for files); an in-memory database keeps one connection a thread.
            on_file = parsed.database not in (None, "", ":memory:") and not str(parsed.database).startswith(
                "file:"
            )
            engine = create_engine(
                url,
                connect_args={"timeout": lock_timeout, **({"check_same_thread": False} if on_file else {})},
                execution_options=pooled if on_file else options,
                json_serializer=json_serializer,
                **(_POOLED if on_file else {}),
            )
            event.listen(engine, "connect", partial(_sqlite_pragmas, lock_timeout=lock_timeout))
            if on_file:
                watch_file(engine, Path(str(parsed.database)))
        elif parsed.drivername == "postgresql+psycopg":
            timeouts = {
                "connect_timeout": CONNECT_TIMEOUT,
                "options": f"-c lock_timeout={int(lock_timeout * 1000)}",
            }
            engine = create_engine(
                url,
                pool_pre_ping=True,
                connect_args=timeouts,
                execution_options=pooled,
                json_serializer=json_serializer,
                **_POOLED,
            )
        else:
            engine = create_engine(url, pool_pre_ping=True, execution_options=options)
    except (exc.ArgumentError, exc.NoSuchModuleError, ImportError, ValueError) as error:
        raise configuration_failure(error, url) from None
    event.listen(engine, "handle_error", partial(_explain_failure, url=engine.url, lock_timeout=lock_timeout))
    return engine


def connection_capacity(engine: Engine) -> int | None:
    """How many connections ``engine`` opens at most at once; None when its pool sets no bound (an
    in-memory SQLite database, an engine made elsewhere)."""
    capacity = engine.get_execution_options().get(_CAPACITY_OPTION)
    return int(capacity) if capacity is not None else None


# Errors about the database itself (it cannot be reached, read or written); integrity and programming
# errors are the caller's to handle and pass through as they are.
_OPERATIONAL = (exc.OperationalError, exc.InternalError)


def _explain_failure(context: ExceptionContext, *, url: URL, lock_timeout: float) -> BaseException | None:
    if context.is_pre_ping:
        return None  # the pool reconnects on its own when a pooled connection's ping fails
    error = context.sqlalchemy_exception
    if error is None or not (
        isinstance(error, _OPERATIONAL) or type(error) is exc.DatabaseError  # e.g. "file is not a database"
    ):
        return None
    return database_failure(error, url, lock_timeout=lock_timeout)


_WAL_TRY_MS = 50  # each try at switching a file to WAL waits this long for another connection's lock


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, *, lock_timeout: float) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
        _switch_to_wal(cursor, lock_timeout)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _switch_to_wal(cursor: Any, lock_timeout: float) -> None:
    """Switch a file to WAL, as the first connections of racing processes all try to at once.

    Each holds a shared lock while it waits for the others' to go: with the whole lock timeout as its
    busy timeout, every one of them could wait it out. Short tries, letting go between them, cannot.
    """
    import sqlite3

    deadline = time.monotonic() + lock_timeout
    cursor.execute(f"PRAGMA busy_timeout = {_WAL_TRY_MS}")
    try:
        while True:
            try:
                cursor.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() >= deadline:
                    raise
                time.sleep(random.uniform(0, _WAL_TRY_MS / 1000))
    finally:
        cursor.execute(f"PRAGMA busy_timeout = {int(lock_timeout * 1000)}")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any exception."""
    # A Session, not a sessionmaker: that makes a new Session subclass (and its events) every call.
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException as error:
            try:
                session.rollback()
            except Exception as failed:
                # Ctrl-C can land inside the commit after the transaction has ended, where a rollback
                # is refused: what is being unwound (the interruption) must still reach the caller.
                # Closing the session returns its connection rolled back.
                error.add_note(f"rolling back the session failed too: {failed}")
            raise


def _alembic_config(engine: Engine) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(files("storage") / "migrations"))
    config.attributes["engine"] = engine
    return config


def _migrate(engine: Engine, revision: str) -> None:
    from alembic import command

    command.upgrade(_alembic_config(engine), revision)


def known_revisions(engine: Engine) -> set[str]:
    """Every revision this version's migration scripts define (reads the scripts: not for the hot path)."""
    from alembic.script import ScriptDirectory

    return {rev.revision for rev in ScriptDirectory.from_config(_alembic_config(engine)).walk_revisions()}


@dataclass(frozen=True, slots=True)
class SchemaStatus:
    current: str | None
    head: str
    empty: bool

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


_VERSION_TABLE = "alembic_version"


def schema_status(engine: Engine) -> SchemaStatus:
    """Where the database's schema stands against this version's migrations (:data:`HEAD_REVISION`)."""
    with engine.connect() as connection:
        current = _current_revision(connection)
        # Only a database at no revision can be empty, and only then does it matter.
        empty = current is None and not inspect(connection).get_table_names()
    return SchemaStatus(current=current, head=HEAD_REVISION, empty=empty)


def _current_revision(connection: Connection) -> str | None:
    """The revision in the database's ``alembic_version`` table, as alembic itself records it."""
    if not inspect(connection).has_table(_VERSION_TABLE):
        return None
    versions = connection.execute(text(f"SELECT version_num FROM {_VERSION_TABLE}")).scalars().all()
    if len(versions) > 1:
        raise SchemaError(
            f"the database records several schema revisions ({', '.join(sorted(versions))}); "
            "this version of Exemplar has one line of migrations"
        )
    return versions[0] if versions else None


def upgrade_schema(engine: Engine, revision: str = "head") -> SchemaStatus:
    """Apply pending migrations (up to ``revision``, by default all); returns the resulting status.

    Runs under :func:`schema_lock`, so two processes upgrading at once apply each migration once.
    """
    with schema_lock(engine):
        _migrate(engine, revision)
    return schema_status(engine)


def ensure_schema(engine: Engine) -> None:
    """Create the schema in a brand-new database; refuse to work on an out-of-date one.

    A new, empty database is the embedded default's first run and gets every migration. A database
    that already holds data is never migrated behind the operator's back: they run
    ``exemplar db upgrade`` (after a backup, if they keep one). Two first runs racing on a new database
    both succeed: the schema is created under :func:`schema_lock`, and the second finds it made.
    """
    status = schema_status(engine)
    if status.up_to_date:
        return
    with schema_lock(engine):
        status = schema_status(engine)  # another process may have created it while we waited
        if status.up_to_date:
            return
        if status.empty:
            log.info("new database: creating the schema")
            _migrate(engine, "head")
            return
    if status.current is not None and status.current not in known_revisions(engine):
        raise SchemaError(
            f"the database schema ({status.current}) is newer than this version of Exemplar knows: "
            "upgrade Exemplar, or point [database] url at another database"
        )
    raise SchemaError(
        f"the database schema is behind (at {status.current or 'no revision'}, needs {status.head}): "
        "run `exemplar db upgrade`"
    )


_PG_SCHEMA_LOCK = 0x4558454D504C4152  # "EXEMPLAR": the advisory lock key for schema changes
_POLL_SECONDS = 0.05


@contextmanager
def schema_lock(engine: Engine) -> Iterator[None]:
    """Hold the database's schema lock: an advisory lock on PostgreSQL; on a SQLite file, an exclusive
    ``flock`` on ``<file>.schema-lock`` beside it (SQLite's own locks cannot span a migration run).

    Waits up to the engine's lock timeout (``[database] lock_timeout``), then raises a one-line
    :class:`~bot.errors.DatabaseError`.
    """
    backend = engine.url.get_backend_name()
    timeout = float(engine.get_execution_options().get(_LOCK_TIMEOUT_OPTION, DEFAULT_LOCK_TIMEOUT))
    if backend == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _PG_SCHEMA_LOCK})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _PG_SCHEMA_LOCK})
        return
    database = engine.url.database or ""
    if backend != "sqlite" or database in ("", ":memory:") or database.startswith("file:"):
        yield
        return
    yield from _file_lock(engine, Path(database + ".schema-lock"), timeout)


def _file_lock(engine: Engine, path: Path, timeout: float) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # not POSIX: SQLite's own locking has to do
        yield
        return
    try:
        handle = path.open("a")
    except OSError as error:
        raise DatabaseError(
            f"database {shown_url(engine.url)}: cannot create its lock file {path} ({error.strerror}); "
            "make the database's directory writable by this user"
        ) from None
    with handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise DatabaseError(
                        f"database {shown_url(engine.url)}: another process has been creating or upgrading "
                        f"its schema for over {timeout:g} s; try again when it has finished"
                    ) from None
                time.sleep(_POLL_SECONDS)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
