"""Collecting from Bluesky: post search per hashtag (``sort=latest``), newest first, since the newest
post already seen: the cursor is that post's ``indexedAt`` time (see
:func:`bot.networks.source.newest_first`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bot.config import BlueskySource
from bot.networks.bluesky.client import BlueskyClient
from bot.networks.source import Connection, Page, SearchPage, Walk, newest_first
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

        def fetch(next_cursor: str | None) -> SearchPage:
            page = self.client.search_page(tag, cursor=next_cursor, since=since)
            posts: list[Any] = [p for p in page.get("posts") or [] if p is not None]
            times = (str(post.get("indexedAt") or "") for post in posts if isinstance(post, dict))
            return SearchPage(
                posts,
                newest=max(times, default=None),
                next_token=str(page["cursor"]) if page.get("cursor") and posts else None,
            )

        return newest_first(fetch, source_key=self.config.key, tag=tag, max_pages=self.max_pages)
