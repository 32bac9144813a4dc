"""The exactly-once log of digest emails: one row per digest and recipient, moved through its states
by compare-and-set updates, each committed before the step it describes.

``pending`` → ``sending`` (an attempt began: the message has not been handed over) → ``delivering``
(recorded just before the end of DATA: from here the server may have it) → ``sent``. From
``sending`` an attempt ends ``failed`` (retried later) or ``refused`` (for good); from ``delivering``
it ends ``sent``, ``refused``, ``failed`` (the server answered 4xx) or ``unconfirmed`` (no answer).
An ``unconfirmed`` or ``delivering`` row is never sent again automatically: only
``exemplar digest publish ID --retry-unconfirmed`` does that, once a curator has checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import CursorResult, and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import Digest, EmailDelivery, Subscription

PENDING, SENDING, DELIVERING, SENT = "pending", "sending", "delivering", "sent"
FAILED, UNCONFIRMED, REFUSED = "failed", "unconfirmed", "refused"
# Longer than any SMTP conversation (each step times out well before): an attempt still marked
# ``sending`` after this was cut off by a crash, and nothing was handed over.
ATTEMPT_LEASE = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class DeliveryState:
    recipient: str
    status: str
    attempts: int
    last_error: str | None
    sent_at: datetime | None


def states(session: Session, digest_id: int) -> dict[str, DeliveryState]:
    rows = session.scalars(select(EmailDelivery).where(EmailDelivery.digest_id == digest_id))
    return {
        row.recipient: DeliveryState(row.recipient, row.status, row.attempts, row.last_error, row.sent_at)
        for row in rows
    }


def ensure_rows(session: Session, digest_id: int, recipients: Sequence[str]) -> None:
    """A ``pending`` row for each recipient that has none (another process may add one meanwhile)."""
    known = set(session.scalars(select(EmailDelivery.recipient).where(EmailDelivery.digest_id == digest_id)))
    for recipient in recipients:
        if recipient in known:
            continue
        try:
            with session.begin_nested():
                session.add(
                    EmailDelivery(digest_id=digest_id, recipient=recipient, status=PENDING, attempts=0)
                )
        except IntegrityError:
            continue


def claim(
    session: Session, digest_id: int, recipient: str, now: datetime, *, max_attempts: int
) -> int | None:
    """Start an attempt if the recipient is owed one; returns its number, or ``None`` if not owed
    (sent, refused, unconfirmed, out of attempts, or being sent by another process right now)."""
    row = session.get(EmailDelivery, (digest_id, recipient))
    if row is None:
        return None
    stale = and_(EmailDelivery.status == SENDING, EmailDelivery.attempted_at < now - ATTEMPT_LEASE)
    result = session.execute(
        update(EmailDelivery)
        .where(
            EmailDelivery.digest_id == digest_id,
            EmailDelivery.recipient == recipient,
            EmailDelivery.attempts == row.attempts,
            EmailDelivery.attempts < max_attempts,
            or_(EmailDelivery.status.in_((PENDING, FAILED)), stale),
        )
        .values(status=SENDING, attempts=EmailDelivery.attempts + 1, attempted_at=now)
        .execution_options(synchronize_session=False)
    )
    if not isinstance(result, CursorResult) or result.rowcount != 1:
        return None
    return row.attempts + 1


def _move(
    session: Session,
    digest_id: int,
    recipient: str,
    attempt: int,
    *,
    from_status: str,
    **values: object,
) -> bool:
    result = session.execute(
        update(EmailDelivery)
        .where(
            EmailDelivery.digest_id == digest_id,
            EmailDelivery.recipient == recipient,
            EmailDelivery.attempts == attempt,
            EmailDelivery.status == from_status,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return isinstance(result, CursorResult) and result.rowcount == 1


def mark_handing_over(session: Session, digest_id: int, recipient: str, attempt: int) -> bool:
    """Just before the end of DATA: from now on the message may have reached the server."""
    return _move(session, digest_id, recipient, attempt, from_status=SENDING, status=DELIVERING)


def mark_outcome(
    session: Session,
    digest_id: int,
    recipient: str,
    attempt: int,
    status: str,
    *,
    error: str | None = None,
    message_id: str | None = None,
    now: datetime | None = None,
) -> bool:
    """Record how the attempt ended (from ``sending`` or ``delivering``)."""
    values: dict[str, object] = {"status": status, "last_error": error}
    if status == SENT:
        values.update(sent_at=now, message_id=message_id)
    return any(
        _move(session, digest_id, recipient, attempt, from_status=origin, **values)
        for origin in (DELIVERING, SENDING)
    )


def count_soft_failure_once(session: Session, digest_id: int, recipient: str) -> bool:
    """Whether this digest is the first failure of the address counted for it (one per digest)."""
    row = session.get(EmailDelivery, (digest_id, recipient))
    if row is None or row.soft_failure_counted:
        return False
    row.soft_failure_counted = True
    return True


def settle_interrupted(session: Session, digest_id: int, now: datetime) -> int:
    """Rows left ``delivering`` by a process that died after handing a message over become
    ``unconfirmed`` (never resent automatically)."""
    result = session.execute(
        update(EmailDelivery)
        .where(
            EmailDelivery.digest_id == digest_id,
            EmailDelivery.status == DELIVERING,
            EmailDelivery.attempted_at < now - ATTEMPT_LEASE,
        )
        .values(status=UNCONFIRMED, last_error="interrupted after the message was handed to the server")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount if isinstance(result, CursorResult) else 0


def retry_unconfirmed(session: Session, digest_id: int) -> list[str]:
    """The curator checked: the unconfirmed emails did not arrive. They are owed again (the counter
    starts afresh); returns their recipients. ``delivering`` rows count too, however recent: they are
    shown to the curator as unconfirmed."""
    rows = list(
        session.scalars(
            select(EmailDelivery).where(
                EmailDelivery.digest_id == digest_id, EmailDelivery.status.in_((UNCONFIRMED, DELIVERING))
            )
        )
    )
    for row in rows:
        row.status, row.attempts = FAILED, 0
        row.last_error = f"resent by the curator after: {row.last_error or 'no confirmation'}"
    return [row.recipient for row in rows]


def digests_with_failed_emails(session: Session) -> list[int]:
    """Published digests that still owe an active subscriber an email (unconfirmed ones are not owed)."""
    rows = session.scalars(
        select(EmailDelivery.digest_id)
        .join(Digest, Digest.id == EmailDelivery.digest_id)
        .join(Subscription, Subscription.email == EmailDelivery.recipient)
        .where(
            EmailDelivery.status.in_((FAILED, PENDING)),
            Digest.status == "published",
            Subscription.status == "active",
        )
        .distinct()
        .order_by(EmailDelivery.digest_id)
    )
    return list(rows)


def unconfirmed(session: Session, digest_id: int | None = None) -> list[EmailDelivery]:
    """Emails that may or may not have arrived, for the curator to check (oldest digest first)."""
    query = select(EmailDelivery).where(EmailDelivery.status.in_((UNCONFIRMED, DELIVERING)))
    if digest_id is not None:
        query = query.where(EmailDelivery.digest_id == digest_id)
    return list(session.scalars(query.order_by(EmailDelivery.digest_id, EmailDelivery.recipient)))
