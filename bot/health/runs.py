"""Collect every configured source once, recording each source's outcome for the health figures."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial

from bot.config import BlueskySource, MastodonSource, Settings, XSource
from bot.jobs.collect import CollectOptions, Collector
from bot.jobs.summary import SourceSummary
from bot.networks.bluesky.collect import collect_bluesky
from bot.networks.x.collect import collect_x
from storage.db import session_scope
from storage.health import RunRecord, record_run

Source = MastodonSource | XSource | BlueskySource


def collect_and_record(
    collector: Collector, settings: Settings, options: CollectOptions, clock: Callable[[], datetime]
) -> list[SourceSummary]:
    """One summary per configured source (Mastodon, X, then Bluesky), each run recorded as it ends."""
    summaries: list[SourceSummary] = []
    for source in settings.mastodon:
        summaries += _recorded(collector, source, clock, partial(collector.collect, (source,), options))
    for x_source in settings.x:
        summaries += _recorded(collector, x_source, clock, partial(collect_x, collector, (x_source,)))
    for sky in settings.bluesky:
        summaries += _recorded(collector, sky, clock, partial(collect_bluesky, collector, (sky,)))
    return summaries


def _recorded(
    collector: Collector,
    source: Source,
    clock: Callable[[], datetime],
    collect: Callable[[], Sequence[SourceSummary]],
) -> list[SourceSummary]:
    retries_before = collector.policy.retries
    started = clock()
    summaries = list(collect())
    retries = collector.policy.retries - retries_before
    with session_scope(collector.engine) as session:
        for summary in summaries:
            record_run(
                session,
                RunRecord(
                    source_key=source.key,
                    source_name=source.name,
                    network=network_of(source.key),
                    started_at=started,
                    finished_at=clock(),
                    ok=summary.ok,
                    fetched=summary.fetched,
                    new=summary.new,
                    retries=retries,
                    error="; ".join(summary.errors) or None,
                ),
            )
    return summaries


def network_of(source_key: str) -> str:
    """``mastodon:https://…`` → ``mastodon``."""
    return source_key.split(":", 1)[0]
