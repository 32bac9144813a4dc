"""Desk sessions held on the server: start at login, look up per request, end on logout, on a
password change and when a curator is removed.

The cookie carries a random token; only its SHA-256 is stored, so reading the table (a backup, a
log of queries) gives nobody a working cookie.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from storage.models import Curator, DeskSession

# A token is 43 URL-safe characters; anything much longer is not one of ours.
MAX_TOKEN_LENGTH = 128
# Last-seen times are rewritten at most this often, so a busy page does not write on every request.
SEEN_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class ActiveSession:
    """A live session: whose it is and the CSRF token its forms carry."""

    curator_id: int
    email: str
    csrf: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def start_session(
    session: Session, curator: Curator, *, now: datetime, lifetime: timedelta, client: str = ""
) -> str:
    """A new session for ``curator``; returns the token for the cookie (shown once, never stored)."""
    token = secrets.token_urlsafe(32)
    session.add(
        DeskSession(
            token_hash=token_hash(token),
            curator_id=curator.id,
            csrf=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
            client=client[:64],
        )
    )
    session.execute(delete(DeskSession).where(DeskSession.expires_at <= now))
    return token


# Built once (its cache key too): the statement every desk request runs first.
_LIVE_SESSION = (
    select(
        DeskSession.curator_id,
        DeskSession.csrf,
        DeskSession.last_seen_at,
        DeskSession.expires_at,
        Curator.email,
    )
    .join(Curator, Curator.id == DeskSession.curator_id)
    .where(DeskSession.token_hash == bindparam("token_hash"))
)


def find_session(
    session: Session, token: str, *, now: datetime, idle_timeout: timedelta
) -> ActiveSession | None:
    """The live session behind ``token``, or None (unknown, expired, idle too long, curator gone)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    hashed = token_hash(token)
    # Plain columns on the connection: this runs before every desk page, and builds no ORM object.
    connection = session.connection()
    found = connection.execute(_LIVE_SESSION, {"token_hash": hashed}).first()
    if found is None:
        return None
    this_session = DeskSession.token_hash == hashed
    if found.expires_at <= now or found.last_seen_at + idle_timeout <= now:
        connection.execute(delete(DeskSession).where(this_session))
        return None
    if now - found.last_seen_at >= SEEN_RESOLUTION:
        connection.execute(update(DeskSession).where(this_session).values(last_seen_at=now))
    return ActiveSession(curator_id=found.curator_id, email=found.email, csrf=found.csrf)


def end_session(session: Session, token: str) -> None:
    if token and len(token) <= MAX_TOKEN_LENGTH:
        session.execute(delete(DeskSession).where(DeskSession.token_hash == token_hash(token)))


def end_sessions_of(session: Session, curator_id: int) -> int:
    """End every session of one curator; returns how many were live."""
    result = session.execute(delete(DeskSession).where(DeskSession.curator_id == curator_id))
    return int(getattr(result, "rowcount", 0) or 0)


def live_session_counts(session: Session, now: datetime) -> dict[int, int]:
    """Live sessions per curator id."""
    rows = session.execute(
        select(DeskSession.curator_id, func.count())
        .where(DeskSession.expires_at > now)
        .group_by(DeskSession.curator_id)
    )
    return {curator_id: int(count) for curator_id, count in rows}
