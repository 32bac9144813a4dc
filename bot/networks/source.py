"""The shape every network's collection has: a :class:`Source` pages a hashtag from a cursor and yields
raw records, and the network's normaliser turns each record into a :class:`~bot.posts.Post`.

A source never touches the database. The collect job (:mod:`bot.jobs.collect`) reads the cursor,
screens each page, and stores the page's posts together with the cursor the page carries, in one
transaction: that is the only cursor rule, and every network follows it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

import httpx

from bot.config import CollectSettings
from bot.retry import RetryPolicy
from storage.models import Cursor


@dataclass(frozen=True, slots=True)
class Walk:
    """What one run asks of a source's hashtags: when it is, and how far back history should go.

    ``backfill_days`` is the run's ``--backfill`` (``None``: only what is new, or the configured
    window on a first run).
    """

    now: datetime
    backfill_days: float | None = None


@dataclass(frozen=True, slots=True)
class Page:
    """One page of raw records, and the cursor to store with them (``None``: leave it where it is).

    ``left_out`` counts records that were fetched but are not offered for storing, by reason (e.g.
    older than the backfill window).
    """

    records: list[Any]
    cursor: Cursor | None
    left_out: Counter[str] = field(default_factory=Counter)


class SourceConfig(Protocol):
    """A configured source (``[[mastodon]]``, ``[x]``, ``[bluesky]``...): its name, key and hashtags."""

    @property
    def name(self) -> str: ...

    @property
    def key(self) -> str: ...

    @property
    def hashtags(self) -> tuple[str, ...]: ...


class Source(Protocol):
    """One configured source of one network, ready to be paged."""

    @property
    def requests_made(self) -> int: ...

    def pages(self, tag: str, cursor: Cursor | None, walk: Walk) -> Iterator[Page]:
        """The pages of ``#tag`` after ``cursor`` (``None``: the first run), each with its new cursor."""
        ...


@runtime_checkable
class RefreshingSource(Source, Protocol):
    """A source that can re-read stored posts, to refresh counts, edits and deletions."""

    def refetch(self, remote_ids: Sequence[str]) -> list[Any]:
        """The records behind these remote ids as the source shows them now; gone ones are left out."""
        ...

    def lookup(self, remote_id: str) -> Any | None:
        """One record read on its own: ``None`` only when the source says that post is gone (404/410).

        A batch answer that leaves a post out is no evidence about it; this is. Raises
        :class:`~bot.errors.SourceError` when the source could not say.
        """
        ...

    def is_home_of(self, uri: str) -> bool | None:
        """Whether this source is the home of the post at ``uri`` (``None``: it cannot tell)."""
        ...


@dataclass(frozen=True, slots=True)
class Connection:
    """What every source is opened with: the one retry policy, the collect settings (timeouts, page
    sizes), and where httpx-based SDKs send requests (``None``: the network; tests replay through it)."""

    policy: RetryPolicy
    settings: CollectSettings
    transport: httpx.BaseTransport | None = None


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One answer of a search that runs newest to oldest: its records, the newest record's cursor
    value (read from the first page), and the token of the next page (``None``: this is the last)."""

    records: list[Any]
    newest: str | None
    next_token: str | None


def newest_first(
    fetch: Callable[[str | None], SearchPage], *, source_key: str, tag: str, max_pages: int
) -> Iterator[Page]:
    """The pages of a search for what is new since the cursor, newest first (X, Bluesky).

    Such a search cannot be resumed part-way, so the cursor moves only with the last page of a run: a
    crash re-reads that run's pages (stored again harmlessly, keyed on each post) and loses nothing.
    ``fetch`` is given the next page's token (``None`` for the first page).
    """
    newest: str | None = None
    token: str | None = None
    for number in range(max_pages):
        page = fetch(token)
        if number == 0:
            newest = page.newest
        token = page.next_token
        last = token is None or number == max_pages - 1
        cursor = Cursor(source_key=source_key, tag=tag, newest_id=newest) if last and newest else None
        yield Page(page.records, cursor)
        if last:
            return
