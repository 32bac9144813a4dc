"""Telling curators a draft waits for them: one email each when the weekly draft is ready, and one
reminder before publish time if it is still not approved.

Each (digest, curator, kind) is sent at most once: the outcome is recorded the moment it is known, so
a re-run (a restarted scheduler, a re-drafted digest) never sends the same notice twice. Composing
the message (:func:`render_notice`) is pure.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import TYPE_CHECKING

from sqlalchemy import Engine, select

from bot.jobs.digest import digest_view
from digests.mail import EmailTransport, RecipientRefusedError, TransientEmailError
from digests.model import SECTION_TITLES, SECTIONS, Digest
from digests.render.sanitize import no_mentions
from storage.db import session_scope
from storage.models import Curator, CuratorNotice
from storage.models import Digest as DigestRow

if TYPE_CHECKING:
    from bot.runtime import App

log = logging.getLogger(__name__)

READY = "ready"
REMINDER = "reminder"
MAX_ATTEMPTS = 5


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class NoticeReport:
    sent: list[str] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def review_url(public_url: str | None, digest_id: int) -> str:
    """Where a curator reviews a digest; a bare path when no public URL is configured."""
    return f"{(public_url or '').rstrip('/')}/desk/digests/{digest_id}"


def render_notice(
    digest: Digest,
    kind: str,
    *,
    sender: str,
    recipient: str,
    link: str,
    publish_at: datetime | None,
    sent_at: datetime,
) -> EmailMessage:
    """The email telling ``recipient`` that ``digest`` waits for review (``kind``: ready or reminder)."""
    heading = no_mentions(digest.heading)
    when = (
        f"{publish_at:%A} {publish_at.day} {publish_at:%B at %H:%M} ({digest.timezone})"
        if publish_at
        else "the next publish run"
    )
    counts = ", ".join(
        f"{len(digest.section(s))} {SECTION_TITLES[s].lower()}" for s in SECTIONS if digest.section(s)
    )
    message = EmailMessage()
    if kind == READY:
        message["Subject"] = f"Draft ready for review: {heading}"
        opening = f"The draft of {heading} is ready for review ({counts or 'no items yet'})."
    else:
        message["Subject"] = f"Reminder: {heading} is not approved yet"
        opening = f"The draft of {heading} is still waiting for approval ({counts or 'no items yet'})."
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = format_datetime(sent_at)
    domain = sender.rsplit("@", 1)[-1].rstrip(">") or "exemplar.invalid"
    seed = hashlib.sha256(f"{digest.id}:{recipient}:{kind}".encode()).hexdigest()[:16]
    message["Message-ID"] = make_msgid(idstring=f"curator-{kind}-{digest.id}-{seed}", domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(
        f"{opening}\n\n"
        f"Review, edit and approve it here:\n{link}\n\n"
        f"Only an approved digest is published; the next publish run is {when}.\n\n"
        "You receive this because you are a curator of this Exemplar desk.\n"
    )
    return message


def send_notices(
    engine: Engine,
    digest: Digest,
    kind: str,
    transport: EmailTransport,
    *,
    sender: str,
    public_url: str | None,
    publish_at: datetime | None,
    clock: Callable[[], datetime],
    retries_now: int = 2,
    backoff_seconds: float = 2.0,
    sleep: Callable[[float], None] = time.sleep,
) -> NoticeReport:
    """Email every curator about ``digest`` once; failures are retried here, then on a later run."""
    report = NoticeReport()
    with session_scope(engine) as session:
        recipients = list(session.scalars(select(Curator.email).order_by(Curator.email)))
        known = {
            row.recipient: (row.status, row.attempts)
            for row in session.scalars(
                select(CuratorNotice).where(CuratorNotice.digest_id == digest.id, CuratorNotice.kind == kind)
            )
        }
    link = review_url(public_url, digest.id)
    for recipient in recipients:
        status, attempts = known.get(recipient, ("pending", 0))
        if status == "sent":
            report.already_sent.append(recipient)
            continue
        if status == "refused" or attempts >= MAX_ATTEMPTS:
            continue
        message = render_notice(
            digest,
            kind,
            sender=sender,
            recipient=recipient,
            link=link,
            publish_at=publish_at,
            sent_at=clock(),
        )
        outcome, error, tries = "failed", "", 0
        while tries <= retries_now and attempts + tries < MAX_ATTEMPTS:
            if tries:
                sleep(backoff_seconds * 2 ** (tries - 1))
            tries += 1
            try:
                transport.send(message)
            except RecipientRefusedError as refusal:
                outcome, error = "refused", str(refusal)
                break
            except TransientEmailError as failure:
                outcome, error = "failed", str(failure)
            else:
                outcome, error = "sent", ""
                break
        with session_scope(engine) as session:
            row = session.get(CuratorNotice, (digest.id, recipient, kind))
            if row is None:
                row = CuratorNotice(digest_id=digest.id, recipient=recipient, kind=kind, attempts=0)
                session.add(row)
            row.status, row.last_error = outcome, error or None
            row.attempts = (row.attempts or 0) + tries
            row.sent_at = clock() if outcome == "sent" else None
        if outcome == "sent":
            report.sent.append(recipient)
        else:
            report.failed.append((recipient, error))
            log.warning("%s notice for digest %d to %s: %s", kind, digest.id, recipient, error)
    return report


def drafts_awaiting_reminder(engine: Engine) -> list[int]:
    """Drafts still not approved whose curators were told they were ready (the scheduler's drafts).

    Each curator is reminded of each draft once: :func:`send_notices` skips those already reminded.
    """
    with session_scope(engine) as session:
        told = select(CuratorNotice.digest_id).where(CuratorNotice.kind == READY)
        return list(
            session.scalars(
                select(DigestRow.id)
                .where(DigestRow.status == "draft", DigestRow.id.in_(told))
                .order_by(DigestRow.id)
            )
        )


def notify_curators(app: App, digest_id: int, kind: str, publish_at: datetime | None) -> NoticeReport | None:
    """Email the curators about one digest through the configured mail settings (None without any).

    ``publish_at``: when the scheduler next publishes approved digests (the email says so)."""
    from bot.jobs.publish import email_transport

    email = app.settings.email
    transport = email_transport(email)
    if email is None or transport is None:
        log.info("no [email] section: curators are not emailed about digest %d", digest_id)
        return None
    if not app.settings.configured_public_url:
        log.warning("set [archive] public_url so that curator emails link to the desk")
    with session_scope(app.engine) as session:
        row = session.get(DigestRow, digest_id)
        if row is None:
            return None
        digest = digest_view(session, row, app.store)
    report = send_notices(
        app.engine,
        digest,
        kind,
        transport,
        sender=email.sender,
        public_url=app.settings.configured_public_url,
        publish_at=publish_at,
        clock=utc_now,
    )
    if report.sent:
        log.info("digest %d: %s notice sent to %d curators", digest_id, kind, len(report.sent))
    return report
