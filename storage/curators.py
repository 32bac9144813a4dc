"""Curator accounts. A new password, or removing a curator, ends their sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Curator
from storage.sessions import end_sessions_of, live_session_counts


@dataclass(frozen=True, slots=True)
class CuratorChange:
    """What :func:`add_curator` did: created the account, or changed its password (ending sessions)."""

    curator: Curator
    created: bool
    sessions_ended: int = 0


def add_curator(session: Session, email: str, password_hash: str, now: datetime) -> Curator:
    """Create a curator, or set a new password for an existing one (ending their sessions)."""
    return set_curator(session, email, password_hash, now).curator


def set_curator(session: Session, email: str, password_hash: str, now: datetime) -> CuratorChange:
    """Like :func:`add_curator`, saying whether the account is new and how many sessions ended."""
    address = email.strip().lower()
    curator = session.scalar(select(Curator).where(Curator.email == address))
    if curator is None:
        curator = Curator(email=address, password_hash=password_hash, created_at=now)
        session.add(curator)
        session.flush()
        return CuratorChange(curator, created=True)
    curator.password_hash = password_hash
    ended = end_sessions_of(session, curator.id)
    session.flush()
    return CuratorChange(curator, created=False, sessions_ended=ended)


def find_curator(session: Session, email: str) -> Curator | None:
    return session.scalar(select(Curator).where(Curator.email == email.strip().lower()))


@dataclass(frozen=True, slots=True)
class CuratorListing:
    email: str
    created_at: datetime
    last_login_at: datetime | None
    live_sessions: int


def list_curators(session: Session, now: datetime) -> list[CuratorListing]:
    """Every curator, by email, with their last login and how many sessions are live."""
    counts = live_session_counts(session, now)
    return [
        CuratorListing(row.email, row.created_at, row.last_login_at, counts.get(row.id, 0))
        for row in session.scalars(select(Curator).order_by(Curator.email))
    ]


def remove_curator(session: Session, email: str) -> int | None:
    """Remove a curator and end their sessions; returns the sessions ended, or None if unknown."""
    curator = find_curator(session, email)
    if curator is None:
        return None
    ended = end_sessions_of(session, curator.id)
    session.delete(curator)
    session.flush()
    return ended
