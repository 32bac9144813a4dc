"""``exemplar run``: APScheduler 3 wiring, and nothing else.

Jobs live in the same database (an SQLAlchemy job store) under fixed ids, so restarting never
duplicates them; missed runs are coalesced into one if they are within the grace time; one scheduler
runs per database (a lease in the database, renewed by a heartbeat); SIGTERM and SIGINT shut it down
cleanly, letting a running job finish.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine

from bot.config import Settings
from bot.errors import ExemplarError
from bot.schedule.failures import EXPECTED_FAILURES, in_one_line
from storage import locks
from storage.db import session_scope
from storage.failures import one_line

log = logging.getLogger(__name__)

LEASE = "scheduler"
HEARTBEAT_SECONDS = 30
STALE_AFTER = timedelta(seconds=HEARTBEAT_SECONDS * 4)
JOB_TABLE = "apscheduler_jobs"
DAY_ABBREVIATIONS = {
    "monday": "mon",
    "tuesday": "tue",
    "wednesday": "wed",
    "thursday": "thu",
    "friday": "fri",
    "saturday": "sat",
    "sunday": "sun",
}


class SteadyScheduler(BlockingScheduler):  # type: ignore[misc]
    """APScheduler's blocking scheduler, whose loop outlives its job store failing.

    APScheduler survives only a failed read of due jobs; when storing a job's next run time fails
    (the database locked, removed or stopped), the error ends its loop and so the process. Here it is
    one log line, and the loop tries again after the job store retry interval; a job that ran but
    whose next time could not be stored runs again on the next pass (each job is safe to repeat).
    """

    def _process_jobs(self) -> float | None:
        try:
            wait: float | None = super()._process_jobs()
        except EXPECTED_FAILURES as error:
            retry = float(self.jobstore_retry_interval)
            log.error("job store unavailable: %s; trying again in %g s", one_line(error), retry)
            return retry
        return wait


class SchedulerBusyError(ExemplarError):
    """Another scheduler already runs against this database."""


@dataclass(frozen=True, slots=True)
class JobSpec:
    """One scheduled job: a fixed id, the function (by reference) and when it runs."""

    id: str
    func: str
    trigger: BaseTrigger
    misfire_grace_seconds: int


def next_publish_time(settings: Settings, now: datetime) -> datetime | None:
    """When the ``publish`` job next runs after ``now``."""
    publish = next(spec for spec in job_specs(settings) if spec.id == "publish")
    fire_at: datetime | None = publish.trigger.get_next_fire_time(None, now)
    return fire_at


def job_specs(settings: Settings) -> list[JobSpec]:
    """The jobs ``exemplar run`` schedules, from ``[schedule]`` and ``[digest] timezone``."""
    schedule = settings.schedule
    zone = settings.digest.timezone
    grace = int(schedule.misfire_grace_minutes * 60)
    collect_every = timedelta(minutes=schedule.collect_every_minutes)
    return [
        JobSpec(
            "collect",
            "bot.schedule.jobs:collect_job",
            IntervalTrigger(seconds=int(collect_every.total_seconds()), timezone=zone),
            # A collect more than half an interval late is better skipped: the next one is near.
            min(grace, max(1, int(collect_every.total_seconds() / 2))),
        ),
        JobSpec(
            "draft",
            "bot.schedule.jobs:draft_job",
            _weekly(schedule.draft_day, schedule.draft_time, zone),
            grace,
        ),
        JobSpec(
            "publish",
            "bot.schedule.jobs:publish_job",
            _weekly(schedule.publish_day, schedule.publish_time, zone),
            grace,
        ),
        *_reminder(schedule, zone, grace),
        JobSpec(
            "retry-emails",
            "bot.schedule.jobs:retry_emails_job",
            IntervalTrigger(seconds=int(schedule.email_retry_minutes * 60), timezone=zone),
            grace,
        ),
        JobSpec(
            "health-report",
            "bot.schedule.jobs:health_report_job",
            _weekly(settings.health.report_day, settings.health.report_time, zone),
            grace,
        ),
        JobSpec(
            "health-alerts",
            "bot.schedule.jobs:health_alert_job",
            IntervalTrigger(seconds=int(settings.health.check_every_minutes * 60), timezone=zone),
            grace,
        ),
    ]


def _reminder(schedule: Any, zone: str, grace: int) -> list[JobSpec]:
    """The reminder to curators, ``remind_before_publish_minutes`` before publish time (none at 0)."""
    before = round(schedule.remind_before_publish_minutes)
    if before <= 0:
        return []
    hour, minute = (int(part) for part in schedule.publish_time.split(":"))
    week = 7 * 24 * 60
    at = (list(DAY_ABBREVIATIONS).index(schedule.publish_day) * 1440 + hour * 60 + minute - before) % week
    day, rest = divmod(at, 1440)
    trigger = _weekly(list(DAY_ABBREVIATIONS)[day], f"{rest // 60:02d}:{rest % 60:02d}", zone)
    return [JobSpec("remind", "bot.schedule.jobs:remind_job", trigger, grace)]


def _weekly(day: str, time_of_day: str, zone: str) -> CronTrigger:
    hour, minute = (int(part) for part in time_of_day.split(":"))
    return CronTrigger(day_of_week=DAY_ABBREVIATIONS[day], hour=hour, minute=minute, timezone=zone)


def build_scheduler(
    settings: Settings,
    engine: Engine,
    config_path: str,
    scheduler_class: Callable[..., BaseScheduler] = SteadyScheduler,
) -> BaseScheduler:
    """A scheduler whose jobs are stored in the Exemplar database, added (or replaced) by fixed id."""
    scheduler = scheduler_class(
        jobstores={
            "default": SQLAlchemyJobStore(engine=engine, tablename=JOB_TABLE),
            "memory": MemoryJobStore(),
        },
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=settings.digest.timezone,
    )
    for spec in job_specs(settings):
        scheduler.add_job(
            spec.func,
            trigger=spec.trigger,
            id=spec.id,
            name=spec.id,
            args=[config_path],
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=spec.misfire_grace_seconds,
        )
    return scheduler


def lease_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def take_lease(engine: Engine, owner: str, now: datetime) -> None:
    """Become the database's scheduler, or raise :class:`SchedulerBusyError` naming who already is."""
    with session_scope(engine) as session:
        holder = locks.acquire(session, LEASE, owner, now, STALE_AFTER)
    if holder is not None:
        raise SchedulerBusyError(
            f"another `exemplar run` ({holder.owner}) is already scheduling jobs for this database "
            f"(last heartbeat {holder.heartbeat:%Y-%m-%d %H:%M:%S} UTC); stop it first, or wait "
            f"{int(STALE_AFTER.total_seconds())} s if it has died"
        )


