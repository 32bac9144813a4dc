"""Collecting from a Mastodon instance: its public hashtag timeline, forward from the cursor or back
into history (a first run, or ``--backfill``), and re-reading stored posts for refreshes.

Every page carries the cursor as it stands after that page, so each page and its cursor are stored
together: a crash loses nothing and re-fetches at most the page that was in flight.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from bot.config import MastodonSource
from bot.networks.mastodon.client import MastodonClient
from bot.networks.mastodon.timeline import created_before, oldest_id, pages_backward, pages_forward
from bot.networks.source import Connection, Page, Walk
from storage.models import Cursor

log = logging.getLogger(__name__)

SKIP_BEFORE_WINDOW = "before backfill window"


class TagTimeline:
    """A configured ``[[mastodon]]`` instance, paged through its hashtag timelines."""

    def __init__(self, config: MastodonSource, connection: Connection) -> None:
        self.config = config
        self.settings = connection.settings
        self.client = MastodonClient(config, connection.policy, connection.settings.request_timeout)
        self._domain: str | None = None

    @property
    def requests_made(self) -> int:
        return self.client.requests_made

    def refetch(self, remote_ids: Sequence[str]) -> list[dict[str, Any]]:
        return self.client.statuses(remote_ids)

    def lookup(self, remote_id: str) -> dict[str, Any] | None:
        return self.client.status(remote_id)

    def is_home_of(self, uri: str) -> bool | None:
        if self._domain is None:
            # The instance's own name (its posts' URIs use it), asked once and only when needed.
            self._domain = (self.client.instance_domain() or "").lower()
        host = urlsplit(uri).hostname
        return None if not self._domain or host is None else host.lower() == self._domain

    def pages(self, tag: str, cursor: Cursor | None, walk: Walk) -> Iterator[Page]:
        state = _CursorState.of(cursor)
        if state.newest_id is None:
            # First run (or nothing found yet): walk back from the newest post; it becomes the cursor.
            days = self.settings.backfill_days if walk.backfill_days is None else walk.backfill_days
            state.backfill_target = walk.now - timedelta(days=days)
        else:
            for page in pages_forward(
                self.client,
                tag,
                since_id=state.newest_id,
                page_size=self.settings.page_size,
                max_pages=self.settings.max_pages,
            ):
                if page.newest_id is not None:
                    state.newest_id = page.newest_id
                yield Page(page.statuses, state.to_row(self.config.key, tag))
            if walk.backfill_days is not None:
                state.extend_backfill(walk.now - timedelta(days=walk.backfill_days))
        if state.backfill_target is not None:
            yield from self._backfill(tag, state)

    def _backfill(self, tag: str, state: _CursorState) -> Iterator[Page]:
        target = state.backfill_target
        assert target is not None
        finished = True
        for page in pages_backward(
            self.client,
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
            before = len(page.statuses) - len(in_window)
            left_out = Counter({SKIP_BEFORE_WINDOW: before}) if before else Counter[str]()
            yield Page(in_window, state.to_row(self.config.key, tag), left_out)
            finished = page.last
        if not finished:
            log.info("%s #%s: backfill paused after max_pages; the next run continues", self.config.name, tag)


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
