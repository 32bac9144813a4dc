"""The functions the scheduler runs. Each opens the app from the config path (jobs are stored in the
database by reference, so they take only plain arguments) and calls one job."""

from __future__ import annotations

import logging
from pathlib import Path

from bot.consent.optout_requests import check_optout_requests
from bot.health.runs import collect_and_record
from bot.jobs.collect import CollectOptions, collector_for
from bot.jobs.curator_notices import READY, REMINDER, drafts_awaiting_reminder, notify_curators
from bot.runtime import opened_app, utc_now
from bot.schedule.failures import EXPECTED_FAILURES, scheduled_job
from bot.schedule.wiring import next_publish_time
from digests.lifecycle import EmptyDigestError
from storage import digests as digest_repo
from storage.db import session_scope
from storage.deliveries import digests_with_failed_emails
from storage.failures import one_line

log = logging.getLogger("bot.schedule.wiring")


@scheduled_job("collect")
def collect_job(config_path: str) -> None:
    """Collect every configured source once, then read opt-out requests sent to the bot."""
    with opened_app(Path(config_path)) as app:
        collector = collector_for(app.settings, app.engine, utc_now, app.store)
        summaries = collect_and_record(collector, app.settings, CollectOptions(), utc_now)
        for summary in summaries:
            (log.info if summary.ok else log.error)("%s", summary.describe())
        check_optout_requests(app.settings, app.engine, utc_now)


@scheduled_job("draft")
def draft_job(config_path: str) -> None:
    """Draft the digest of the week that just ended."""
    from bot.jobs.services import service_for

    with opened_app(Path(config_path)) as app:
        report = service_for(app, "scheduler", with_home=True).draft()
        log.info("digest %d drafted from %d candidates", report.digest_id, report.candidates)
        if not report.items:
            # Drafted so the curator sees the week was empty, but never published (Discourse's rule).
            log.warning(
                "%s", report.empty_note or f"digest {report.digest_id} is empty; it will not be published"
            )
        try:
            now = utc_now()
            notify_curators(app, report.digest_id, READY, next_publish_time(app.settings, now))
        except Exception:  # the draft stands; telling curators failing must not undo it
            log.exception("digest %d: could not tell the curators it is ready", report.digest_id)


@scheduled_job("remind")
def remind_job(config_path: str) -> None:
    """Remind curators, once, of drafts still not approved before publish time."""
    with opened_app(Path(config_path)) as app:
        now = utc_now()
        for digest_id in drafts_awaiting_reminder(app.engine):
            notify_curators(app, digest_id, REMINDER, next_publish_time(app.settings, now))


@scheduled_job("publish")
def publish_job(config_path: str) -> None:
    """Publish every approved digest, oldest first (and finish any publish that was interrupted)."""
    with opened_app(Path(config_path)) as app, session_scope(app.engine) as session:
        due = [
            row.id for row in reversed(digest_repo.list_digests(session, statuses=("approved",), limit=20))
        ]
    _publish_each(config_path, due)


@scheduled_job("retry-emails")
def retry_emails_job(config_path: str) -> None:
    """Retry digest emails that failed earlier (published digests only; nothing is posted)."""
    with opened_app(Path(config_path)) as app, session_scope(app.engine) as session:
        due = digests_with_failed_emails(session)
    _publish_each(config_path, due)


def _publish_each(config_path: str, digest_ids: list[int]) -> None:
    if not digest_ids:
        return
    from bot.jobs.services import publisher_for

    with opened_app(Path(config_path)) as app:
        publisher = publisher_for(app, "scheduler")
        for digest_id in digest_ids:
            try:
                report = publisher.publish(digest_id)
            except EmptyDigestError as error:
                log.warning("digest %d: not published: %s", digest_id, error)
                continue
            except EXPECTED_FAILURES as error:  # one digest failing must not stop the others
                log.error("digest %d: not published: %s; the next run retries", digest_id, one_line(error))
                continue
            except Exception:
                log.exception("digest %d: publishing failed", digest_id)
                continue
            for thread in report.threads:
                if thread.thread and thread.thread.posted_now:
                    log.info(
                        "digest %d: posted %d %s thread parts",
                        digest_id,
                        thread.thread.posted_now,
                        thread.channel,
                    )
            if report.emails and report.emails.sent:
                log.info("digest %d: emailed %d leaders", digest_id, len(report.emails.sent))


@scheduled_job("health-report")
def health_report_job(config_path: str) -> None:
    """Email the week's health report to the curators."""
    from bot.health.notify import send_weekly_report
    from bot.jobs.publish import email_transport

    with opened_app(Path(config_path)) as app:
        notice = send_weekly_report(app.engine, app.settings, email_transport(app.settings.email), utc_now())
        _log_notice("health report", notice)


@scheduled_job("health-alerts")
def health_alert_job(config_path: str) -> None:
    """Alert the curators (at most once a day) when a source has gone quiet or keeps failing."""
    from bot.health.notify import send_alerts_if_due
    from bot.jobs.publish import email_transport

    with opened_app(Path(config_path)) as app:
        notice = send_alerts_if_due(app.engine, app.settings, email_transport(app.settings.email), utc_now())
        _log_notice("health alert", notice)


def _log_notice(what: str, notice: object) -> None:
    from bot.health.notify import Notice

    assert isinstance(notice, Notice)
    if notice.sent_to:
        log.info("%s sent to %s", what, ", ".join(notice.sent_to))
    if notice.failed:
        log.error("%s could not be sent to %s", what, ", ".join(notice.failed))
    if notice.skipped and what == "health report":
        log.warning("%s not sent: %s", what, notice.skipped)
