"""`exemplar import --jobs N`: worker processes parse, normalise and classify while the importing
process screens and stores, and what is stored is exactly what one process stores; a worker that dies
stops the import in one line, keeping every batch stored before it."""

from __future__ import annotations

import json
import os
import platform
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, func, make_url, select, text

from bot.jobs.imports import BATCH_SIZE, ImportSummary, import_file
from bot.jobs.store import PostStore
from storage.db import create_db_engine, session_scope, upgrade_schema
from storage.models import Post, PostLabel, PostTag, RemovedPost, Sighting
from tests.cli_process import EXEMPLAR, assert_one_line_failure, run_exemplar
from tests.payloads import account, boost_of, status

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
OPTED_OUT = account("quiet", note="<p>Teacher. #nobot</p>")


@pytest.fixture
def twin(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    """A second fresh database of the same kind as ``engine``'s."""
    if database_url.startswith("sqlite"):
        other = f"sqlite:///{tmp_path / 'twin.db'}"
        admin = None
    else:
        url = make_url(database_url)
        name = f"{url.database}_twin_{uuid.uuid4().hex[:6]}"
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        other = url.set(database=name).render_as_string(hide_password=False)
    db = create_db_engine(other)
    upgrade_schema(db)
    yield db
    db.dispose()
    if admin is not None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(other).database}" WITH (FORCE)'))
        admin.dispose()


def mixed_lines(total: int) -> list[str]:
    """Statuses over several batches, with everything an import must get right in order."""
    lines: list[str] = []
    for n in range(1, total + 1):
        content = f"<p>Flipped staff meeting {n} #fliplead</p>"
        if n % 7 == 0:
            content = f"<p>Anyone tried Screencastify for parent newsletters? {n} #fliplead</p>"
        if n % 11 == 0:
            content = f'<p>Our recap <a href="https://youtu.be/v{n}">youtu.be/v{n}</a> #fliplead</p>'
        record = status(str(n), content=content, created_at=(NOW - timedelta(minutes=n)).isoformat())
        if n % 97 == 0:
            record = status(str(n), content=content, visibility="private")
        lines.append(json.dumps(record))
        if n % 101 == 0:
            lines.append("{not json at all")
        if n % 131 == 0:
            lines.append("null")
        if n % 143 == 0:
            lines.append(json.dumps({"id": str(n), "content": "no uri"}))  # fails to normalise
        if n % 173 == 0:
            lines.append(json.dumps(status(f"{n}9", content="<p>Broken \ud800 text #fliplead</p>")))
        if n % 89 == 0:
            lines.append(
                json.dumps(boost_of(status(f"{n}1", content=f"<p>Boosted {n} #fliplead</p>"), f"{n}2"))
            )
        if n % 233 == 0:  # a later, edited copy of an earlier post: the later copy wins
            edited = status(str(n - 200), content=f"<p>Edited {n} #fliplead</p>", edited_at=NOW.isoformat())
            lines.append(json.dumps(edited))
        if n % 307 == 0:  # the very same line again, batches later: skipped by its stored digest
            lines.append(lines[max(0, len(lines) - 600)])
        if n == total // 2:  # an author who opted out, with a post stored batches earlier
            lines.append(json.dumps(status(f"{n}5", author=OPTED_OUT)))
        if n == 3:  # before the author opted out
            lines.append(json.dumps(status("35", author=account("quiet"))))
    return lines


def snapshot(engine: Engine) -> dict[str, Any]:
    """Everything the import stored, with database ids replaced by post URIs."""
    with session_scope(engine) as session:
        uri_of: dict[int, str] = dict(session.execute(select(Post.id, Post.uri)).all())

        def rows(model: Any) -> list[str]:
            found = []
            for row in session.execute(select(model.__table__)).mappings():
                values = {key: value for key, value in row.items() if key != "id"}
                if "post_id" in values:
                    values["post_id"] = uri_of.get(values["post_id"], values["post_id"])
                found.append(repr(sorted(values.items())))
            return sorted(found)

        return {
            model.__tablename__: rows(model) for model in (Post, PostTag, Sighting, PostLabel, RemovedPost)
        }


def imported(engine: Engine, path: Path, jobs: int) -> ImportSummary:
    return import_file(
        engine, path, hashtags=("fliplead",), clock=lambda: NOW, store=PostStore(), fmt="mastodon", jobs=jobs
    )


