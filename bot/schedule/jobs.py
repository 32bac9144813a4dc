"""The functions the scheduler runs. Each opens the app from the config path (jobs are stored in the
database by reference, so they take only plain arguments) and calls one job."""

from __future__ import annotations

import logging
from pathlib import Path

from bot.consent.optout_requests import check_optout_requests
from bot.jobs.collect import CollectOptions, collector_for
from bot.networks.bluesky.collect import collect_bluesky
from bot.networks.x.collect import collect_x
from bot.runtime import opened_app, utc_now
from storage import digests as digest_repo
from storage.db import session_scope
from storage.publications import digests_with_failed_emails

log = logging.getLogger("bot.schedule.wiring")


def collect_job(config_path: str) -> None:
    """Collect every configured source once, then read opt-out requests sent to the bot."""
    with opened_app(Path(config_path)) as app:
        collector = collector_for(app.settings, app.engine, utc_now, app.store)
        summaries = collector.collect(app.settings.mastodon, CollectOptions())
        summaries += collect_x(collector, app.settings.x) + collect_bluesky(collector, app.settings.bluesky)
        for summary in summaries:
            (log.info if summary.ok else log.error)("%s", summary.describe())
        check_optout_requests(app.settings, app.engine, utc_now)


def draft_job(config_path: str) -> None:
    """Draft the digest of the week that just ended."""
    from bot.cli.digest import service_for

    with opened_app(Path(config_path)) as app:
        report = service_for(app, "scheduler", with_home=True).draft()
        log.info("digest %d drafted from %d candidates", report.digest_id, report.candidates)


def publish_job(config_path: str) -> None:
    """Publish every approved digest, oldest first (and finish any publish that was interrupted)."""
    with opened_app(Path(config_path)) as app, session_scope(app.engine) as session:
        due = [
            row.id for row in reversed(digest_repo.list_digests(session, statuses=("approved",), limit=20))
        ]
    _publish_each(config_path, due)


def retry_emails_job(config_path: str) -> None:
    """Retry digest emails that failed earlier (published digests only; nothing is posted)."""
    with opened_app(Path(config_path)) as app, session_scope(app.engine) as session:
        due = digests_with_failed_emails(session)
    _publish_each(config_path, due)


def _publish_each(config_path: str, digest_ids: list[int]) -> None:
    if not digest_ids:
        return
    from bot.cli.digest import publisher_for

    with opened_app(Path(config_path)) as app:
        publisher = publisher_for(app, "scheduler")
        for digest_id in digest_ids:
            try:
                report = publisher.publish(digest_id)
            except Exception:  # one digest failing must not stop the others; the next run retries
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
