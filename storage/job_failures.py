"""Scheduled jobs that failed, kept for the health report: the last failure of each job, by name."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import AppState

_PREFIX = "job_failure:"


@dataclass(frozen=True, slots=True)
class JobFailure:
    job: str
    at: datetime
    error: str


def record_failure(session: Session, failure: JobFailure) -> None:
    """Keep ``failure`` as its job's last one (an older one it replaces)."""
    value = json.dumps({"at": failure.at.isoformat(), "error": failure.error[:2000]})
    row = session.get(AppState, _PREFIX + failure.job)
    if row is None:
        session.add(AppState(key=_PREFIX + failure.job, value=value))
    elif json.loads(row.value)["at"] < failure.at.isoformat():
        row.value = value


def failures_since(session: Session, since: datetime) -> list[JobFailure]:
    """Each job's last failure, if it happened at or after ``since``; the oldest first."""
    rows = session.scalars(select(AppState).where(AppState.key.startswith(_PREFIX)))
    found = []
    for row in rows:
        data = json.loads(row.value)
        failure = JobFailure(row.key.removeprefix(_PREFIX), datetime.fromisoformat(data["at"]), data["error"])
        if failure.at >= since:
            found.append(failure)
    return sorted(found, key=lambda failure: failure.at)
