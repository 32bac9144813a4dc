"""One run at a time publishes a digest: a second ``digest publish`` of the same digest, started while
the first is posting, says so in one line and posts nothing."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from mastodon_mock.testing import MockServer
from sqlalchemy import Engine, select

from bot.cli import cli
from storage import locks
from storage.db import create_db_engine, session_scope, upgrade_schema
from storage.models import AppState
from tests.cli_process import EXEMPLAR, assert_one_line_failure, run_exemplar
from tests.rewriting_proxy import rewriting_proxy


@pytest.fixture
def slow_to_post(network: MockServer) -> Iterator[tuple[str, threading.Event, threading.Event]]:
    """A proxy in front of the server that holds the first new status until the test lets it go."""
    arrived, release = threading.Event(), threading.Event()

    def hold_the_first_post(method: str, path: str) -> None:
        if method == "POST" and path.startswith("/api/v1/statuses") and not arrived.is_set():
            arrived.set()
            release.wait(60)

    with rewriting_proxy(network.base_url, before=hold_the_first_post) as proxy:
        yield proxy, arrived, release
        release.set()


def approved_digest(tmp_path: Path, network: MockServer, publish_url: str) -> tuple[Path, int]:
    network.client("maria").status_post("Our flipped briefing: https://youtu.be/Xc4ZsXq1a2Y #fliplead")
    network.client("sam").status_post("Anyone tried Screencastify for parent newsletters? #fliplead")
    config = tmp_path / "exemplar.toml"
    config.write_text(
        f"""hashtags = ["fliplead"]
[database]
url = "sqlite:///exemplar.db"
[[mastodon]]
base_url = "{network.base_url}"
[publish.mastodon]
base_url = "{publish_url}"
access_token_env = "BOT_TOKEN"
""",
        encoding="utf-8",
    )
    runner = CliRunner()
    assert runner.invoke(cli, ["--config", str(config), "collect"]).exit_code == 0
    start = (datetime.now(UTC) - timedelta(days=3)).strftime("%Y-%m-%d")
    drafted = runner.invoke(cli, ["--config", str(config), "digest", "draft", "--start", start, "--json"])
    digest_id = int(json.loads(drafted.output)["id"])
    assert runner.invoke(cli, ["--config", str(config), "digest", "approve", str(digest_id)]).exit_code == 0
    return config, digest_id


def lease_of(engine: Engine, digest_id: int) -> str | None:
    with session_scope(engine) as session:
        return session.scalar(
            select(AppState.value).where(AppState.key == f"lease:publish:digest:{digest_id}")
        )


def test_a_second_publish_while_one_runs_says_so_and_posts_nothing(
    tmp_path: Path,
    network: MockServer,
    slow_to_post: tuple[str, threading.Event, threading.Event],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    proxy, first_post, let_it_post = slow_to_post
    monkeypatch.setenv("BOT_TOKEN", "bot_token")
    config, digest_id = approved_digest(tmp_path, network, proxy)
    engine = create_db_engine(f"sqlite:///{tmp_path / 'exemplar.db'}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXEMPLAR_")}
    with subprocess.Popen(
        [EXEMPLAR, "--config", str(config), "digest", "publish", str(digest_id)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as first:
        assert first_post.wait(60), "the first run never started posting"
        assert lease_of(engine, digest_id) is not None

        second = run_exemplar("--config", str(config), "digest", "publish", str(digest_id), cwd=tmp_path)

        let_it_post.set()
        out, err = first.communicate(timeout=120)
    line = assert_one_line_failure(second, 1)
    assert f"another run is publishing digest {digest_id}" in line
    assert first.returncode == 0, err
    assert "published" in out
    bot = network.client("exemplar")
    posted = bot.account_statuses(bot.me())
    assert len(posted) == len({status.content for status in posted})  # nothing posted twice
    assert lease_of(engine, digest_id) is None  # released when the first run finished
    engine.dispose()


def test_a_lease_left_by_a_process_that_died_is_taken_over(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'exemplar.db'}")
    upgrade_schema(engine)
    dead = subprocess.Popen(["true"])
    dead.wait()
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        assert (
            locks.acquire(
                session, "publish:digest:1", f"{socket.gethostname()}:{dead.pid}", now, timedelta(hours=1)
            )
            is None
        )
    with session_scope(engine) as session:  # a live process's lease holds ...
        assert (
            locks.acquire(session, "publish:digest:2", locks.this_process(), now, timedelta(hours=1)) is None
        )
    with session_scope(engine) as session:
        assert locks.acquire(session, "publish:digest:2", "other-host:1", now, timedelta(hours=1)) is not None
        # ... and a dead one's does not.
        assert locks.acquire(session, "publish:digest:1", "other-host:1", now, timedelta(hours=1)) is None
    engine.dispose()


def test_a_database_locked_mid_publish_fails_in_one_line_and_the_rerun_posts_nothing_twice(
    tmp_path: Path,
    network: MockServer,
    slow_to_post: tuple[str, threading.Event, threading.Event],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first part is posted while another process holds the database's write lock, so the run
    cannot record it: it exits 1 in one line, and the re-run finishes the thread without a repeat."""
    proxy, first_post, let_it_post = slow_to_post
    monkeypatch.setenv("BOT_TOKEN", "bot_token")
    config, digest_id = approved_digest(tmp_path, network, proxy)
    settings = config.read_text(encoding="utf-8")
    config.write_text(settings.replace("[database]\n", "[database]\nlock_timeout = 1\n"), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXEMPLAR_")}
    with subprocess.Popen(
        [EXEMPLAR, "--config", str(config), "digest", "publish", str(digest_id)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as first:
        assert first_post.wait(60), "the run never started posting"
        holder = sqlite3.connect(tmp_path / "exemplar.db", isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            let_it_post.set()
            out, err = first.communicate(timeout=120)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
    line = assert_one_line_failure(subprocess.CompletedProcess(first.args, first.returncode, out, err), 1)
    assert "locked by another process" in line
    again = run_exemplar("--config", str(config), "digest", "publish", str(digest_id), cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    bot = network.client("exemplar")
    posted = bot.account_statuses(bot.me())
    assert posted
    assert len(posted) == len({status.content for status in posted})  # nothing posted twice
