"""Engines, sessions and the schema check every command runs before touching data."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from importlib.resources import files
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, exc, inspect, text
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.orm import Session

from bot.errors import DatabaseError
from storage.failures import configuration_failure, database_failure, shown_url

log = logging.getLogger(__name__)


class SchemaError(Exception):
    """The database schema does not match this version of Exemplar."""


DEFAULT_LOCK_TIMEOUT = (
    30.0  # seconds a command waits for another process's write lock ([database] lock_timeout)
)
CONNECT_TIMEOUT = 10  # seconds to reach a PostgreSQL server
_LOCK_TIMEOUT_OPTION = "exemplar_lock_timeout"  # kept on the engine for schema_lock


def create_db_engine(url: str, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> Engine:
    """An engine for ``url``: SQLite gets WAL, foreign keys and a busy timeout of ``lock_timeout``.

    Failures to connect, read or write surface as one-line :class:`~bot.errors.DatabaseError` errors
    naming the database; a URL that cannot work raises :class:`~bot.errors.DatabaseConfigError` here.
    """
    options = {_LOCK_TIMEOUT_OPTION: lock_timeout}
    try:
        parsed = make_url(url)
        if parsed.drivername in ("postgresql", "postgres"):
            # Without a driver named, SQLAlchemy would look for psycopg2; Exemplar ships psycopg 3.
            parsed = parsed.set(drivername="postgresql+psycopg")
            url = parsed.render_as_string(hide_password=False)
        if parsed.get_backend_name() == "sqlite":
            engine = create_engine(url, connect_args={"timeout": lock_timeout}, execution_options=options)
            event.listen(engine, "connect", _sqlite_pragmas)
        elif parsed.drivername == "postgresql+psycopg":
            timeouts = {
                "connect_timeout": CONNECT_TIMEOUT,
                "options": f"-c lock_timeout={int(lock_timeout * 1000)}",
            }
            engine = create_engine(url, pool_pre_ping=True, connect_args=timeouts, execution_options=options)
        else:
            engine = create_engine(url, pool_pre_ping=True, execution_options=options)
    except (exc.ArgumentError, exc.NoSuchModuleError, ImportError, ValueError) as error:
        raise configuration_failure(error, url) from None
    event.listen(engine, "handle_error", partial(_explain_failure, lock_timeout=lock_timeout))
    return engine


# Errors about the database itself (it cannot be reached, read or written); integrity and programming
# errors are the caller's to handle and pass through as they are.
_OPERATIONAL = (exc.OperationalError, exc.InternalError)


def _explain_failure(context: ExceptionContext, *, lock_timeout: float) -> BaseException | None:
    error = context.sqlalchemy_exception
    if error is None or not (
        isinstance(error, _OPERATIONAL) or type(error) is exc.DatabaseError  # e.g. "file is not a database"
    ):
        return None
    url = context.engine.url if context.engine is not None else "the database"
    return database_failure(error, url, lock_timeout=lock_timeout)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any exception."""
    # A Session, not a sessionmaker: that makes a new Session subclass (and its events) every call.
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def _alembic_config(engine: Engine) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(files("storage") / "migrations"))
    config.attributes["engine"] = engine
    return config


@dataclass(frozen=True, slots=True)
class SchemaStatus:
    current: str | None
    head: str
    empty: bool

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def schema_status(engine: Engine) -> SchemaStatus:
    """Where the database's schema stands against this version's migrations."""
    head = ScriptDirectory.from_config(_alembic_config(engine)).get_current_head()
    if head is None:
        raise SchemaError("no migrations are installed with this copy of Exemplar")
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        empty = not inspect(connection).get_table_names()
    return SchemaStatus(current=current, head=head, empty=empty)


def upgrade_schema(engine: Engine, revision: str = "head") -> SchemaStatus:
    """Apply pending migrations (up to ``revision``, by default all); returns the resulting status.

    Runs under :func:`schema_lock`, so two processes upgrading at once apply each migration once.
    """
    with schema_lock(engine):
        command.upgrade(_alembic_config(engine), revision)
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
            command.upgrade(_alembic_config(engine), "head")
            return
    known = {rev.revision for rev in ScriptDirectory.from_config(_alembic_config(engine)).walk_revisions()}
    if status.current is not None and status.current not in known:
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
