"""`exemplar serve --workers 4` on a fresh database: every worker starts (they used to race to create
the signing key, and the losers died with ``UNIQUE constraint failed: app_state.key``)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, event, func, insert, select

from storage.app_state import SIGNING_KEY, signing_key
from storage.db import create_db_engine, session_scope
from storage.models import AppState

WORKERS = 4


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def serve(tmp_path: Path, port: int) -> subprocess.Popen[str]:
    config = tmp_path / "exemplar.toml"
    config.write_text(
        'hashtags = ["fliplead"]\nlog_level = "info"\n[database]\nurl = "sqlite:///exemplar.db"\n',
        encoding="utf-8",
    )
    command = [sys.executable, "-c", "from bot.cli import main; main()", "--config", str(config)]
    subprocess.run([*command, "db", "upgrade"], cwd=tmp_path, check=True, capture_output=True, timeout=120)
    return subprocess.Popen(
        [*command, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(WORKERS)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        start_new_session=True,
    )


def test_every_worker_starts_on_a_fresh_database(tmp_path: Path) -> None:
    port = free_port()
    server = serve(tmp_path, port)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(server.stdout or ()), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 120
        while sum("Application startup complete" in line for line in lines) < WORKERS:
            assert server.poll() is None, "".join(lines)
            assert not any("Traceback" in line or "UNIQUE constraint" in line for line in lines), "".join(
                lines
            )
            assert time.monotonic() < deadline, "not every worker started:\n" + "".join(lines)
            time.sleep(0.1)
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=30).status_code == 200
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
        reader.join(timeout=10)
        if server.stdout is not None:
            server.stdout.close()
    output = "".join(lines)
    assert "UNIQUE constraint" not in output, output
    assert "Traceback" not in output, output
    assert output.count("Application startup complete") == WORKERS
    engine = create_db_engine(f"sqlite:///{tmp_path / 'exemplar.db'}")
    with session_scope(engine) as session:
        assert (
            session.scalar(select(func.count()).select_from(AppState).where(AppState.key == SIGNING_KEY)) == 1
        )
    engine.dispose()


@pytest.mark.postgres
def test_a_key_stored_by_another_process_meanwhile_is_the_one_used(engine: Engine) -> None:
    """The race, made to happen every time: just as this process stores its new key, another one
    stores its own first. This process then uses the other's key instead of failing."""
    winner = "key-of-the-worker-that-was-quicker"
    raced: list[bool] = []

    def other_worker_first(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO APP_STATE") and not raced:
            raced.append(True)
            with other.begin() as connection:
                connection.execute(insert(AppState).values(key=SIGNING_KEY, value=winner))

    other = create_db_engine(engine.url.render_as_string(hide_password=False))
    event.listen(engine, "before_cursor_execute", other_worker_first)
    try:
        with session_scope(engine) as session:
            assert signing_key(session) == winner
    finally:
        event.remove(engine, "before_cursor_execute", other_worker_first)
        other.dispose()
    assert raced == [True]
    with session_scope(engine) as session:
        assert signing_key(session) == winner


@pytest.mark.postgres
def test_racing_sessions_all_get_the_one_key_that_was_stored(engine: Engine) -> None:
    """Many sessions asking for the key at once on a fresh database: one key is stored, and every
    one of them gets that one."""
    start = threading.Barrier(8)
    answers: list[str] = []
    errors: list[BaseException] = []

    def ask() -> None:
        try:
            with session_scope(engine) as session:
                start.wait(timeout=30)
                answers.append(signing_key(session))
        except BaseException as error:  # reported below: a thread's failure must fail the test
            errors.append(error)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(set(answers)) == 1
    assert len(answers) == 8
    with session_scope(engine) as session:
        assert signing_key(session) == answers[0]
