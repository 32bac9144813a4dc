"""Login throttles kept in the database, so every ``serve --workers`` process sees the same counts.

Each login attempt is counted *before* its password is checked (:func:`reserve_attempt`), under row
locks, so parallel guesses sent to several workers cannot all slip past the limit. A successful login
gives the attempt back (:func:`settle_success`). Keys are opaque strings chosen by the caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import LoginThrottle, table_of


@dataclass(frozen=True, slots=True)
class Backoff:
    """``free`` failures cost nothing; each one after waits twice as long as the last, up to a cap.

    Failures are forgotten once a key has been quiet for ``forget_after``. Nothing is ever locked for
    good: the wait is at most ``max_seconds``.

    >>> [Backoff(free=2, base_seconds=1, max_seconds=5).delay(n) for n in range(1, 7)]
    [0.0, 1.0, 2.0, 4.0, 5.0, 5.0]
    """

    free: int = 5
    base_seconds: float = 1.0
    max_seconds: float = 300.0
    forget_after: timedelta = timedelta(hours=1)

    def delay(self, failures: int) -> float:
        """Seconds to wait after the ``failures``-th failure before the next attempt."""
        if failures < self.free:
            return 0.0
        return float(min(self.max_seconds, self.base_seconds * 2 ** (failures - self.free)))


def reserve_attempt(session: Session, policies: Mapping[str, Backoff], now: datetime) -> float:
    """Count one attempt against every key, or none if any key must still wait.

    Returns 0 when the attempt may go ahead (it is counted as a failure until
    :func:`settle_success`), or the seconds left to wait (nothing counted). Run it in its own
    transaction: the first statement takes the rows' write locks.
    """
    keys = sorted(policies)  # one lock order for every process: no deadlocks
    _lock_rows(session, keys, now)
    rows = {row.key: row for row in session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(keys)))}
    wait = 0.0
    for key in keys:
        row = rows[key]
        if row.next_allowed_at is not None and row.next_allowed_at > now:
            wait = max(wait, (row.next_allowed_at - now).total_seconds())
    if wait > 0:
        return wait
    for key in keys:
        row, policy = rows[key], policies[key]
        failures = 0 if row.updated_at + policy.forget_after <= now else row.failures
        row.failures = failures + 1
        delay = policy.delay(row.failures)
        row.next_allowed_at = now + timedelta(seconds=delay) if delay else None
        row.updated_at = now
    oldest = max(policy.forget_after + timedelta(seconds=policy.max_seconds) for policy in policies.values())
    session.execute(delete(LoginThrottle).where(LoginThrottle.updated_at < now - oldest))
    return 0.0


def settle_success(session: Session, forget: str, refund: Mapping[str, Backoff]) -> None:
    """After a good password: clear the ``forget`` key, and give back the attempt on the others."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == forget))
    for row in session.scalars(
        select(LoginThrottle).where(LoginThrottle.key.in_(list(refund))).with_for_update()
    ):
        row.failures = max(0, row.failures - 1)
        if refund[row.key].delay(row.failures) == 0:
            row.next_allowed_at = None


def _lock_rows(session: Session, keys: list[str], now: datetime) -> None:
    """Make sure each key has a row, and hold its write lock for the rest of the transaction."""
    table = table_of(LoginThrottle)
    dialect = session.get_bind().dialect.name
    values = [{"key": key, "failures": 0, "next_allowed_at": None, "updated_at": now} for key in keys]
    if dialect == "postgresql":
        pg = postgresql_insert(table).values(values)
        session.execute(pg.on_conflict_do_update(index_elements=["key"], set_={"failures": table.c.failures}))
    else:
        lite = sqlite_insert(table).values(values)
        session.execute(
            lite.on_conflict_do_update(index_elements=["key"], set_={"failures": table.c.failures})
        )
