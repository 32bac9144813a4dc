"""Collecting from Bluesky: post search per hashtag, newest first, since the newest post already seen.

The cursor is the newest post's time; a run pages back (``sort=latest``) until the search says there is
no more, and the cursor moves only with the last page of a run, so a crash re-reads that run's pages
(stored again harmlessly, keyed on the at:// URI) and loses nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bot.config import BlueskySource
from bot.networks.bluesky.client import BlueskyClient
from bot.networks.source import Connection, Page, Walk
from storage.models import Cursor


class PostSearch:
    """A configured ``[bluesky]`` source, paged through post search."""

    def __init__(self, config: BlueskySource, connection: Connection) -> None:
        self.config = config
        self.max_pages = connection.settings.max_pages
        self.client = BlueskyClient(
            config, connection.policy, connection.settings.request_timeout, connection.transport
        )

    @property
    def requests_made(self) -> int:
        return self.client.requests_made

    def pages(self, tag: str, cursor: Cursor | None, walk: Walk) -> Iterator[Page]:
        since = cursor.newest_id if cursor else None
        newest: str | None = None
        next_cursor: str | None = None
        for number in range(self.max_pages):
            page = self.client.search_page(tag, cursor=next_cursor, since=since)
            posts: list[Any] = [p for p in page.get("posts") or [] if p is not None]
            if number == 0 and posts:
                times = (str(post.get("indexedAt") or "") for post in posts if isinstance(post, dict))
                newest = max(times, default=None)
            next_cursor = str(page["cursor"]) if page.get("cursor") and posts else None
            last = next_cursor is None or number == self.max_pages - 1
            moved = Cursor(source_key=self.config.key, tag=tag, newest_id=newest) if last and newest else None
            yield Page(posts, moved)
            if last:
                return
