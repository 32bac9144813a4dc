"""A lease held in the database, so that only one scheduler runs per database.

The holder renews the lease with a heartbeat; a lease not renewed for ``stale_after`` is considered
abandoned (its process died) and may be taken over.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import AppState


@dataclass(frozen=True, slots=True)
class Lease:
    owner: str
    heartbeat: datetime


def _read(row: AppState) -> Lease:
    data = json.loads(row.value)
    return Lease(owner=str(data["owner"]), heartbeat=datetime.fromisoformat(data["heartbeat"]))


def _value(owner: str, now: datetime) -> str:
    return json.dumps({"owner": owner, "heartbeat": now.isoformat()})


def acquire(session: Session, name: str, owner: str, now: datetime, stale_after: timedelta) -> Lease | None:
    """Take the lease ``name`` for ``owner``; returns the current holder's lease if someone else has it."""
    key = f"lease:{name}"
    row = session.get(AppState, key, with_for_update=True)
    if row is None:
        try:
            with session.begin_nested():
                session.add(AppState(key=key, value=_value(owner, now)))
        except IntegrityError:
            row = session.get(AppState, key, populate_existing=True)
            if row is None:
                raise
        else:
            return None
    lease = _read(row)
    if lease.owner != owner and now - lease.heartbeat < stale_after:
        return lease
    row.value = _value(owner, now)
    return None


def renew(session: Session, name: str, owner: str, now: datetime) -> bool:
    """Refresh the heartbeat; returns False if ``owner`` no longer holds the lease."""
    row = session.get(AppState, f"lease:{name}", with_for_update=True)
    if row is None or _read(row).owner != owner:
        return False
    row.value = _value(owner, now)
    return True


def release(session: Session, name: str, owner: str) -> None:
    row = session.get(AppState, f"lease:{name}")
    if row is not None and _read(row).owner == owner:
        session.delete(row)
