"""``exemplar db backup`` and ``db restore`` for SQLite, with SQLite's online backup API: a consistent
copy while the scheduler and the web server keep writing. PostgreSQL has its own tools (pg_dump)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.errors import ExemplarError

SCHEDULER_LEASE = "lease:scheduler"
LEASE_FRESH = timedelta(minutes=2)
PAGES_PER_STEP = 1024  # copy in steps so writers are blocked for moments, not for the whole copy


class BackupError(ExemplarError):
    """A backup or restore could not be made; nothing was replaced."""


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    revision: str | None
    posts: int
    size: int


def sqlite_path(url: str) -> Path:
    """The database file behind an SQLite URL; raises :class:`BackupError` with advice for others."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        safe = parsed.set(password=None).render_as_string(hide_password=True).replace("+psycopg", "")
        raise BackupError(
            "this database is PostgreSQL: back it up with pg_dump, e.g. "
            f"`pg_dump --format=custom --file exemplar.dump '{safe}'`, and restore with "
            "`pg_restore --clean --dbname URL exemplar.dump` (the password from ~/.pgpass or PGPASSWORD)"
        )
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        raise BackupError(f"cannot back up {parsed.get_backend_name()} database {parsed.database!r}")
    return Path(parsed.database)


def backup(url: str, destination: Path, *, overwrite: bool = False) -> BackupInfo:
    """Copy the live database at ``url`` to ``destination`` (a temporary file, then a rename)."""
    source_path = sqlite_path(url)
    if not source_path.is_file():
        raise BackupError(f"there is no database at {source_path} to back up")
    if destination.exists() and not overwrite:
        raise BackupError(f"{destination} already exists; pass --force to replace it, or choose another path")
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        with _connect(source_path) as source, sqlite3.connect(partial) as target:
            source.backup(target, pages=PAGES_PER_STEP)
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        info = verify(partial)
        partial.replace(destination)
    except sqlite3.Error as error:
        raise BackupError(f"backup of {source_path} failed: {error}") from None
    finally:
        partial.unlink(missing_ok=True)
    return BackupInfo(destination, info.revision, info.posts, destination.stat().st_size)


def verify(path: Path) -> BackupInfo:
    """Check that ``path`` is a sound Exemplar database; its schema revision and post count."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            check = connection.execute("PRAGMA integrity_check").fetchone()
            if not check or check[0] != "ok":
                raise BackupError(
                    f"{path} is damaged (integrity check: {check[0] if check else 'no answer'})"
                )
            tables = {
                row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if "alembic_version" not in tables or "posts" not in tables:
                raise BackupError(f"{path} is not an Exemplar database (no schema revision or posts table)")
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            posts = connection.execute("SELECT count(*) FROM posts").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not an SQLite database ({error})") from None
    return BackupInfo(
        path, revision[0] if revision else None, int(posts[0]) if posts else 0, path.stat().st_size
    )


def restore(url: str, backup_file: Path, now: datetime) -> BackupInfo:
    """Replace the database at ``url`` with the contents of ``backup_file``, in one transaction.

    Stop ``exemplar run`` and ``exemplar serve`` first: a process holding the old database open would
    go on with the restored contents underneath it.
    """
    target_path = sqlite_path(url)
    if not backup_file.is_file():
        raise BackupError(f"there is no backup at {backup_file}")
    info = verify(backup_file)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with (
            sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True) as source,
            _connect(target_path) as target,
        ):
            _refuse_if_scheduler_runs(target, now)
            source.backup(target, pages=PAGES_PER_STEP)
            # The scheduler that held the lease when the backup was taken is not running now.
            if target.execute("SELECT 1 FROM sqlite_master WHERE name = 'app_state'").fetchone():
                target.execute("DELETE FROM app_state WHERE key = ?", (SCHEDULER_LEASE,))
    except sqlite3.Error as error:
        raise BackupError(f"restore into {target_path} failed: {error}") from None
    return BackupInfo(target_path, info.revision, info.posts, target_path.stat().st_size)


def _refuse_if_scheduler_runs(connection: sqlite3.Connection, now: datetime) -> None:
    if not connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'app_state'").fetchone():
        return
    row = connection.execute("SELECT value FROM app_state WHERE key = ?", (SCHEDULER_LEASE,)).fetchone()
    if row is None:
        return
    lease = json.loads(row[0])
    heartbeat = datetime.fromisoformat(lease["heartbeat"])
    if now - heartbeat < LEASE_FRESH:
        raise BackupError(
            f"`exemplar run` ({lease['owner']}) is using this database; stop it (and `exemplar serve`) "
            "before restoring"
        )


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=30)
    connection.execute("PRAGMA busy_timeout=30000")
    return connection
