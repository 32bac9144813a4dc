"""Emailing a digest to leaders: each leader once per digest, failures retried, refusals reported."""

from __future__ import annotations

import logging
import time
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
    retries_now: int = 2,
    backoff_seconds: float = 2.0,
    sleep: Callable[[float], None] = time.sleep,
) -> EmailReport:
    """Send the digest to every recipient who has not had it; each outcome is recorded at once.

    A temporary failure is retried ``retries_now`` times in this run (with backoff), then left for a
    later run, up to ``max_attempts`` attempts in all; a refusal is final and reported.
    """
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
            sent_at=clock(),
        )
        outcome, error, tries = "failed", None, 0
        while tries <= retries_now and attempts + tries < max_attempts:
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
                outcome, error = "sent", None
                break
        if outcome == "sent":
            report.sent.append(recipient)
        elif outcome == "refused":
            report.refused.append((recipient, error or ""))
        else:
            report.failed.append((recipient, error or ""))
        with session_scope(engine) as session:
            row = publications.delivery(session, digest.id, recipient)
            row.status, row.last_error = outcome, error
            row.attempts += tries
            if outcome == "sent":
                row.sent_at, row.message_id = clock(), str(message["Message-ID"] or "")
        if error:
            log.warning("digest %d to %s: %s", digest.id, recipient, error)
    return report
