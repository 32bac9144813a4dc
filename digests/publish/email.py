"""Emailing a digest to its subscribers: each exactly once, whatever fails when.

Each attempt is recorded before it starts and again just before the end of DATA (see
:mod:`storage.deliveries`), each time committed, so a crash at any moment leaves a row that says
whether the message may have gone out. Failures before the end of DATA are retried (now with backoff,
then on later runs up to ``max_attempts``); a missing answer after it leaves the email
``unconfirmed`` for the curator; a 5xx refusal suspends the address.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from digests.mail import (
    EmailTransport,
    RecipientRefusedError,
    TransientEmailError,
    UnconfirmedEmailError,
)
from digests.model import Digest
from digests.render.email import render_email
from storage import deliveries
from storage import subscriptions as subs
from storage.db import session_scope

log = logging.getLogger(__name__)


class _ClaimLostError(Exception):
    """Raised before the end of DATA when the delivery's row no longer belongs to this attempt."""


@dataclass(slots=True)
class EmailReport:
    """Who got the digest this run, who already had it, and who could not get it (and why)."""

    sent: list[str] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    unconfirmed: list[tuple[str, str]] = field(default_factory=list)
    suspended: list[str] = field(default_factory=list)
    busy: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class EmailPolicy:
    """How hard to try: attempts in this run and in all, and when an address is suspended."""

    max_attempts: int = 5
    retries_now: int = 2
    backoff_seconds: float = 2.0
    suspend_after_soft_failures: int = 3


def send_digest_emails(
    engine: Engine,
    digest: Digest,
    recipients: Sequence[str],
    transport: EmailTransport,
    *,
    sender: str,
    unsubscribe_link: Callable[[str], str],
    archive_url: str | None,
    clock: Callable[[], datetime],
    policy: EmailPolicy | None = None,
    feed_url: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> EmailReport:
    """Send the digest to every recipient still owed it; ``recipients`` are the active subscribers.

    Recipients who already had it, or whose delivery is unconfirmed or refused, are only reported.
    """
    policy = policy or EmailPolicy()
    report = EmailReport()
    wanted = list(dict.fromkeys(subs.normalise_address(r) for r in recipients))
    with session_scope(engine) as session:
        deliveries.settle_interrupted(session, digest.id, clock())
        deliveries.ensure_rows(session, digest.id, wanted)
    for recipient in wanted:
        _deliver(
            engine,
            digest,
            recipient,
            transport,
            report,
            policy,
            clock,
            sleep,
            sender=sender,
            unsubscribe_url=unsubscribe_link(recipient),
            archive_url=archive_url,
            feed_url=feed_url,
        )
    return report


def _deliver(
    engine: Engine,
    digest: Digest,
    recipient: str,
    transport: EmailTransport,
    report: EmailReport,
    policy: EmailPolicy,
    clock: Callable[[], datetime],
    sleep: Callable[[float], None],
    *,
    sender: str,
    unsubscribe_url: str,
    archive_url: str | None,
    feed_url: str | None,
) -> None:
    message = render_email(
        digest,
        sender=sender,
        recipient=recipient,
        unsubscribe_url=unsubscribe_url,
        archive_url=archive_url,
        feed_url=feed_url,
        sent_at=clock(),
    )
    tries = 0
    while True:
        with session_scope(engine) as session:
            attempt = deliveries.claim(
                session, digest.id, recipient, clock(), max_attempts=policy.max_attempts
            )
            state = deliveries.states(session, digest.id)[recipient]
        if attempt is None:
            _report_untouched(report, state)
            return
        tries += 1

        def handing_over(number: int = attempt) -> None:
            with session_scope(engine) as session:
                if not deliveries.mark_handing_over(session, digest.id, recipient, number):
                    raise _ClaimLostError

        try:
            transport.send(message, handing_over=handing_over)
        except _ClaimLostError:
            # Another run took this delivery over (ours looked abandoned): it sends, not us.
            report.busy.append(recipient)
            return
        except RecipientRefusedError as refusal:
            _finish(engine, digest.id, recipient, attempt, deliveries.REFUSED, str(refusal), clock)
            with session_scope(engine) as session:
                subs.suspend(session, recipient, str(refusal), clock())
            report.refused.append((recipient, str(refusal)))
            report.suspended.append(recipient)
            log.warning("digest %d to %s: %s (address suspended)", digest.id, recipient, refusal)
            return
        except UnconfirmedEmailError as unsure:
            _finish(engine, digest.id, recipient, attempt, deliveries.UNCONFIRMED, str(unsure), clock)
            report.unconfirmed.append((recipient, str(unsure)))
            log.warning("digest %d to %s: %s", digest.id, recipient, unsure)
            return
        except TransientEmailError as failure:
            _finish(engine, digest.id, recipient, attempt, deliveries.FAILED, str(failure), clock)
            if failure.address_specific and _count_soft_failure(
                engine, digest.id, recipient, str(failure), policy, clock
            ):
                report.failed.append((recipient, str(failure)))
                report.suspended.append(recipient)
                return
            if tries > policy.retries_now or attempt >= policy.max_attempts:
                report.failed.append((recipient, str(failure)))
                log.warning("digest %d to %s: %s (retried later)", digest.id, recipient, failure)
                return
            sleep(policy.backoff_seconds * 2 ** (tries - 1))
            continue
        _finish(
            engine, digest.id, recipient, attempt, deliveries.SENT, None, clock, str(message["Message-ID"])
        )
        with session_scope(engine) as session:
            subs.record_delivered(session, recipient)
        report.sent.append(recipient)
        return


def _finish(
    engine: Engine,
    digest_id: int,
    recipient: str,
    attempt: int,
    status: str,
    error: str | None,
    clock: Callable[[], datetime],
    message_id: str | None = None,
) -> None:
    with session_scope(engine) as session:
        deliveries.mark_outcome(
            session, digest_id, recipient, attempt, status, error=error, message_id=message_id, now=clock()
        )


def _count_soft_failure(
    engine: Engine,
    digest_id: int,
    recipient: str,
    reason: str,
    policy: EmailPolicy,
    clock: Callable[[], datetime],
) -> bool:
    """Count the digest once against the address; returns whether the address is now suspended."""
    with session_scope(engine) as session:
        if not deliveries.count_soft_failure_once(session, digest_id, recipient):
            return False
        suspended = subs.record_soft_failure(
            session, recipient, reason, clock(), limit=policy.suspend_after_soft_failures
        )
    if suspended:
        log.warning("digest %d to %s: suspended after repeated soft failures", digest_id, recipient)
    return suspended


def _report_untouched(report: EmailReport, state: deliveries.DeliveryState) -> None:
    recipient, error = state.recipient, state.last_error or ""
    if state.status == deliveries.SENT:
        report.already_sent.append(recipient)
    elif state.status in (deliveries.UNCONFIRMED, deliveries.DELIVERING):
        report.unconfirmed.append((recipient, error or "no confirmation from the server"))
    elif state.status == deliveries.SENDING:
        report.busy.append(recipient)
    elif state.status == deliveries.REFUSED:
        report.refused.append((recipient, error))
    else:
        report.failed.append(
            (recipient, f"not retried ({state.attempts} attempts, the most allowed): {error}")
        )
