"""Database failures as a user meets them: real read-only files and file systems, a full disk, a lock
held by another process, damaged files, an unreachable PostgreSQL and URLs that cannot work.

Each is one line on stderr naming the database (its password hidden), the cause and the fix, and an
exit code: 2 for a URL that cannot work, 1 for everything else. Never a traceback.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import socket
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from bot.errors import DatabaseError
from storage.db import create_db_engine, ensure_schema, schema_status, session_scope, upgrade_schema
from storage.models import AppState
from tests.cli_process import EXEMPLAR, assert_one_line_failure, run_exemplar
from tests.payloads import status


def write_config(directory: Path, url: str, extra: str = "") -> Path:
    config = directory / "exemplar.toml"
    config.write_text(f'hashtags = ["fliplead"]\n[database]\nurl = "{url}"\n{extra}', encoding="utf-8")
    return config


def make_database(path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade_schema(engine)
    engine.dispose()


def optout(config: Path, cwd: Path, who: str = "someone@school.example") -> subprocess.CompletedProcess[str]:
    """A command that writes to the database."""
    return run_exemplar("--config", str(config), "optout", who, cwd=cwd)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(*command: str) -> bool:
    return subprocess.run(command, capture_output=True, check=False).returncode == 0


@contextmanager
def immutable(path: Path) -> Iterator[None]:
    """``path`` made unwritable for real: as root, only the immutable attribute stops a write."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        yield
        path.chmod(0o644)
        return
    if not _run("chattr", "+i", str(path)):
        pytest.skip("this file system does not support chattr +i")
    try:
        yield
    finally:
        _run("chattr", "-i", str(path))


@contextmanager
def mounted(*args: str, target: Path) -> Iterator[None]:
    target.mkdir(exist_ok=True)
    if not _run("mount", *args, str(target)):
        pytest.skip("cannot mount file systems here (needs root and CAP_SYS_ADMIN)")
    try:
        yield
    finally:
        _run("umount", str(target))


def test_a_read_only_database_file(tmp_path: Path) -> None:
    database = tmp_path / "exemplar.db"
    make_database(database)
    config = write_config(tmp_path, f"sqlite:///{database}")
    with immutable(database):
        line = assert_one_line_failure(optout(config, tmp_path), 1)
    assert f"database sqlite:///{database}" in line
    assert "read-only" in line
    assert "writable" in line


def test_a_read_only_file_system_with_a_database_and_without(tmp_path: Path) -> None:
    source = tmp_path / "data"
    source.mkdir()
    make_database(source / "exemplar.db")
    target = tmp_path / "readonly"
    with mounted("--bind", "-o", "ro", str(source), target=target):
        for name in ("exemplar.db", "new.db"):
            config = write_config(tmp_path, f"sqlite:///{target / name}")
            line = assert_one_line_failure(optout(config, tmp_path), 1)
            assert str(target / name) in line
            assert "read-only" in line


def test_a_full_disk_keeps_what_was_stored(tmp_path: Path) -> None:
    disk = tmp_path / "small"
    with mounted("-t", "tmpfs", "-o", "size=2m", "tmpfs", target=disk):
        database = disk / "exemplar.db"
        make_database(database)
        config = write_config(tmp_path, f"sqlite:///{database}")
        assert optout(config, tmp_path, "first@school.example").returncode == 0
        with (disk / "filler").open("wb") as filler:  # take every byte the database could grow into
            try:
                while True:
                    filler.write(b"\0" * 65536)
                    filler.flush()
            except OSError:
                pass
        archive = tmp_path / "statuses.json"
        archive.write_text(
            json.dumps(
                [status(str(n), content=f"<p>{'long text ' * 300} #fliplead</p>") for n in range(1, 400)]
            )
        )
        result = run_exemplar(
            "--config", str(config), "import", str(archive), "--format", "mastodon", cwd=tmp_path
        )
        line = assert_one_line_failure(result, 1)
        assert "disk is full" in line
        assert str(database) in line
        (disk / "filler").unlink()
        listed = run_exemplar("--config", str(config), "db", "status", cwd=tmp_path)
        assert listed.returncode == 0, listed.stderr


