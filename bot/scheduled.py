"""The functions the scheduler runs. Each opens the app from the config path (jobs are stored in the
database by reference, so they take only plain arguments) and calls one job."""

from __future__ import annotations

import logging
from pathlib import Path

from bot.app import open_app, utc_now
from bot.jobs.collect import CollectOptions, collector_for
from bot.jobs.optout import check_optout_requests

log = logging.getLogger("bot.scheduler")


def collect_job(config_path: str) -> None:
    """Collect every configured source once."""
    app = open_app(Path(config_path))
    try:
        summaries = collector_for(app.settings, app.engine, utc_now, app.store).collect(
            app.settings.mastodon, CollectOptions()
        )
        for summary in summaries:
            (log.info if summary.ok else log.error)("%s", summary.describe())
        check_optout_requests(app.settings, app.engine, utc_now)
    finally:
        app.engine.dispose()


def draft_job(config_path: str) -> None:
    """Draft the digest of the week that just ended."""
    from bot.digest_cli import service_for

    app = open_app(Path(config_path))
    try:
        report = service_for(app, "scheduler", with_home=True).draft()
        log.info("digest %d drafted from %d candidates", report.digest_id, report.candidates)
    finally:
        app.engine.dispose()


def retry_emails_job(config_path: str) -> None:
    """Retry digest emails that failed earlier (published digests only; nothing is posted)."""
    from bot.digest_cli import publisher_for
    from storage.db import session_scope
    from storage.publications import digests_with_failed_emails

    app = open_app(Path(config_path))
    try:
        with session_scope(app.engine) as session:
            due = digests_with_failed_emails(session)
        if due:
            publisher = publisher_for(app, "scheduler")
            for digest_id in due:
                report = publisher.publish(digest_id)
                if report.emails is not None and report.emails.sent:
                    log.info("digest %d: %d emails sent on retry", digest_id, len(report.emails.sent))
    finally:
        app.engine.dispose()


def publish_job(config_path: str) -> None:
    """Publish every approved digest, oldest first, and retry emails that failed earlier."""
    from bot.digest_cli import publisher_for
    from storage import digests as digest_repo
    from storage.db import session_scope

    app = open_app(Path(config_path))
    try:
        with session_scope(app.engine) as session:
            due = [
                row.id
                for row in reversed(
                    digest_repo.list_digests(session, statuses=("approved", "published"), limit=20)
                )
            ]
        publisher = publisher_for(app, "scheduler")
        for digest_id in due:
            try:
                report = publisher.publish(digest_id)
            except Exception:  # one digest failing must not stop the others; the next run retries
                log.exception("digest %d: publishing failed", digest_id)
                continue
            if report.thread and report.thread.posted_now:
                log.info("digest %d: posted %d thread parts", digest_id, report.thread.posted_now)
            if report.emails and report.emails.sent:
                log.info("digest %d: emailed %d leaders", digest_id, len(report.emails.sent))
    finally:
        app.engine.dispose()
