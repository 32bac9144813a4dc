"""The database failing under processes that are already running: ``exemplar serve``, ``exemplar run``
and a command between two writes. Real parts only: a SQLite file locked by another process or moved
away from the test, and a PostgreSQL cluster of this module's own that is stopped and started (never
the shared test server).

A request then gets a 503 page and the log one line (no traceback); ``/healthz`` says unhealthy when
the database cannot be read; the scheduler logs one line and keeps running; a command exits 1 with one
line, keeping what it had stored. Each recovers by itself once the database is back.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from bot.schedule.jobs import collect_job
from tests.cli_process import EXEMPLAR, assert_one_line_failure, run_exemplar
from tests.payloads import status

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "flipped-meetings-2026"
CURATOR = "curator@school.example"
WAIT = 120.0  # generous bound on anything a loaded machine may take; no test depends on speed


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(condition: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def write_config(directory: Path, url: str, extra: str = "", *, lock_timeout: float = 1) -> Path:
    config = directory / "exemplar.toml"
    config.write_text(
        f'hashtags = ["fliplead"]\nlog_level = "info"\n[database]\nurl = "{url}"\n'
        f"lock_timeout = {lock_timeout:g}\n{extra}",
        encoding="utf-8",
    )
    return config


def prepare(config: Path, cwd: Path) -> None:
    """The schema and a curator, made by the CLI as an operator would."""
    upgraded = run_exemplar("--config", str(config), "db", "upgrade", cwd=cwd)
    assert upgraded.returncode == 0, upgraded.stderr
    added = subprocess.run(
        [EXEMPLAR, "--config", str(config), "curator", "add", CURATOR, "--password-file", "-"],
        input=PASSWORD + "\n",
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith("EXEMPLAR_")},
    )
    assert added.returncode == 0, added.stderr


@dataclass
class Running:
    """A real ``exemplar`` process, its output gathered line by line."""

    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def since(self, mark: int) -> str:
        return "".join(self.lines[mark:])

    def alive(self) -> bool:
        return self.process.poll() is None


@contextmanager
def running(config: Path, cwd: Path, *args: str) -> Iterator[Running]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXEMPLAR_")}
    process = subprocess.Popen(
        [EXEMPLAR, "--config", str(config), *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**env, "PYTHONUNBUFFERED": "1"},
        start_new_session=True,
    )
    found = Running(process)
    reader = threading.Thread(target=lambda: found.lines.extend(process.stdout or ()), daemon=True)
    reader.start()
    try:
        yield found
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        reader.join(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


@contextmanager
def serving(config: Path, cwd: Path) -> Iterator[tuple[Running, httpx.Client]]:
    port = free_port()
    with (
        running(config, cwd, "serve", "--port", str(port)) as server,
        httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client,
    ):

        def up() -> bool:
            assert server.alive(), server.output
            try:
                return client.get("/healthz").status_code == 200
            except httpx.TransportError:
                return False

        wait_for(up, "exemplar serve to answer")
        yield server, client


def log_in(client: httpx.Client) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token is not None, page.text
    answer = client.post("/login", data={"csrf": token.group(1), "email": CURATOR, "password": PASSWORD})
    assert answer.status_code == 303, answer.text


def desk_csrf(client: httpx.Client) -> str:
    page = client.get("/desk/exclusions")
    assert page.status_code == 200, page.text
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token is not None
    return token.group(1)


@contextmanager
def locked(database: Path) -> Iterator[None]:
    """Another process's write lock on the file, held for as long as the block runs."""
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def sqlite_files(database: Path) -> list[Path]:
    return [p for p in (database, Path(f"{database}-wal"), Path(f"{database}-shm")) if p.exists()]


def count(database: Path, table: str) -> int:
    with sqlite3.connect(database) as reader:
        found: int = reader.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    reader.close()
    return found


def assert_logged_once(output: str, *said: str) -> str:
    """The failure is one line of the log, saying each of ``said``; no traceback anywhere."""
    assert "Traceback" not in output, output
    lines = [line for line in output.splitlines() if all(s in line for s in said)]
    assert lines, output
    return lines[0]


# --- exemplar serve on SQLite ---------------------------------------------------------------------