def comparable(summary: ImportSummary) -> tuple[Any, ...]:
    return (summary.read, summary.new, summary.updated, summary.removed, summary.skipped, summary.bad_lines)


def test_two_jobs_store_exactly_what_one_stores(engine: Engine, twin: Engine, tmp_path: Path) -> None:
    lines = mixed_lines(1600)
    assert len(lines) > 3 * BATCH_SIZE  # enough batches for the workers to be used
    path = tmp_path / "statuses.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    alone, pooled = imported(engine, path, jobs=1), imported(twin, path, jobs=2)

    assert comparable(pooled) == comparable(alone)
    assert alone.bad_lines
    assert alone.removed
    assert alone.updated
    assert alone.skipped["opted out"]
    stored = snapshot(engine)
    assert snapshot(twin) == stored
    assert len(stored["post_labels"]) > 100
    assert stored["sightings"]

    # Again with some lines changed: the unchanged ones are skipped by their digest in both.
    changed = [
        json.dumps(
            status(str(n), content=f"<p>Changed {n}, anyone? #fliplead</p>", edited_at=NOW.isoformat())
        )
        if n % 5 == 0
        else line
        for n, line in enumerate(lines, start=1)
    ]
    path.write_text("\n".join(changed) + "\n", encoding="utf-8")
    alone, pooled = imported(engine, path, jobs=1), imported(twin, path, jobs=2)
    assert comparable(pooled) == comparable(alone)
    assert alone.updated
    assert snapshot(twin) == snapshot(engine)


def posts_in(database: Path) -> int:
    engine = create_db_engine(f"sqlite:///{database}")
    try:
        with session_scope(engine) as session:
            return int(session.scalar(select(func.count()).select_from(Post)) or 0)
    finally:
        engine.dispose()


