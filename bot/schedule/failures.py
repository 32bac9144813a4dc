"""A scheduled job that fails for a reason a person can act on (the database gone, a source down)
logs one line and leaves the scheduler running; its next run tries again. The failure is kept for
the health report: at once if the database takes the write, else by the next job that can write.
A bug still logs its traceback (APScheduler's own handling), since that is what fixing it needs."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import ParamSpec

from bot.errors import ExemplarError
from bot.runtime import opened_app, utc_now
from storage.db import session_scope
from storage.failures import DATABASE_FAILURES, one_line
from storage.job_failures import JobFailure, record_failure

log = logging.getLogger("bot.schedule.wiring")

P = ParamSpec("P")

EXPECTED_FAILURES: tuple[type[Exception], ...] = (ExemplarError, *DATABASE_FAILURES)

# Failures not yet written to the database (it was the thing that failed), per scheduler process.
_unrecorded: list[JobFailure] = []
_unrecorded_lock = threading.Lock()


def in_one_line(job: str) -> Callable[[Callable[P, None]], Callable[P, None]]:
    """Run the job; if it fails with an expected failure, log it in one line instead of raising."""

    def decorate(func: Callable[P, None]) -> Callable[P, None]:
        @wraps(func)
        def run(*args: P.args, **kwargs: P.kwargs) -> None:
            try:
                func(*args, **kwargs)
            except EXPECTED_FAILURES as error:
                log.error("%s job failed: %s (the next run tries again)", job, one_line(error))

        return run

    return decorate


def scheduled_job(job: str) -> Callable[[Callable[[str], None]], Callable[[str], None]]:
    """:func:`in_one_line` for a job run from its config path, its failures kept for the health report."""

    def decorate(func: Callable[[str], None]) -> Callable[[str], None]:
        @wraps(func)
        def run(config_path: str) -> None:
            try:
                func(config_path)
            except EXPECTED_FAILURES as error:
                log.error("%s job failed: %s (the next run tries again)", job, one_line(error))
                with _unrecorded_lock:
                    _unrecorded.append(JobFailure(job, utc_now(), one_line(error)))
            _record_unrecorded(config_path)

        return run

    return decorate


def _record_unrecorded(config_path: str) -> None:
    with _unrecorded_lock:
        pending = list(_unrecorded)
    if not pending:
        return
    try:
        with opened_app(Path(config_path)) as app, session_scope(app.engine) as session:
            for failure in pending:
                record_failure(session, failure)
    except EXPECTED_FAILURES:
        return  # still unreachable: the next job tries again
    with _unrecorded_lock:
        del _unrecorded[: len(pending)]
