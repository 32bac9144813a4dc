"""Telling curators: the weekly health email, and an alert (at most once a day) when a source has
gone quiet or keeps failing. Sent to ``[health] recipients``, else to every curator of the desk."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import Engine

from bot.config import Settings
from bot.health.report import HealthReport, gather, needs_a_person, render_text
from digests.mail import EmailError, EmailTransport
from storage import health as figures
from storage.db import session_scope

log = logging.getLogger(__name__)

REPORT_STAMP = "health_report_sent_at"
ALERT_STAMP = "health_alert_sent_at"
# The weekly job may be retried after a misfire or a restart: one report per week at most.
REPORT_EVERY = timedelta(days=6)
ALERT_EVERY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Notice:
    """What a notify call did, for the log and for ``exemplar status --send``."""

    sent_to: tuple[str, ...]
    skipped: str | None = None
    failed: tuple[str, ...] = ()


def _message(settings: Settings, recipient: str, subject: str, body: str, now: datetime) -> EmailMessage:
    assert settings.email is not None
    message = EmailMessage()
    message["From"] = settings.email.sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=settings.email.sender.rsplit("@", 1)[-1].rstrip(">"))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message


def _recipients(engine: Engine, settings: Settings) -> list[str]:
    if settings.health.recipients:
        return list(settings.health.recipients)
    with session_scope(engine) as session:
        return figures.curator_emails(session)


def _send(
    engine: Engine,
    settings: Settings,
    transport: EmailTransport | None,
    subject: str,
    body: str,
    now: datetime,
) -> Notice:
    if settings.email is None or transport is None:
        return Notice((), skipped="no [email] section in the config: nowhere to send from")
    recipients = _recipients(engine, settings)
    if not recipients:
        return Notice((), skipped="no recipients: set [health] recipients or add a curator")
    sent, failed = [], []
    for recipient in recipients:
        try:
            transport.send(_message(settings, recipient, subject, body, now))
        except EmailError as error:
            log.error("health email to %s failed: %s", recipient, error)
            failed.append(recipient)
        else:
            sent.append(recipient)
    return Notice(tuple(sent), failed=tuple(failed))


def report_subject(report: HealthReport) -> str:
    line = needs_a_person(report).removeprefix("Needs a person: ")
    return f"Exemplar weekly health: {line}"[:160]


def send_weekly_report(
    engine: Engine,
    settings: Settings,
    transport: EmailTransport | None,
    now: datetime,
    *,
    force: bool = False,
) -> Notice:
    """Email the week's report to the curators, unless one went out less than six days ago."""
    with session_scope(engine) as session:
        last = figures.read_stamp(session, REPORT_STAMP)
        if not force and last is not None and now - last < REPORT_EVERY:
            return Notice((), skipped=f"already sent at {last:%Y-%m-%d %H:%M} UTC")
        report = gather(session, settings, now)
    notice = _send(engine, settings, transport, report_subject(report), render_text(report), now)
    if notice.sent_to:
        with session_scope(engine) as session:
            figures.write_stamp(session, REPORT_STAMP, now)
    return notice


def send_alerts_if_due(
    engine: Engine, settings: Settings, transport: EmailTransport | None, now: datetime
) -> Notice:
    """Email an alert when a source has gone quiet or keeps failing, at most once a day."""
    with session_scope(engine) as session:
        report = gather(session, settings, now)
        if not report.alerts:
            return Notice((), skipped="nothing to alert about")
        last = figures.read_stamp(session, ALERT_STAMP)
    if last is not None and now - last < ALERT_EVERY:
        return Notice((), skipped=f"an alert already went out at {last:%Y-%m-%d %H:%M} UTC")
    body = (
        "Exemplar needs a person:\n\n"
        + "\n".join(f"- {alert}" for alert in report.alerts)
        + "\n\nThe full figures follow (`exemplar status` prints them too).\n\n"
        + render_text(report)
    )
    subject = f"Exemplar alert: {report.alerts[0]}"[:160]
    notice = _send(engine, settings, transport, subject, body, now)
    if notice.sent_to:
        with session_scope(engine) as session:
            figures.write_stamp(session, ALERT_STAMP, now)
    return notice