def test_serve_answers_503_while_another_process_holds_the_write_lock(tmp_path: Path) -> None:
    database = tmp_path / "exemplar.db"
    config = write_config(tmp_path, f"sqlite:///{database}")
    prepare(config, tmp_path)
    with serving(config, tmp_path) as (server, client):
        log_in(client)
        csrf = desk_csrf(client)
        form = {"csrf": csrf, "kind": "domain", "value": "spam.example", "confirm": "yes", "reason": "spam"}
        mark = len(server.lines)
        with locked(database):
            refused = client.post("/desk/exclude", data=form)
            assert refused.status_code == 503
            assert "Temporarily unavailable" in refused.text
            assert refused.headers["retry-after"]
            failed_login = client.post("/login", data={"csrf": csrf, "email": CURATOR, "password": "wrong"})
            assert failed_login.status_code == 503
        assert count(database, "exclusions") == 0  # nothing half-applied
        wait_for(lambda: "POST /login: database unavailable" in server.since(mark), "the log line")
        line = assert_logged_once(server.since(mark), "POST /desk/exclude: database unavailable")
        assert "locked by another process" in line
        assert "ERROR" in line
        # The lock released, the same form works and applies once.
        done = client.post("/desk/exclude", data=form)
        assert done.status_code == 303, done.text
        assert count(database, "exclusions") == 1
        assert server.alive()
    assert "Traceback" not in server.output


def test_healthz_and_pages_answer_while_a_desk_request_waits_for_the_write_lock(tmp_path: Path) -> None:
    """One worker; a desk form waits (for up to a minute) on a write lock another process holds. The
    request waits on its own thread, so /healthz and the archive keep answering meanwhile, every time
    before the waiting request ends; once the lock goes, the form completes and applies once."""
    database = tmp_path / "exemplar.db"
    config = write_config(tmp_path, f"sqlite:///{database}", lock_timeout=WAIT / 2)
    prepare(config, tmp_path)
    with (
        serving(config, tmp_path) as (server, client),
        httpx.Client(base_url=str(client.base_url), timeout=WAIT) as visitor,
        ThreadPoolExecutor(1) as background,
    ):
        log_in(client)
        csrf = desk_csrf(client)
        form = {"csrf": csrf, "kind": "domain", "value": "spam.example", "confirm": "yes", "reason": "spam"}
        with locked(database):
            waiting = background.submit(client.post, "/desk/exclude", data=form)
            answered = 0
            # Keep asking until the desk request has surely reached the lock (it is on the server
            # and waiting): each answer must come while it still waits.
            began = time.monotonic()
            while answered < 10 or time.monotonic() - began < 2:
                health = visitor.get("/healthz")
                assert (health.status_code, health.text) == (200, "ok")
                assert visitor.get("/").status_code == 200
                assert not waiting.done(), "the desk request ended while the lock was still held"
                answered += 1
            assert count(database, "exclusions") == 0
        done = waiting.result(timeout=WAIT)
        assert done.status_code == 303, done.text
        assert count(database, "exclusions") == 1
        assert server.alive()
    assert "Traceback" not in server.output


def test_serve_says_unhealthy_while_its_file_is_gone_and_recovers_when_it_is_back(tmp_path: Path) -> None:
    database = tmp_path / "exemplar.db"
    config = write_config(tmp_path, f"sqlite:///{database}")
    prepare(config, tmp_path)
    aside = tmp_path / "aside"
    aside.mkdir()
    with serving(config, tmp_path) as (server, client):
        log_in(client)
        assert client.get("/desk").status_code == 200
        mark = len(server.lines)
        moved = [aside / path.name for path in sqlite_files(database)]
        for path in moved:
            (tmp_path / path.name).rename(path)
        for page in ("/", "/desk", "/desk/exclusions"):
            answer = client.get(page)
            assert answer.status_code == 503, (page, answer.status_code)
        health = client.get("/healthz")
        assert health.status_code == 503
        assert "unhealthy" in health.text
        assert str(tmp_path) not in health.text  # the public is not told where the database lives
        assert not database.exists()  # no empty database was made in its place
        wait_for(lambda: "health check: database unavailable" in server.since(mark), "the log line")
        line = assert_logged_once(server.since(mark), "GET /desk: database unavailable")
        assert "has gone" in line
        for path in moved:
            path.rename(tmp_path / path.name)
        assert client.get("/healthz").text == "ok"
        assert client.get("/").status_code == 200
        assert client.get("/desk").status_code == 200  # the desk session survived in the file
    assert "Traceback" not in server.output


