"""The digest list: who gets digest emails, kept in the database.

The config's ``[email] recipients`` seeds it: each address is added once, the first time it is seen,
so an address that unsubscribed later stays off whatever the config still lists. Anyone else joins by
double opt-in (:func:`request_subscription`, then :func:`confirm`). Addresses the mail server refuses
for good, or that fail softly too many digests in a row, are suspended until they confirm again or a
curator resumes them.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Subscription

ACTIVE, PENDING, UNSUBSCRIBED, SUSPENDED = "active", "pending", "unsubscribed", "suspended"
STATUSES = (ACTIVE, PENDING, UNSUBSCRIBED, SUSPENDED)

TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")


def normalise_address(email: str) -> str:
    return email.strip().lower()


def find(session: Session, email: str) -> Subscription | None:
    return session.get(Subscription, normalise_address(email))


def find_by_token(session: Session, token: str) -> Subscription | None:
    """The subscription whose unsubscribe link carries ``token``; anything not shaped like one of
    our tokens (``secrets.token_urlsafe``) is no token, and never reaches the database."""
    if not TOKEN_SHAPE.fullmatch(token):
        return None
    return session.scalars(select(Subscription).where(Subscription.unsubscribe_token == token)).first()


def _new(session: Session, email: str, status: str, source: str, now: datetime) -> Subscription:
    row = Subscription(
        email=normalise_address(email),
        status=status,
        source=source,
        unsubscribe_token=secrets.token_urlsafe(16),
        created_at=now,
        updated_at=now,
        confirmed_at=now if status == ACTIVE else None,
        soft_failures=0,
    )
    session.add(row)
    session.flush()
    return row


def seed(session: Session, addresses: Iterable[str], now: datetime) -> list[str]:
    """Add the config's addresses that the list has never seen; returns those added."""
    wanted = list(dict.fromkeys(normalise_address(a) for a in addresses))
    if not wanted:
        return []
    known = set(session.scalars(select(Subscription.email).where(Subscription.email.in_(wanted))))
    added = [address for address in wanted if address not in known]
    for address in added:
        _new(session, address, ACTIVE, "config", now)
    return added


def pending_seed(session: Session, addresses: Iterable[str]) -> list[str]:
    """The config's addresses :func:`seed` would add (for dry runs, which write nothing)."""
    wanted = list(dict.fromkeys(normalise_address(a) for a in addresses))
    known = set(session.scalars(select(Subscription.email).where(Subscription.email.in_(wanted))))
    return [address for address in wanted if address not in known]


def active_addresses(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(Subscription.email).where(Subscription.status == ACTIVE).order_by(Subscription.email)
        )
    )


def listing(session: Session, status: str | None = None) -> list[Subscription]:
    query = select(Subscription).order_by(Subscription.status, Subscription.email)
    if status:
        query = query.where(Subscription.status == status)
    return list(session.scalars(query))


def unsubscribe_token_of(session: Session, email: str, now: datetime) -> str:
    """The address's unsubscribe token (an address emailed without a row gets one)."""
    row = find(session, email) or _new(session, email, ACTIVE, "config", now)
    return row.unsubscribe_token


def request_subscription(
    session: Session, email: str, now: datetime, *, resend_after: timedelta
) -> str | None:
    """Record that someone asked to subscribe ``email``; returns the nonce for its confirmation link,
    or ``None`` when a confirmation went to that address less than ``resend_after`` ago.

    Nothing changes for the address until the link is followed: an active address stays active, an
    unsubscribed one stays off the list.
    """
    row = find(session, email)
    if row is None:
        row = _new(session, email, PENDING, "form", now)
    elif row.confirm_sent_at is not None and now - row.confirm_sent_at < resend_after:
        return None
    row.confirm_nonce = secrets.token_urlsafe(12)
    row.confirm_sent_at = now
    return row.confirm_nonce


def confirm(session: Session, email: str, nonce: str, now: datetime) -> bool:
    """Follow a confirmation link: the address is on the list (again). A link works once."""
    row = find(session, email)
    if row is None or not row.confirm_nonce or not secrets.compare_digest(row.confirm_nonce, nonce):
        return False
    row.status, row.confirmed_at, row.updated_at = ACTIVE, now, now
    row.confirm_nonce, row.soft_failures, row.suspended_reason = None, 0, None
    return True


def unsubscribe(session: Session, email: str, now: datetime) -> bool:
    """Take ``email`` off the list for good (until it subscribes again); returns whether it was on."""
    row = find(session, email) or _new(session, email, UNSUBSCRIBED, "config", now)
    was_on = row.status == ACTIVE
    row.status, row.updated_at, row.confirm_nonce = UNSUBSCRIBED, now, None
    return was_on


def suspend(session: Session, email: str, reason: str, now: datetime) -> None:
    row = find(session, email) or _new(session, email, SUSPENDED, "config", now)
    if row.status in (ACTIVE, SUSPENDED):
        row.status, row.suspended_reason, row.updated_at = SUSPENDED, reason, now


def resume(session: Session, email: str, now: datetime) -> bool:
    """A curator puts a suspended address back on the list; returns whether it was suspended."""
    row = find(session, email)
    if row is None or row.status != SUSPENDED:
        return False
    row.status, row.suspended_reason, row.soft_failures, row.updated_at = ACTIVE, None, 0, now
    return True


def record_delivered(session: Session, email: str) -> None:
    row = find(session, email)
    if row is not None:
        row.soft_failures = 0


def record_soft_failure(session: Session, email: str, reason: str, now: datetime, *, limit: int) -> bool:
    """Count one more digest the address failed softly; at ``limit`` in a row it is suspended."""
    row = find(session, email)
    if row is None:
        return False
    row.soft_failures += 1
    if row.soft_failures >= limit and row.status == ACTIVE:
        suspend(session, email, f"{row.soft_failures} digests in a row failed: {reason}", now)
        return True
    return False
