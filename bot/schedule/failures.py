"""A scheduled job that fails for a reason a person can act on (the database gone, a source down)
logs one line and leaves the scheduler running; its next run tries again. A bug still logs its
traceback (APScheduler's own handling), since that is what fixing it needs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec

from bot.errors import ExemplarError
from storage.failures import DATABASE_FAILURES, one_line

log = logging.getLogger("bot.schedule.wiring")

P = ParamSpec("P")

EXPECTED_FAILURES: tuple[type[Exception], ...] = (ExemplarError, *DATABASE_FAILURES)


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