# --- a PostgreSQL cluster of this module's own -----------------------------------------------------


@dataclass
class Cluster:
    url: str
    port: int
    datadir: Path
    bindir: Path
    run_as: list[str]

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.run_as, str(self.bindir / "pg_ctl"), "-D", str(self.datadir), *args],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def stop(self) -> None:
        self._ctl("-m", "fast", "-w", "stop")

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.datadir} -c fsync=off"
        self._ctl("-l", str(self.datadir / "server.log"), "-w", "-o", options, "start")

    def is_up(self) -> bool:
        ready = [*self.run_as, str(self.bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-q"]
        return subprocess.run(ready, capture_output=True, check=False, timeout=60).returncode == 0

    def ensure_started(self) -> None:
        if not self.is_up():
            self.start()

    def restart(self) -> None:
        self.stop()
        self.start()

    def new_database(self) -> str:
        name = f"faults_{uuid.uuid4().hex[:12]}"
        admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return self.url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    port = free_port()
    datadir = Path(f"/tmp/exemplar-faults-pg-{port}")  # under /tmp itself: the postgres user must reach it
    started = subprocess.run(
        [str(ROOT / "scripts" / "start-postgres")],
        env={**os.environ, "EXEMPLAR_PG_PORT": str(port), "EXEMPLAR_PG_DIR": str(datadir)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if started.returncode != 0:
        pytest.skip(f"cannot start a PostgreSQL of our own: {started.stderr.strip()}")
    bindir = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))[-1]
    run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    found = Cluster(started.stdout.strip(), port, datadir, bindir, run_as)
    try:
        yield found
    finally:
        subprocess.run(
            [*run_as, str(bindir / "pg_ctl"), "-D", str(datadir), "-m", "immediate", "stop"],
            capture_output=True,
            check=False,
            timeout=120,
        )
        shutil.rmtree(datadir, ignore_errors=True)


@pytest.fixture
def running_cluster(cluster: Cluster) -> Iterator[Cluster]:
    """The cluster, running at the start of the test and again at its end whatever the test did."""
    cluster.ensure_started()
    yield cluster
    cluster.ensure_started()


def test_serve_rides_out_postgresql_stopping_and_restarting(running_cluster: Cluster, tmp_path: Path) -> None:
    config = write_config(tmp_path, running_cluster.new_database())
    prepare(config, tmp_path)
    with serving(config, tmp_path) as (server, client):
        log_in(client)
        assert client.get("/desk").status_code == 200
        running_cluster.restart()
        # The pooled connections died with the server; the pool notices (pre-ping) and reconnects.
        assert client.get("/").status_code == 200
        assert client.get("/desk").status_code == 200
        mark = len(server.lines)
        running_cluster.stop()
        for path in ("/", "/desk"):
            assert client.get(path).status_code == 503, path
        health = client.get("/healthz")
        assert health.status_code == 503
        assert "exemplar-tests" not in health.text
        wait_for(lambda: "health check: database unavailable" in server.since(mark), "the log line")
        line = assert_logged_once(server.since(mark), "GET /desk: database unavailable")
        assert "not reachable" in line
        assert "exemplar-tests" not in server.output  # the password never reaches the log
        running_cluster.start()
        assert client.get("/healthz").text == "ok"
        assert client.get("/desk").status_code == 200
        assert server.alive()
    assert "Traceback" not in server.output


# --- exemplar run ---------------------------------------------------------------------------------

EVERY_3_SECONDS = "[schedule]\ncollect_every_minutes = 0.05\n"


def test_the_scheduler_outlives_a_locked_database(tmp_path: Path) -> None:
    database = tmp_path / "exemplar.db"
    config = write_config(tmp_path, f"sqlite:///{database}", EVERY_3_SECONDS)
    prepare(config, tmp_path)
    with running(config, tmp_path, "run") as scheduler:
        wait_for(
            lambda: 'Job "collect' in scheduler.output and "executed successfully" in scheduler.output,
            "a run",
        )
        mark = len(scheduler.lines)
        with locked(database):
            wait_for(lambda: "job store unavailable" in scheduler.since(mark), "the failure")
            assert scheduler.alive(), scheduler.output
        line = assert_logged_once(scheduler.since(mark), "job store unavailable")
        assert "locked by another process" in line
        after = len(scheduler.lines)
        wait_for(
            lambda: "collect" in scheduler.since(after) and "executed successfully" in scheduler.since(after),
            "the next collect to work",
        )
        assert scheduler.alive()
    assert "Traceback" not in scheduler.output


def test_the_scheduler_outlives_postgresql_stopping(running_cluster: Cluster, tmp_path: Path) -> None:
    config = write_config(tmp_path, running_cluster.new_database(), EVERY_3_SECONDS)
    prepare(config, tmp_path)
    with running(config, tmp_path, "run") as scheduler:
        wait_for(lambda: "executed successfully" in scheduler.output, "a run")
        mark = len(scheduler.lines)
        running_cluster.stop()
        wait_for(
            lambda: (
                "not reachable" in scheduler.since(mark) or "closed the connection" in scheduler.since(mark)
            ),
            "the failure",
        )
        # The heartbeat renews the lease every 30 s: its failure too is one line, not a traceback.
        wait_for(lambda: "heartbeat job failed" in scheduler.since(mark), "the heartbeat to fail")
        assert scheduler.alive(), scheduler.output
        running_cluster.start()
        after = len(scheduler.lines)
        wait_for(lambda: "executed successfully" in scheduler.since(after), "the next collect to work")
        assert scheduler.alive()
    assert "Traceback" not in scheduler.output
    assert "exemplar-tests" not in scheduler.output


def test_a_job_whose_database_is_down_logs_one_line_and_returns(
    running_cluster: Cluster, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = write_config(tmp_path, running_cluster.new_database())
    prepare(config, tmp_path)
    running_cluster.stop()
    with caplog.at_level(logging.INFO):
        collect_job(str(config))  # must not raise: the scheduler would log a traceback
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(failures) == 1
    message = failures[0].getMessage()
    assert message.startswith("collect job failed: database postgresql")
    assert "not reachable" in message
    assert "\n" not in message
    assert failures[0].exc_info is None
    running_cluster.start()
    caplog.clear()
    collect_job(str(config))  # works again, and writes down the failure it could not write then
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    report = run_exemplar("--config", str(config), "status", cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    assert "Scheduled jobs that failed" in report.stdout
    shown = next(line for line in report.stdout.splitlines() if line.strip().startswith("collect:"))
    assert "not reachable" in shown


# --- a command between two writes -----------------------------------------------------------------


def test_an_import_meeting_a_locked_database_keeps_what_was_stored_and_reruns_cleanly(tmp_path: Path) -> None:
    database = tmp_path / "exemplar.db"
    config = write_config(tmp_path, f"sqlite:///{database}")
    prepare(config, tmp_path)
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    first.write_text(json.dumps([status(str(n), content=f"<p>post {n} #fliplead</p>") for n in range(1, 21)]))
    second.write_text(
        json.dumps([status(str(n), content=f"<p>post {n} #fliplead</p>") for n in range(11, 41)])
    )

    def import_file(path: Path) -> subprocess.CompletedProcess[str]:
        return run_exemplar(
            "--config", str(config), "import", str(path), "--format", "mastodon", cwd=tmp_path
        )

    assert import_file(first).returncode == 0
    assert count(database, "posts") == 20
    with locked(database):
        line = assert_one_line_failure(import_file(second), 1)
    assert "locked by another process" in line
    assert count(database, "posts") == 20  # what was stored stays stored
    assert import_file(second).returncode == 0
    assert count(database, "posts") == 40  # the re-run stores the rest, each post once


def test_a_command_whose_postgresql_stops_exits_with_one_line(
    running_cluster: Cluster, tmp_path: Path
) -> None:
    config = write_config(tmp_path, running_cluster.new_database())
    prepare(config, tmp_path)
    archive = tmp_path / "statuses.json"
    archive.write_text(
        json.dumps([status(str(n), content=f"<p>post {n} #fliplead</p>") for n in range(1, 11)])
    )
    running_cluster.stop()
    line = assert_one_line_failure(
        run_exemplar("--config", str(config), "import", str(archive), "--format", "mastodon", cwd=tmp_path), 1
    )
    assert "not reachable" in line
    assert "exemplar-tests" not in line
    running_cluster.start()
    assert (
        run_exemplar(
            "--config", str(config), "import", str(archive), "--format", "mastodon", cwd=tmp_path
        ).returncode
        == 0
    )
