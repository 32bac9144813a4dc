"""What a database failure means, in one line: the database (its password hidden), the cause, the fix.

Takes the exception SQLAlchemy raised (or the driver's, or an import failure) and the URL, and
returns the :class:`~bot.errors.DatabaseError` to show (looking at a SQLite file's directory
when SQLite cannot say why it could not open the file). A bad URL or a missing driver is a
configuration error; anything else (read-only, full, locked, corrupted, unreachable) is not.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from pathlib import Path

from sqlalchemy import exc
from sqlalchemy.engine import URL, make_url

from bot.errors import DatabaseConfigError, DatabaseError

# What a running process can meet when the database goes away under it: the one-line error storage.db
# turns operational failures into, and the SQLAlchemy errors it leaves as they are (a pool exhausted
# while the database hangs, a connection closed under the driver).
DATABASE_FAILURES: tuple[type[Exception], ...] = (
    DatabaseError,
    exc.OperationalError,
    exc.InterfaceError,
    exc.InternalError,
    exc.TimeoutError,
)

_URL_HINT = 'use e.g. url = "sqlite:///exemplar.db" or "postgresql://user@host/exemplar"'


def shown_url(url: str | URL) -> str:
    """``url`` as it may be printed: the password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (exc.ArgumentError, ValueError, TypeError):
        return re.sub(r"(//[^:/@]*:)[^@/]*@", r"\1***@", str(url))


def one_line(error: BaseException) -> str:
    """A database failure in one line (the driver's first line, for an untranslated error)."""
    return _first_line(getattr(error, "orig", None) or error)


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0].strip() if text else type(error).__name__


def configuration_failure(error: BaseException, url: str | URL) -> DatabaseConfigError:
    """The one line for a URL SQLAlchemy cannot use (malformed, or a driver that is not installed)."""
    where = f"[database] url {shown_url(url)!r}"
    if isinstance(error, exc.NoSuchModuleError):
        driver = _first_line(error).rsplit(":", 1)[-1].strip()
        return DatabaseConfigError(
            f"{where}: unknown database driver {driver!r}; Exemplar works with sqlite and postgresql; "
            + _URL_HINT
        )
    if isinstance(error, ImportError):
        return DatabaseConfigError(
            f"{where}: its driver is not installed ({_first_line(error)}); use sqlite or postgresql, "
            "whose drivers Exemplar ships"
        )
    return DatabaseConfigError(f"{where} is not a database URL ({_first_line(error)}); {_URL_HINT}")


def database_failure(
    error: BaseException, url: str | URL, *, lock_timeout: float | None = None
) -> DatabaseError:
    """The one line for a failure while connecting to, reading or writing the database at ``url``."""
    original = getattr(error, "orig", None) or error
    where = f"database {shown_url(url)}"
    if isinstance(original, sqlite3.Error):
        return DatabaseError(f"{where}: {_sqlite_cause(original, url, lock_timeout)}")
    text = _first_line(original)
    lowered = str(original).lower()
    if "connection refused" in lowered or "could not connect" in lowered or "no route to host" in lowered:
        cause = "the server is not reachable (connection refused); start PostgreSQL, or fix the host and port"
    elif "terminating connection" in lowered or "server closed the connection" in lowered:
        cause = "the server closed the connection (it was stopped or restarted); try again once it is back"
    elif "timeout expired" in lowered or "timed out" in lowered:
        cause = "the server did not answer in time; check that it is running and reachable from here"
    elif "password authentication failed" in lowered or "no password supplied" in lowered:
        cause = "the server refused the login; fix the user and password in [database] url (or url_env)"
    elif re.search(r'database ".*" does not exist', lowered):
        cause = f"{text}; create it (e.g. `createdb`) or fix the database name in the URL"
    elif "could not translate host name" in lowered or "name or service not known" in lowered:
        cause = "its host name does not resolve; fix the host in [database] url"
    elif "lock timeout" in lowered or "could not obtain lock" in lowered or "deadlock" in lowered:
        cause = f"another process holds a lock on it ({text}); try again when that process has finished"
    elif "no space left" in lowered or "disk full" in lowered:
        cause = "the server's disk is full; free space on it, then run again"
    elif "read-only" in lowered or "read only" in lowered:
        cause = f"{text}; connect to a server or user that may write"
    else:
        cause = f"{text}; check that the database is reachable and that [database] url is right"
    return DatabaseError(f"{where}: {cause}")


def _sqlite_cause(error: sqlite3.Error, url: str | URL, lock_timeout: float | None) -> str:
    code = getattr(error, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = _first_line(error)
    path = _sqlite_path(url)
    if primary == sqlite3.SQLITE_READONLY or "readonly" in text or "read-only" in text:
        return (
            f"it cannot be written ({text}): the file, its directory or the file system is read-only; "
            f"make {path} and its directory writable by this user, or point [database] url elsewhere"
        )
    if primary == sqlite3.SQLITE_CANTOPEN:
        return _cannot_open(text, path)
    if primary == sqlite3.SQLITE_FULL or (primary == sqlite3.SQLITE_IOERR and _disk_full(path)):
        return f"the disk is full ({text}); free space on the disk that holds {path}, then run again"
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        waited = f" after waiting {lock_timeout:g} s" if lock_timeout is not None else ""
        return (
            f"it is locked by another process{waited} ({text}); try again when that process has finished, "
            "or raise [database] lock_timeout"
        )
    if primary in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
        return (
            f"the file is damaged or is not a database ({text}); restore {path} from a backup "
            "(`sqlite3 FILE .recover` can save what is left), or point [database] url at another file"
        )
    if primary == sqlite3.SQLITE_IOERR:
        return f"the disk reported an error ({text}); check the disk and free space that holds {path}"
    if primary == sqlite3.SQLITE_PERM:
        return f"access was denied ({text}); check the permissions of {path}"
    return f"{text}; check {path}"


def _disk_full(path: str) -> bool:
    # A full disk can surface as an I/O error (growing the WAL's shared memory fails, say).
    try:
        return shutil.disk_usage(Path(path).parent).free < 1 << 20
    except OSError:
        return False


def _cannot_open(text: str, path: str) -> str:
    # SQLite says only "unable to open database file"; the directory says why.
    directory = Path(path).parent
    if not directory.is_dir():
        return f"the file cannot be opened ({text}): {directory} does not exist; create it, or fix the path"
    if not os.access(directory, os.W_OK):
        return (
            f"the file cannot be opened ({text}): its directory {directory} is read-only (its permissions or "
            "its file system), and SQLite must write beside the file; make it writable, or move the database"
        )
    return f"the file cannot be opened ({text}); check that this user may read and write {path}"


def _sqlite_path(url: str | URL) -> str:
    try:
        return make_url(url).database or "the database file"
    except (exc.ArgumentError, ValueError, TypeError):
        return "the database file"
