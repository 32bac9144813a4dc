"""The scheduler: fixed jobs in the database's job store, coalesced misfires, one per database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from mastodon_mock.testing import MockServer
from sqlalchemy import Engine, func, select, text

from bot.config import load_settings
from bot.schedule.wiring import SchedulerBusyError, build_scheduler, job_specs, take_lease
from storage import locks
from storage.db import create_db_engine, session_scope, upgrade_schema
from storage.models import Post

CONFIG = """
hashtags = ["fliplead"]
[database]
url = "sqlite:///exemplar.db"
[digest]
timezone = "Europe/London"
[schedule]
collect_every_minutes = 15
draft_day = "monday"
draft_time = "07:30"
publish_day = "tuesday"
publish_time = "12:00"
misfire_grace_minutes = 60
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "exemplar.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


@pytest.fixture
def db(tmp_path: Path) -> Engine:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'exemplar.db'}")
    upgrade_schema(engine)
    return engine


def test_triggers_fire_when_configured_in_the_time_zone(config: Path) -> None:
    specs = {spec.id: spec for spec in job_specs(load_settings(config))}
    london = ZoneInfo("Europe/London")
    saturday = datetime(2026, 10, 24, 9, tzinfo=london)  # British Summer Time ends the next day

    draft = specs["draft"].trigger.get_next_fire_time(None, saturday)
    assert draft == datetime(2026, 10, 26, 7, 30, tzinfo=london)
    assert draft.utcoffset() == timedelta(0)  # GMT by then: 07:30 local, not 06:30
    publish = specs["publish"].trigger.get_next_fire_time(None, saturday)
    assert publish == datetime(2026, 10, 27, 12, tzinfo=london)
    collect = specs["collect"].trigger
    first = collect.get_next_fire_time(None, saturday)
    assert collect.get_next_fire_time(first, first) - first == timedelta(minutes=15)


def test_misfire_grace_is_bounded_for_frequent_jobs(config: Path) -> None:
    specs = {spec.id: spec for spec in job_specs(load_settings(config))}
    assert specs["collect"].misfire_grace_seconds == 450  # half an interval: the next collect is near
    assert specs["draft"].misfire_grace_seconds == 3600


def test_jobs_are_stored_under_fixed_ids_and_restarts_never_duplicate_them(config: Path, db: Engine) -> None:
    settings = load_settings(config)
    for _ in range(3):
        scheduler = build_scheduler(settings, db, str(config), BackgroundScheduler)
        scheduler.start(paused=True)
        jobs = scheduler.get_jobs(jobstore="default")
        assert sorted(job.id for job in jobs) == [
            "collect",
            "draft",
            "health-alerts",
            "health-report",
            "publish",
            "remind",
            "retry-emails",
        ]
        assert all(job.coalesce and job.max_instances == 1 for job in jobs)
        scheduler.shutdown(wait=False)
    with db.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM apscheduler_jobs")).scalar() == 7


def test_a_due_job_runs_for_real(config: Path, db: Engine, tmp_path: Path) -> None:
    with MockServer() as server:
        server.client().status_post("A flipped meeting video #fliplead")
        config.write_text(CONFIG + f'[[mastodon]]\nbase_url = "{server.base_url}"\n', encoding="utf-8")
        scheduler = build_scheduler(load_settings(config), db, str(config), BackgroundScheduler)
        done = threading.Event()
        scheduler.add_listener(lambda event: done.set() if event.job_id == "collect" else None, 2**12 | 2**13)
        scheduler.start(paused=True)
        scheduler.modify_job("collect", next_run_time=datetime.now(UTC))
        scheduler.resume()
        assert done.wait(20)
        scheduler.shutdown(wait=True)
    with session_scope(db) as session:
        assert session.scalar(select(func.count()).select_from(Post)) == 1


def test_one_scheduler_per_database(db: Engine) -> None:
    now = datetime(2026, 11, 24, 12, tzinfo=UTC)
    take_lease(db, "host-a:1", now)
    with pytest.raises(SchedulerBusyError, match=r"another `exemplar run` \(host-a:1\)"):
        take_lease(db, "host-b:2", now + timedelta(seconds=30))
    # A lease whose heartbeat stopped (its process died) can be taken over.
    take_lease(db, "host-b:2", now + timedelta(minutes=5))
    with session_scope(db) as session:
        assert not locks.renew(session, "scheduler", "host-a:1", now)
        assert locks.renew(session, "scheduler", "host-b:2", now)
        locks.release(session, "scheduler", "host-b:2")
    take_lease(db, "host-c:3", now)


def test_exemplar_run_refuses_a_second_scheduler_and_stops_cleanly_on_sigterm(
    config: Path, db: Engine
) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-c", "from bot.cli import main; main()", "--config", str(config), "run"]
    first = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with db.connect() as connection:
                if connection.execute(
                    text("SELECT count(*) FROM app_state WHERE key = 'lease:scheduler'")
                ).scalar():
                    break
            time.sleep(0.1)
        second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30)
        assert second.returncode == 1
        assert "another `exemplar run`" in second.stderr
        first.send_signal(signal.SIGTERM)
        _, log_output = first.communicate(timeout=20)
        assert first.returncode == 0
    finally:
        if first.poll() is None:
            first.kill()
            first.communicate()
    assert "scheduler stopped" in log_output
    with db.connect() as connection:
        assert (
            connection.execute(text("SELECT count(*) FROM app_state WHERE key = 'lease:scheduler'")).scalar()
            == 0
        )