def run(settings: Settings, engine: Engine, config_path: str, clock: Callable[[], datetime]) -> None:
    """Run the scheduler in the foreground until SIGTERM or SIGINT."""
    owner = lease_owner()
    take_lease(engine, owner, clock())
    scheduler = build_scheduler(settings, engine, config_path)

    @in_one_line("heartbeat")
    def heartbeat() -> None:
        with session_scope(engine) as session:
            if not locks.renew(session, LEASE, owner, clock()):
                log.error("lost the scheduler lease to another process; stopping")
                scheduler.shutdown(wait=False)

    # The heartbeat lives in memory only: it belongs to this process, not to the database's job list.
    scheduler.add_job(
        heartbeat, IntervalTrigger(seconds=HEARTBEAT_SECONDS), id="heartbeat", jobstore="memory"
    )

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s: finishing the running job, then stopping", signal.Signals(signum).name)
        scheduler.shutdown(wait=True)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        for job in scheduler.get_jobs():
            log.info("scheduled %s: next run %s", job.id, getattr(job, "next_run_time", None) or job.trigger)
        scheduler.start()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        with session_scope(engine) as session:
            locks.release(session, LEASE, owner)
        log.info("scheduler stopped")


def describe_jobs(scheduler: BaseScheduler) -> list[dict[str, Any]]:
    """The stored jobs, for `exemplar run --list` and tests."""
    return [
        {"id": job.id, "trigger": str(job.trigger), "next_run_time": getattr(job, "next_run_time", None)}
        for job in scheduler.get_jobs(jobstore="default")
    ]


def planned_jobs(settings: Settings, engine: Engine | None, now: datetime) -> list[dict[str, Any]]:
    """The jobs ``exemplar run`` schedules and when each runs next, for ``exemplar run --list``.

    Nothing is started and nothing is written: the next run is the one stored by a scheduler that
    has run against this database, else the trigger's next time from ``now``.
    """
    stored = _stored_next_runs(engine) if engine is not None else {}
    return [
        {
            "id": spec.id,
            "trigger": str(spec.trigger),
            "next_run_time": stored.get(spec.id) or spec.trigger.get_next_fire_time(None, now),
            "stored": spec.id in stored,
        }
        for spec in job_specs(settings)
    ]


def _stored_next_runs(engine: Engine) -> dict[str, datetime]:
    from sqlalchemy import inspect, text

    with engine.connect() as connection:
        if not inspect(connection).has_table(JOB_TABLE):
            return {}
        rows = connection.execute(text(f"SELECT id, next_run_time FROM {JOB_TABLE}"))
        return {
            str(job_id): datetime.fromtimestamp(float(epoch), UTC)
            for job_id, epoch in rows
            if epoch is not None
        }