def test_sqlite_full_is_explained_in_one_line(tmp_path: Path) -> None:
    """The same failure where no small file system can be mounted: SQLite's page limit."""
    database = tmp_path / "exemplar.db"
    make_database(database)
    engine = create_db_engine(f"sqlite:///{database}")
    with sqlite3.connect(database) as probe:
        pages = probe.execute("PRAGMA page_count").fetchone()[0]
    probe.close()
    event.listen(engine, "connect", lambda dbapi, _record: dbapi.execute(f"PRAGMA max_page_count = {pages}"))

    def fill() -> None:
        with session_scope(engine) as session:
            session.add_all(AppState(key=f"k{n}", value="x" * 2000) for n in range(2000))

    with pytest.raises(DatabaseError) as raised:
        fill()
    engine.dispose()
    assert "disk is full" in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_database_locked_by_another_process_waits_then_says_so(tmp_path: Path) -> None:
    database = tmp_path / "exemplar.db"
    make_database(database)
    config = write_config(tmp_path, f"sqlite:///{database}", "lock_timeout = 1.5\n")
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO app_state (key, value) VALUES ('held', 'by another process')")
    try:
        started = time.monotonic()
        line = assert_one_line_failure(optout(config, tmp_path), 1)
        waited = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "locked by another process after waiting 1.5 s" in line
    assert "lock_timeout" in line
    assert waited >= 1.5
    assert optout(config, tmp_path).returncode == 0  # once the lock is gone, the same command works


def test_a_truncated_or_corrupted_file(tmp_path: Path) -> None:
    good = tmp_path / "good.db"
    make_database(good)
    for _ in range(3):
        assert (
            optout(write_config(tmp_path, f"sqlite:///{good}"), tmp_path, f"p{_}@school.example").returncode
            == 0
        )
    truncated = tmp_path / "truncated.db"
    data = good.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database, it is a shopping list\n" * 200)
    for path in (truncated, garbage):
        config = write_config(tmp_path, f"sqlite:///{path}")
        line = assert_one_line_failure(run_exemplar("--config", str(config), "posts", cwd=tmp_path), 1)
        assert str(path) in line
        assert "damaged or is not a database" in line
        assert "backup" in line


def test_an_unreachable_postgresql_hides_the_password(tmp_path: Path) -> None:
    url = f"postgresql://exemplar:s3cret-pw@127.0.0.1:{closed_port()}/exemplar"
    line = assert_one_line_failure(
        run_exemplar("--config", str(write_config(tmp_path, url)), "posts", cwd=tmp_path), 1
    )
    assert "s3cret-pw" not in line
    assert "exemplar:***@127.0.0.1" in line
    assert "not reachable" in line


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("nosuchdriver://user:pw-secret@host/db", "unknown database driver"),
        ("mysql://user:pw-secret@localhost/db", "driver is not installed"),
        ("postgresql://user:pw-secret@localhost:notaport/db", "is not a database URL"),
        ("not a url at all", "is not a database URL"),
    ],
)
def test_a_url_that_cannot_work_is_a_configuration_error(url: str, said: str, tmp_path: Path) -> None:
    line = assert_one_line_failure(
        run_exemplar("--config", str(write_config(tmp_path, url)), "posts", cwd=tmp_path), 2
    )
    assert said in line
    assert "pw-secret" not in line


def _first_run(url: str, barrier: Any) -> None:
    engine = create_db_engine(url)
    barrier.wait()
    ensure_schema(engine)
    engine.dispose()


def test_first_runs_racing_on_a_new_database_all_succeed(database_url: str) -> None:
    url = database_url
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(4)
    runs = [context.Process(target=_first_run, args=(url, barrier)) for _ in range(4)]
    for run in runs:
        run.start()
    for run in runs:
        run.join(120)
    assert [run.exitcode for run in runs] == [0, 0, 0, 0]
    engine = create_db_engine(url)
    assert schema_status(engine).up_to_date
    engine.dispose()


def test_two_first_commands_racing_on_a_new_database_file_both_succeed(tmp_path: Path) -> None:
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'new.db'}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXEMPLAR_")}
    runs = [
        subprocess.Popen(
            [EXEMPLAR, "--config", str(config), "posts"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outcomes = []
    for run in runs:
        with run:
            _, stderr = run.communicate(timeout=120)
            outcomes.append((run.returncode, stderr))
    assert outcomes == [(0, ""), (0, "")]
    engine = create_db_engine(f"sqlite:///{tmp_path / 'new.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
    engine.dispose()


def _connect_at_once(url: str, barrier: Any) -> None:
    engine = create_db_engine(url, lock_timeout=10)
    barrier.wait()
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    engine.dispose()


def test_many_first_connections_to_a_new_sqlite_file_all_switch_it_to_wal(tmp_path: Path) -> None:
    # Each connection switches a new file to WAL; two doing so at once hold a shared lock each while
    # waiting for the other's to go, which SQLite's busy handler would wait out to the lock timeout.
    context = multiprocessing.get_context("spawn")
    for attempt in range(3):
        url = f"sqlite:///{tmp_path / f'new-{attempt}.db'}"
        barrier = context.Barrier(6)
        runs = [context.Process(target=_connect_at_once, args=(url, barrier)) for _ in range(6)]
        for run in runs:
            run.start()
        for run in runs:
            run.join(60)
        assert [run.exitcode for run in runs] == [0] * 6
        engine = create_db_engine(url)
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        engine.dispose()
