"""A lease held in the database, so that only one process does a piece of work at a time: one
scheduler per database, one run publishing a given digest.

The holder renews the lease with a heartbeat; a lease not renewed for ``stale_after`` is considered
abandoned (its process died) and may be taken over. An owner named ``host:pid`` whose process is
gone from this host has abandoned its lease at once.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.db import session_scope
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
    if lease.owner != owner and now - lease.heartbeat < stale_after and not _died_here(lease.owner):
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


def this_process() -> str:
    """An owner name for this process: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _died_here(owner: str) -> bool:
    """Whether ``owner`` (``host:pid``) was a process on this host that no longer runs."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # it runs, as another user
        return False
    return False


class LeaseTakenError(Exception):
    """Someone else holds the lease."""

    def __init__(self, holder: Lease) -> None:
        super().__init__(f"held by {holder.owner} since {holder.heartbeat.isoformat(timespec='seconds')}")
        self.holder = holder


@contextmanager
def holding(
    engine: Engine,
    name: str,
    *,
    clock: Callable[[], datetime],
    stale_after: timedelta,
    owner: str | None = None,
) -> Iterator[None]:
    """Hold the lease ``name`` while the block runs; raises :class:`LeaseTakenError` if another process
    holds it. The lease is taken and released in transactions of their own, so others see it."""
    me = owner or this_process()
    with session_scope(engine) as session:
        holder = acquire(session, name, me, clock(), stale_after)
    if holder is not None:
        raise LeaseTakenError(holder)
    try:
        yield
    finally:
        with session_scope(engine) as session:
            release(session, name, me)
