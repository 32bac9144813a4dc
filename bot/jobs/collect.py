"""The collect job: for each source and hashtag, fetch pages and store them with their cursor.

Each page is stored and its cursor advanced in one transaction. Sources are independent: one that
fails is reported and the others carry on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Engine

from bot.config import CollectSettings, MastodonSource, Settings
from bot.consent.screen import screen
from bot.errors import RateLimitedError, SourceError
from bot.jobs.links import LinkCache, known_link_test
from bot.jobs.store import PostStore
from bot.jobs.summary import SourceSummary
from bot.links import LinkResolver
from bot.networks.mastodon.client import MastodonClient
from bot.networks.mastodon.normalise import normalise_status
from bot.networks.mastodon.timeline import (
    account_of_status,
    created_before,
    oldest_id,
    pages_backward,
    pages_forward,
)
from bot.retry import RetryPolicy
from storage import repository as repo
from storage.db import session_scope
from storage.digests import suppressed_accounts
from storage.models import Cursor

log = logging.getLogger(__name__)

SKIP_BEFORE_WINDOW = "before backfill window"


class Progress(Protocol):
    """Told after every stored page, so a terminal can show how a run is going."""

    def page_stored(self, summary: SourceSummary, tag: str) -> None: ...


class _Quiet:
    def page_stored(self, summary: SourceSummary, tag: str) -> None:
        return None


@dataclass(frozen=True, slots=True)
class CollectOptions:
    """Per-run choices: how far back to walk, and whether to refresh stored posts."""

    backfill_days: float | None = None
    refresh: bool | None = None  # None: when refresh_every_minutes has passed


@dataclass(slots=True)
class Collector:
    """Collects every configured source into the database behind ``engine``."""

    engine: Engine
    settings: CollectSettings
    clock: Callable[[], datetime]
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    progress: Progress = field(default_factory=_Quiet)
    store: PostStore = field(default_factory=PostStore)
    links: LinkCache | None = None
    _suppressed: frozenset[str] = field(default=frozenset(), init=False)

    def collect(self, sources: tuple[MastodonSource, ...], options: CollectOptions) -> list[SourceSummary]:
        with session_scope(self.engine) as session:
            self._suppressed = frozenset(suppressed_accounts(session))
        summaries = []
        for source in sources:
            summary = SourceSummary(name=source.name)
            try:
                client = MastodonClient(source, self.policy, self.settings.request_timeout)
            except Exception as error:  # a bad URL or client set-up must not stop other sources
                summary.errors.append(f"cannot set up a client: {error}")
                summaries.append(summary)
                continue
            try:
                self._collect_source(client, source, options, summary)
            except Exception as error:  # one failing instance never stops the others
                log.exception("%s: collection failed", source.name)
                summary.errors.append(f"unexpected error: {type(error).__name__}: {error}")
            summary.requests = client.requests_made
            summaries.append(summary)
        return summaries

    def _collect_source(
        self, client: MastodonClient, source: MastodonSource, options: CollectOptions, summary: SourceSummary
    ) -> None:
        if not each_hashtag(
            source.hashtags, summary, lambda tag: self._collect_tag(client, source, tag, options, summary)
        ):
            return
        try:
            self._refresh_if_due(client, source, options, summary)
        except SourceError as error:
            log.error("%s", error)
            summary.errors.append(f"refresh: {error}")

    def _collect_tag(
        self,
        client: MastodonClient,
        source: MastodonSource,
        tag: str,
        options: CollectOptions,
        summary: SourceSummary,
    ) -> None:
        now = self.clock()
        with session_scope(self.engine) as session:
            cursor = repo.get_cursor(session, source.key, tag)
            state = _CursorState.of(cursor)
        if state.newest_id is None:
            # First run (or nothing found yet): walk back from the newest post; it becomes the cursor.
            days = self.settings.backfill_days if options.backfill_days is None else options.backfill_days
            state.backfill_target = now - timedelta(days=days)
        else:
            for page in pages_forward(
                client,
                tag,
                since_id=state.newest_id,
                page_size=self.settings.page_size,
                max_pages=self.settings.max_pages,
            ):
                if page.newest_id is not None:
                    state.newest_id = page.newest_id
                self._store_page(source, tag, page.statuses, state, summary)
            if options.backfill_days is not None:
                state.extend_backfill(now - timedelta(days=options.backfill_days))
        if state.backfill_target is not None:
            self._backfill(client, source, tag, state, summary)

    def _backfill(
        self,
        client: MastodonClient,
        source: MastodonSource,
        tag: str,
        state: _CursorState,
        summary: SourceSummary,
    ) -> None:
        target = state.backfill_target
        assert target is not None
        finished = True
        for page in pages_backward(
            client,
            tag,
            max_id=state.oldest_id,  # None: from the newest post, as on a first run
            until=target,
            page_size=self.settings.page_size,
            max_pages=self.settings.max_pages,
        ):
            in_window = [status for status in page.statuses if not created_before(status, target)]
            if state.newest_id is None and page.newest_id is not None:
                state.newest_id = page.newest_id
            # Only what was kept moves the walk's position, so a deeper backfill finds the rest.
            oldest_kept = oldest_id(in_window)
            if oldest_kept is not None:
                state.oldest_id = oldest_kept
            if page.last:
                state.backfilled_to = target
                state.backfill_target = None
            summary.fetched += len(page.statuses) - len(in_window)
            if len(in_window) < len(page.statuses):
                summary.skipped[SKIP_BEFORE_WINDOW] += len(page.statuses) - len(in_window)
            self._store_page(source, tag, in_window, state, summary)
            finished = page.last
        if not finished:
            log.info("%s #%s: backfill paused after max_pages; the next run continues", source.name, tag)

    def _store_page(
        self,
        source: MastodonSource,
        tag: str,
        statuses: list[Any],
        state: _CursorState,
        summary: SourceSummary,
    ) -> None:
        summary.fetched += len(statuses)
        screened = screen(
            statuses,
            normalise_status,
            account_of_status,
            where=f"{source.name} #{tag}",
            suppressed=self._suppressed,
        )
        summary.skipped.update(screened.skipped)
        if self.links is not None:
            self.links.resolve_missing(screened.posts)
        now = self.clock()
        with session_scope(self.engine) as session:
            for acct in screened.opted_out:
                summary.removed += repo.delete_posts_by_author(session, acct)
            summary.add(
                self.store.save(session, screened.posts, seen=repo.SeenThrough(source.key, tag), now=now)
            )
            repo.put_cursor(session, state.to_row(source.key, tag), now)
        self.progress.page_stored(summary, tag)

    def _refresh_if_due(
        self, client: MastodonClient, source: MastodonSource, options: CollectOptions, summary: SourceSummary
    ) -> None:
        now = self.clock()
        with session_scope(self.engine) as session:
            last = repo.last_refresh(session, source.key)
            if last is None and options.refresh is None:
                # Everything stored so far was read just now: there is nothing stale to refresh yet.
                repo.set_last_refresh(session, source.key, now)
                return
            due = last is None or now - last >= timedelta(minutes=self.settings.refresh_every_minutes)
            if not (options.refresh or (options.refresh is None and due)):
                return
            remote_ids = repo.recent_remote_ids(
                session, source.key, now - timedelta(days=self.settings.refresh_days)
            )
        statuses = client.statuses(remote_ids) if remote_ids else []
        self._store_refresh(source, remote_ids, statuses, summary, now)

    def _store_refresh(
        self,
        source: MastodonSource,
        remote_ids: list[str],
        statuses: list[dict[str, Any]],
        summary: SourceSummary,
        now: datetime,
    ) -> None:
        found = {str(s.get("id")) for s in statuses if isinstance(s, Mapping)}
        gone = [remote_id for remote_id in remote_ids if remote_id not in found]
        screened = screen(
            statuses,
            normalise_status,
            account_of_status,
            where=f"{source.name} refresh",
            suppressed=self._suppressed,
        )
        summary.skipped.update(screened.skipped)
        with session_scope(self.engine) as session:
            summary.removed += repo.delete_posts_seen_at(session, source.key, gone)
            for acct in screened.opted_out:
                summary.removed += repo.delete_posts_by_author(session, acct)
            summary.removed += repo.delete_posts_by_uri(session, [post.uri for post in screened.not_public])
            summary.add(self.store.save(session, screened.posts, seen=None, now=now))
            repo.mark_refreshed(session, source.key, remote_ids, now)
            repo.set_last_refresh(session, source.key, now)
        if gone:
            log.info("%s: %d posts deleted at the source were removed", source.name, len(gone))


def each_hashtag(tags: Iterable[str], summary: SourceSummary, collect_one: Callable[[str], None]) -> bool:
    """Collect each hashtag; a failure is recorded on ``summary`` and the next hashtag tried, except a
    rate limit, which would fail them all: it ends the source's run. Returns False if it did."""
    for tag in tags:
        try:
            collect_one(tag)
        except RateLimitedError as error:
            summary.errors.append(str(error))
            return False
        except SourceError as error:
            log.error("%s", error)
            summary.errors.append(str(error))
    return True


