"""Engines, sessions and the schema check every command runs before touching data."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)


class SchemaError(Exception):
    """The database schema does not match this version of Exemplar."""


def create_db_engine(url: str) -> Engine:
    """An engine for ``url``: SQLite gets WAL, foreign keys and a busy timeout."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        # Without a driver named, SQLAlchemy would look for psycopg2; Exemplar ships psycopg 3.
        parsed = parsed.set(drivername="postgresql+psycopg")
        url = parsed.render_as_string(hide_password=False)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any exception."""
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as session:
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
    """Apply pending migrations (up to ``revision``, by default all); returns the resulting status."""
    command.upgrade(_alembic_config(engine), revision)
    return schema_status(engine)


def ensure_schema(engine: Engine) -> None:
    """Create the schema in a brand-new database; refuse to work on an out-of-date one.

    A new, empty database is the embedded default's first run and gets every migration. A database
    that already holds data is never migrated behind the operator's back: they run
    ``exemplar db upgrade`` (after a backup, if they keep one).
    """
    status = schema_status(engine)
    if status.up_to_date:
        return
    if status.empty:
        log.info("new database: creating the schema")
        upgrade_schema(engine)
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