def children_of(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def workers_of(pid: int) -> list[int]:
    """The pool's worker processes among ``pid``'s children (not multiprocessing's resource tracker)."""
    return [child for child in children_of(pid) if b"multiprocessing.spawn" in _command_line(child)]


def _command_line(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:  # it has ended since it was listed
        return b""


# The number of write(2), which multiprocessing's connections send with, by machine.
_WRITE_SYSCALL = {"x86_64": "1", "aarch64": "64", "armv7l": "4", "ppc64le": "4", "s390x": "4"}


def blocked_writing(pid: int) -> bool:
    """Whether ``pid`` is blocked in write(2), on a pipe or socket nobody reads: in the middle of a
    message."""
    try:
        return Path(f"/proc/{pid}/syscall").read_text().split()[0] == _WRITE_SYSCALL[platform.machine()]
    except (FileNotFoundError, ProcessLookupError, IndexError):  # it has ended since it was listed
        return False


def kill_worker_at_random(importer: int) -> None:
    workers = workers_of(importer)
    assert workers, "no worker processes"
    os.kill(workers[-1], signal.SIGKILL)


def kill_worker_mid_message(importer: int) -> None:
    """Kill a worker halfway through sending its work back. The importing process is stopped, so that
    a worker sending work fills the pipe it reads and blocks inside the message; if none is sending
    now, the importing process goes on a moment and is stopped again."""
    if platform.machine() not in _WRITE_SYSCALL:
        pytest.skip(f"the write(2) system call's number on {platform.machine()} is not known here")
    deadline = time.monotonic() + 60
    while True:
        assert time.monotonic() < deadline, "no worker caught sending its work in a minute"
        os.kill(importer, signal.SIGSTOP)
        try:
            stopped = time.monotonic()
            while time.monotonic() < stopped + 0.5:
                blocked = [pid for pid in workers_of(importer) if blocked_writing(pid)]
                if blocked:
                    os.kill(blocked[0], signal.SIGKILL)
                    return
                time.sleep(0.01)
        finally:
            os.kill(importer, signal.SIGCONT)
        time.sleep(0.02)


@pytest.mark.parametrize("kill", [kill_worker_at_random, kill_worker_mid_message])
def test_a_killed_worker_stops_the_import_in_one_line_and_keeps_what_was_stored(
    tmp_path: Path, kill: Callable[[int], None]
) -> None:
    total = 12_000
    path = tmp_path / "statuses.jsonl"
    path.write_text("".join(json.dumps(status(str(n))) + "\n" for n in range(1, total + 1)), encoding="utf-8")
    config = tmp_path / "exemplar.toml"
    config.write_text(
        'hashtags = ["fliplead"]\n[database]\nurl = "sqlite:///exemplar.db"\n', encoding="utf-8"
    )
    assert run_exemplar("--config", str(config), "db", "upgrade", cwd=tmp_path).returncode == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXEMPLAR_")}
    command = [EXEMPLAR, "--config", str(config), "import", "--format", "mastodon", "--jobs", "2", str(path)]
    process = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while posts_in(tmp_path / "exemplar.db") < BATCH_SIZE:
            assert process.poll() is None, "the import ended before a worker could be killed"
            assert time.monotonic() < deadline, "no batch stored in a minute"
            time.sleep(0.05)
        kill(process.pid)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:  # hung: its workers would outlive it
            for worker in workers_of(process.pid):
                os.kill(worker, signal.SIGKILL)
            process.kill()
            process.communicate()
    result = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    line = assert_one_line_failure(result, 1)
    assert "worker process died" in line
    assert "run the same import again" in line
    kept = posts_in(tmp_path / "exemplar.db")
    assert BATCH_SIZE <= kept < total

    again = run_exemplar(
        "--config", str(config), "import", "--format", "mastodon", "--jobs", "2", str(path), cwd=tmp_path
    )
    assert again.returncode == 0, again.stderr
    assert posts_in(tmp_path / "exemplar.db") == total
    assert f"new {total - kept}" in again.stdout


def a_batch_is_stored(importer: int, database: Path) -> bool:
    return posts_in(database) >= BATCH_SIZE


def workers_are_starting(importer: int, database: Path) -> bool:
    """The workers exist but are still starting Python and importing: Ctrl-C reaches them before
    they have set themselves up to ignore it."""
    return bool(workers_of(importer))


@pytest.mark.parametrize("moment", [a_batch_is_stored, workers_are_starting])
def test_ctrl_c_stops_the_import_in_one_line_and_keeps_what_was_stored(
    tmp_path: Path, moment: Callable[[int, Path], bool]
) -> None:
    total = 12_000
    path = tmp_path / "statuses.jsonl"
    path.write_text("".join(json.dumps(status(str(n))) + "\n" for n in range(1, total + 1)), encoding="utf-8")
    config = tmp_path / "exemplar.toml"
    config.write_text(
        'hashtags = ["fliplead"]\n[database]\nurl = "sqlite:///exemplar.db"\n', encoding="utf-8"
    )
    assert run_exemplar("--config", str(config), "db", "upgrade", cwd=tmp_path).returncode == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXEMPLAR_")}
    command = [EXEMPLAR, "--config", str(config), "import", "--format", "mastodon", "--jobs", "2", str(path)]
    # Its own process group, as a terminal's foreground job: Ctrl-C reaches the workers too.
    process = subprocess.Popen(
        command,
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not moment(process.pid, tmp_path / "exemplar.db"):
            assert process.poll() is None, "the import ended before it could be interrupted"
            assert time.monotonic() < deadline, f"{moment.__name__}: not so in a minute"
            time.sleep(0.005)
        assert children_of(process.pid), "no worker processes"
        os.killpg(process.pid, signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    line = assert_one_line_failure(
        subprocess.CompletedProcess(command, process.returncode, stdout, stderr), 130
    )
    assert "interrupted" in line
    stored_first = BATCH_SIZE if moment is a_batch_is_stored else 0
    assert stored_first <= posts_in(tmp_path / "exemplar.db") < total


def test_the_workers_batches_are_checked_for_stored_payloads_less_often_while_none_are() -> None:
    from bot.jobs.imports import STORED_CHECK_MAX_GAP, _StoredChecks

    stored_in = {4, 6, 7, 8}  # the batches (by number) holding payloads stored already
    looked: list[int] = []

    class Run:
        number = 0

        def stored(self, digests: list[str]) -> dict[str, str]:
            looked.append(self.number)
            return {"digest": "uri"} if self.number in stored_in else {}

    run, checks = Run(), _StoredChecks()
    for number in range(60):
        run.number = number
        checks.stored(run, ["digest"])  # type: ignore[arg-type]

    # Batch 4 is missed (its payloads are checked only as they are stored); from 6, one batch with
    # some sets the checks back to every batch.
    assert looked == [0, 2, 6, 7, 8, 9, 11, 15, 23, 39, 55]
    assert STORED_CHECK_MAX_GAP == 16
