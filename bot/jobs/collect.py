"""The collect job: every configured source of every network, each hashtag, page by page.

One rule for all of them:

* the cursor moves with the page's transaction: a page's posts and the cursor it carries are stored
  together, so a crash loses nothing;
* every page passes one screen (malformed, not public, opted out, on the suppression list) before
  anything is stored, and opted-out authors' stored posts are removed in the same transaction;
* sources are independent: a source that fails is reported on its summary and the others carry on;
  a failing hashtag is reported and the next one tried, except a rate limit, which ends that source's
  run (it would fail the rest too).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import httpx
from sqlalchemy import Engine

from bot.config import CollectSettings, Settings
from bot.consent.screen import screen
from bot.errors import RateLimitedError, SourceError
from bot.jobs.links import LinkCache, known_link_test
from bot.jobs.removal import REMOVAL_HANDFUL, REMOVAL_SHARE, removal_limit
from bot.jobs.store import PostStore
from bot.jobs.summary import SourceSummary
from bot.links import LinkResolver
from bot.networks.registry import Network, network_of
from bot.networks.source import Connection, Page, RefreshingSource, Source, SourceConfig, Walk
from bot.retry import RetryPolicy
from storage import repository as repo
from storage.db import session_scope
from storage.digests import suppressed_accounts

log = logging.getLogger(__name__)


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
    """Collects configured sources, of any network, into the database behind ``engine``."""

    engine: Engine
    settings: CollectSettings
    clock: Callable[[], datetime]
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    progress: Progress = field(default_factory=_Quiet)
    store: PostStore = field(default_factory=PostStore)
    links: LinkCache | None = None
    # Where httpx-based SDKs (Bluesky's) send requests; tests replay recorded responses through it.
    transport: httpx.BaseTransport | None = None
    _suppressed: frozenset[str] = field(default=frozenset(), init=False)

    def collect(self, configs: Sequence[SourceConfig], options: CollectOptions) -> list[SourceSummary]:
        """Collect each source once, in order, and say what each did."""
        with session_scope(self.engine) as session:
            self._suppressed = frozenset(suppressed_accounts(session))
        connection = Connection(self.policy, self.settings, self.transport)
        summaries = []
        for config in configs:
            summary = SourceSummary(name=config.name)
            network = network_of(config)
            try:
                source = network.open_source(config, connection)
            except Exception as error:  # a bad URL or client set-up must not stop other sources
                summary.errors.append(f"cannot set up a client: {error}")
                summaries.append(summary)
                continue
            try:
                self._collect_source(network, source, config, options, summary)
            except Exception as error:  # one failing source never stops the others
                log.exception("%s: collection failed", config.name)
                summary.errors.append(f"unexpected error: {type(error).__name__}: {error}")
            summary.requests = source.requests_made
            summaries.append(summary)
        return summaries

    def _collect_source(
        self,
        network: Network,
        source: Source,
        config: SourceConfig,
        options: CollectOptions,
        summary: SourceSummary,
    ) -> None:
        def collect_tag(tag: str) -> None:
            walk = Walk(self.clock(), options.backfill_days)
            with session_scope(self.engine) as session:
                cursor = repo.get_cursor(session, config.key, tag)
            for page in source.pages(tag, cursor, walk):
                self._store_page(network, config, tag, page, summary)

        if not each_hashtag(config.hashtags, summary, collect_tag):
            return
        if not isinstance(source, RefreshingSource):
            return
        try:
            self._refresh_if_due(network, source, config, options, summary)
        except SourceError as error:
            log.error("%s", error)
            summary.errors.append(f"refresh: {error}")

    def _store_page(
        self, network: Network, config: SourceConfig, tag: str, page: Page, summary: SourceSummary
    ) -> None:
        summary.fetched += len(page.records) + sum(page.left_out.values())
        summary.skipped.update(page.left_out)
        screened = screen(
            page.records,
            network.normaliser.normalise,
            network.normaliser.account_of,
            where=f"{config.name} #{tag}",
            suppressed=self._suppressed,
        )
        summary.skipped.update(screened.skipped)
        if self.links is not None:
            self.links.resolve_missing(screened.posts)
        now = self.clock()
        with session_scope(self.engine) as session:
            for acct in screened.opted_out:
                summary.removed += repo.delete_posts_by_author(session, acct, now=now)
            summary.add(
                self.store.save(session, screened.posts, seen=repo.SeenThrough(config.key, tag), now=now)
            )
            if page.cursor is not None:
                repo.put_cursor(session, page.cursor, now)
        self.progress.page_stored(summary, tag)

    def _refresh_if_due(
        self,
        network: Network,
        source: RefreshingSource,
        config: SourceConfig,
        options: CollectOptions,
        summary: SourceSummary,
    ) -> None:
        now = self.clock()
        with session_scope(self.engine) as session:
            last = repo.last_refresh(session, config.key)
            if last is None and options.refresh is None:
                # Everything stored so far was read just now: there is nothing stale to refresh yet.
                repo.set_last_refresh(session, config.key, now)
                return
            due = last is None or now - last >= timedelta(minutes=self.settings.refresh_every_minutes)
            if not (options.refresh or (options.refresh is None and due)):
                return
            remote_ids = repo.recent_remote_ids(
                session, config.key, now - timedelta(days=self.settings.refresh_days)
            )
        records = source.refetch(remote_ids) if remote_ids else []
        self._store_refresh(network, source, config, remote_ids, records, summary, now)

    def _store_refresh(
        self,
        network: Network,
        source: RefreshingSource,
        config: SourceConfig,
        remote_ids: list[str],
        records: list[Any],
        summary: SourceSummary,
        now: datetime,
    ) -> None:
        with session_scope(self.engine) as session:
            stored = repo.posts_seen_at(session, config.key, remote_ids)
        found = {str(record.get("id")) for record in records if isinstance(record, Mapping)}
        missing = [remote_id for remote_id in remote_ids if remote_id not in found and remote_id in stored]
        evidence = _confirm_missing(source, missing, stored, removal_limit(len(remote_ids)))
        records = [*records, *evidence.found]
        screened = screen(
            records,
            network.normaliser.normalise,
            network.normaliser.account_of,
            where=f"{config.name} refresh",
            suppressed=self._suppressed,
        )
        summary.skipped.update(screened.skipped)
        opted_out = [rid for rid, (_uri, acct) in stored.items() if acct in screened.opted_out]
        losses = len(evidence.gone) + len(evidence.lost_here) + len(screened.not_public) + len(opted_out)
        faulty = evidence.faulty or losses > removal_limit(len(remote_ids))
        with session_scope(self.engine) as session:
            if faulty:
                summary.errors.append(
                    f"refresh: {config.name} answered as if {losses} of the {len(remote_ids)} posts checked "
                    f"were gone (more than {REMOVAL_SHARE:.0%} and {REMOVAL_HANDFUL}); nothing was removed: "
                    "check the instance, the next refresh will try again"
                )
                log.error("%s", summary.errors[-1])
            else:
                summary.removed += repo.delete_posts_seen_at(
                    session,
                    config.key,
                    evidence.gone,
                    now=now,
                    reason="deleted at its home instance (404/410)",
                )
                repo.forget_sightings(session, config.key, evidence.lost_here)
                for acct in screened.opted_out:
                    summary.removed += repo.delete_posts_by_author(session, acct, now=now)
                summary.removed += repo.delete_posts_by_uri(
                    session,
                    [post.uri for post in screened.not_public],
                    now=now,
                    reason=f"no longer public at {config.name}",
                )
            summary.add(self.store.save(session, screened.posts, seen=None, now=now))
            repo.mark_refreshed(session, config.key, [rid for rid in remote_ids if rid in found], now)
            repo.set_last_refresh(session, config.key, now)
        if evidence.gone and not faulty:
            log.info("%s: %d posts deleted at their home were removed", config.name, len(evidence.gone))


@dataclass(slots=True)
class _Evidence:
    """What asking for each missing post on its own said."""

    found: list[Any] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)  # 404/410 at the post's home: removed
    lost_here: list[str] = field(default_factory=list)  # 404/410 at an instance that is not its home
    faulty: bool = False


def _confirm_missing(
    source: RefreshingSource, missing: Sequence[str], stored: Mapping[str, tuple[str, str]], limit: int
) -> _Evidence:
    """Ask for each post a batch answer left out, one by one: only that post's own answer counts.

    Stops as soon as more than ``limit`` posts look gone: the source is faulty, and asking on would
    only cost requests.
    """
    evidence = _Evidence()
    for remote_id in missing:
        if len(evidence.gone) + len(evidence.lost_here) > limit:
            evidence.faulty = True
            break
        try:
            record = source.lookup(remote_id)
        except RateLimitedError as error:  # asking on would only be refused too
            log.info("stopped confirming missing posts: %s", error)
            break
        except SourceError as error:  # not knowing is not evidence: the post stays
            log.info("could not confirm post %s: %s", remote_id, error)
            continue
        if record is not None:
            evidence.found.append(record)
            continue
        home = source.is_home_of(stored[remote_id][0])
        if home is True:
            evidence.gone.append(remote_id)
        elif home is False:
            evidence.lost_here.append(remote_id)
    return evidence


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
