"""Emailing a digest to leaders: each leader once per digest, failures retried, refusals reported."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from digests.mail import EmailTransport, RecipientRefusedError, TransientEmailError
from digests.model import Digest
from digests.render.email import render_email
from storage import publications
from storage.db import session_scope

log = logging.getLogger(__name__)


@dataclass(slots=True)
class EmailReport:
    """Who got the digest this run, who already had it, and who could not get it."""

    sent: list[str] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    unsubscribed: list[str] = field(default_factory=list)


def send_digest_emails(
    engine: Engine,
    digest: Digest,
    recipients: Sequence[str],
    transport: EmailTransport,
    *,
    sender: str,
    unsubscribe_link: Callable[[str], str],
    archive_url: str | None,
    max_attempts: int,
    clock: Callable[[], datetime],
) -> EmailReport:
    """Send the digest to every recipient who has not had it; each outcome is recorded at once."""
    report = EmailReport()
    with session_scope(engine) as session:
        gone = publications.unsubscribed(session)
        known = {r: (d.status, d.attempts) for r, d in publications.deliveries(session, digest.id).items()}
    for recipient in recipients:
        status, attempts = known.get(recipient, ("pending", 0))
        if recipient.lower() in gone:
            report.unsubscribed.append(recipient)
            continue
        if status == "sent":
            report.already_sent.append(recipient)
            continue
        if status == "refused" or attempts >= max_attempts:
            report.refused.append((recipient, f"not retried ({status} after {attempts} attempts)"))
            continue
        message = render_email(
            digest,
            sender=sender,
            recipient=recipient,
            unsubscribe_url=unsubscribe_link(recipient),
            archive_url=archive_url,
        )
        outcome, error = "sent", None
        try:
            transport.send(message)
        except RecipientRefusedError as refusal:
            outcome, error = "refused", str(refusal)
            report.refused.append((recipient, error))
        except TransientEmailError as failure:
            outcome, error = "failed", str(failure)
            report.failed.append((recipient, error))
        else:
            report.sent.append(recipient)
        with session_scope(engine) as session:
            row = publications.delivery(session, digest.id, recipient)
            row.status, row.last_error = outcome, error
            row.attempts += 1
            if outcome == "sent":
                row.sent_at, row.message_id = clock(), str(message["Message-ID"] or "")
        if error:
            log.warning("digest %d to %s: %s", digest.id, recipient, error)
    return report
