"""A bulk writer's commits leave WAL checkpoints to a thread of their own (storage.wal_checkpoints)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from storage.db import create_db_engine
from storage.wal_checkpoints import SQLITE_DEFAULT, checkpoints_aside


def autocheckpoint(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())


def write_a_megabyte(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS blobs (body BLOB)")
        connection.exec_driver_sql("INSERT INTO blobs VALUES (randomblob(1048576))")


def test_commits_inside_do_not_checkpoint_and_the_thread_does(tmp_path: Path) -> None:
    database = tmp_path / "bulk.db"
    engine = create_db_engine(f"sqlite:///{database}")
    try:
        with checkpoints_aside(engine) as committed:
            assert autocheckpoint(engine) == 0
            write_a_megabyte(engine)
            committed()
        # The pool still holds its connections (none closed, which would checkpoint too), and a
        # megabyte is far below SQLite's own threshold: only the thread can have copied it back.
        assert database.stat().st_size > 1_000_000
        assert autocheckpoint(engine) == SQLITE_DEFAULT
    finally:
        engine.dispose()


def test_an_in_memory_database_is_left_as_it_is() -> None:
    engine = create_db_engine("sqlite://")
    try:
        with checkpoints_aside(engine) as committed:
            assert autocheckpoint(engine) == SQLITE_DEFAULT
            committed()
    finally:
        engine.dispose()