@dataclass(slots=True)
class _CursorState:
    newest_id: str | None = None
    oldest_id: str | None = None
    backfill_target: datetime | None = None
    backfilled_to: datetime | None = None

    @classmethod
    def of(cls, row: Cursor | None) -> _CursorState:
        if row is None:
            return cls()
        return cls(row.newest_id, row.oldest_id, row.backfill_target, row.backfilled_to)

    def extend_backfill(self, target: datetime) -> None:
        """Ask for history back to ``target`` unless it is already complete or pending."""
        if self.backfilled_to is not None and self.backfilled_to <= target:
            return
        if self.backfill_target is None or self.backfill_target > target:
            self.backfill_target = target

    def to_row(self, source_key: str, tag: str) -> Cursor:
        return Cursor(
            source_key=source_key,
            tag=tag,
            newest_id=self.newest_id,
            oldest_id=self.oldest_id,
            backfill_target=self.backfill_target,
            backfilled_to=self.backfilled_to,
        )


def collector_for(
    settings: Settings, engine: Engine, clock: Callable[[], datetime], store: PostStore, **kwargs: Any
) -> Collector:
    """A collector wired with the configured retry policy, labelling, and link resolution if enabled."""
    policy = RetryPolicy(
        max_retries=settings.collect.max_retries,
        backoff_seconds=settings.collect.backoff_seconds,
        max_rate_limit_wait=settings.collect.max_rate_limit_wait,
    )
    links = None
    if settings.links.resolve:
        links = LinkCache(
            engine=engine,
            resolver=LinkResolver(settings.links),
            settings=settings.links,
            is_known=known_link_test(store.catalogue),
            clock=clock,
        )
    return Collector(
        engine=engine,
        settings=settings.collect,
        clock=clock,
        policy=policy,
        store=store,
        links=links,
        **kwargs,
    )
