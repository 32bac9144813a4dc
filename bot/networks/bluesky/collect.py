"""Collecting from Bluesky: post search per hashtag, newest first, since the newest post already seen.

The cursor is the newest post's time; a run pages back (``sort=latest``) until the search says there is
no more, and the cursor moves once every page is stored, so a crash re-reads that run's pages
(stored again harmlessly, keyed on the at:// URI) and loses nothing.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import httpx

from bot.config import BlueskySource
from bot.consent.screen import screen
from bot.jobs.collect import Collector, each_hashtag
from bot.jobs.summary import SourceSummary
from bot.networks.bluesky import normalise as bluesky
from bot.networks.bluesky.client import BlueskyClient
from storage import repository as repo
from storage.db import session_scope
from storage.digests import suppressed_accounts
from storage.models import Cursor


def collect_bluesky(
    collector: Collector, sources: tuple[BlueskySource, ...], transport: httpx.BaseTransport | None = None
) -> list[SourceSummary]:
    """Collect every configured Bluesky source once; one failing source never stops the others."""
    with session_scope(collector.engine) as session:
        suppressed = frozenset(suppressed_accounts(session))
    summaries = []
    for source in sources:
        summary = SourceSummary(name=source.name)
        client = BlueskyClient(source, collector.policy, collector.settings.request_timeout, transport)
        each_hashtag(
            source.hashtags, summary, partial(_collect_tag, collector, client, source, summary, suppressed)
        )
        summary.requests = client.requests_made
        summaries.append(summary)
    return summaries


def _collect_tag(
    collector: Collector,
    client: BlueskyClient,
    source: BlueskySource,
    summary: SourceSummary,
    suppressed: frozenset[str],
    tag: str,
) -> None:
    with session_scope(collector.engine) as session:
        cursor_row = repo.get_cursor(session, source.key, tag)
        since = cursor_row.newest_id if cursor_row else None
    newest: str | None = None
    cursor: str | None = None
    for number in range(collector.settings.max_pages):
        page = client.search_page(tag, cursor=cursor, since=since)
        posts: list[Any] = [p for p in page.get("posts") or [] if p is not None]
        if number == 0 and posts:
            newest = max((str(p.get("indexedAt") or "") for p in posts if isinstance(p, dict)), default=None)
        summary.fetched += len(posts)
        screened = screen(
            posts,
            bluesky.normalise_bluesky_post,
            bluesky.author_profile,
            where=f"{source.name} #{tag}",
            suppressed=suppressed,
        )
        summary.skipped.update(screened.skipped)
        cursor = str(page["cursor"]) if page.get("cursor") and posts else None
        last = cursor is None or number == collector.settings.max_pages - 1
        now = collector.clock()
        with session_scope(collector.engine) as session:
            for acct in screened.opted_out:
                summary.removed += repo.delete_posts_by_author(session, acct)
            summary.add(
                collector.store.save(session, screened.posts, seen=repo.SeenThrough(source.key, tag), now=now)
            )
            if last and newest:
                repo.put_cursor(session, Cursor(source_key=source.key, tag=tag, newest_id=newest), now)
        collector.progress.page_stored(summary, tag)
        if last:
            return
