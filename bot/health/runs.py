"""Collect every configured source once, recording each source's outcome for the health figures."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial

from bot.config import Settings
from bot.jobs.collect import CollectOptions, Collector
from bot.jobs.summary import SourceSummary
from bot.networks.registry import configured_sources
from bot.networks.source import SourceConfig
from storage.db import session_scope
from storage.health import RunRecord, record_run


def collect_and_record(
    collector: Collector, settings: Settings, options: CollectOptions, clock: Callable[[], datetime]
) -> list[SourceSummary]:
    """One summary per configured source (in the registry's order), each run recorded as it ends."""
    summaries: list[SourceSummary] = []
    for source in configured_sources(settings):
        summaries += _recorded(collector, source, clock, partial(collector.collect, (source,), options))
    return summaries


def _recorded(
    collector: Collector,
    source: SourceConfig,
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
