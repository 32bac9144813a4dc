"""Collecting from X: recent search per hashtag, newest first, from a ``since_id`` cursor.

X pages run newest to oldest within what is new since the cursor, so the cursor moves only once
every page of a run is stored: a crash re-reads that run's pages (stored again harmlessly, keyed on
the tweet) and loses nothing.
"""

from __future__ import annotations

from functools import partial

from bot.config import XSource
from bot.consent.screen import screen
from bot.jobs.collect import Collector, each_hashtag
from bot.jobs.summary import SourceSummary
from bot.networks.x import normalise as x
from bot.networks.x.client import XClient
from storage import repository as repo
from storage.db import session_scope
from storage.digests import suppressed_accounts
from storage.models import Cursor


def collect_x(collector: Collector, sources: tuple[XSource, ...]) -> list[SourceSummary]:
    """Collect every configured X source once; one failing source never stops the others."""
    with session_scope(collector.engine) as session:
        suppressed = frozenset(suppressed_accounts(session))
    summaries = []
    for source in sources:
        summary = SourceSummary(name=source.name)
        client = XClient(source, collector.policy, collector.settings.request_timeout)
        each_hashtag(
            source.hashtags, summary, partial(_collect_tag, collector, client, source, summary, suppressed)
        )
        summary.requests = client.requests_made
        summaries.append(summary)
    return summaries


def _collect_tag(
    collector: Collector,
    client: XClient,
    source: XSource,
    summary: SourceSummary,
    suppressed: frozenset[str],
    tag: str,
) -> None:
    with session_scope(collector.engine) as session:
        cursor = repo.get_cursor(session, source.key, tag)
        since_id = cursor.newest_id if cursor else None
    newest: str | None = None
    next_token: str | None = None
    for number in range(collector.settings.max_pages):
        page = client.search_page(tag, since_id=since_id, next_token=next_token)
        meta = page.get("meta") if isinstance(page.get("meta"), dict) else {}
        assert isinstance(meta, dict)
        if number == 0 and meta.get("newest_id"):
            newest = str(meta["newest_id"])
        records = x.tweets_in_page(page)
        summary.fetched += len(records)
        screened = screen(
            records, x.normalise_tweet, x.author_profile, where=f"{source.name} #{tag}", suppressed=suppressed
        )
        summary.skipped.update(screened.skipped)
        next_token = str(meta["next_token"]) if meta.get("next_token") else None
        last = next_token is None or number == collector.settings.max_pages - 1
        now = collector.clock()
        with session_scope(collector.engine) as session:
            for acct in screened.opted_out:
                summary.removed += repo.delete_posts_by_author(session, acct)
            summary.add(
                collector.store.save(session, screened.posts, seen=repo.SeenThrough(source.key, tag), now=now)
            )
            if last and newest is not None:
                repo.put_cursor(session, Cursor(source_key=source.key, tag=tag, newest_id=newest), now)
        collector.progress.page_stored(summary, tag)
        if last:
            return
