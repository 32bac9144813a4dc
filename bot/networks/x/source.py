"""Collecting from X: recent search per hashtag, newest first, from a ``since_id`` cursor (the newest
tweet id of the last run's first page; see :func:`bot.networks.source.newest_first`)."""

from __future__ import annotations

from collections.abc import Iterator

from bot.config import XSource
from bot.networks.source import Connection, Page, SearchPage, Walk, newest_first
from bot.networks.x import normalise as x
from bot.networks.x.client import XClient
from storage.models import Cursor


class RecentSearch:
    """A configured ``[x]`` source, paged through recent search."""

    def __init__(self, config: XSource, connection: Connection) -> None:
        self.config = config
        self.max_pages = connection.settings.max_pages
        self.client = XClient(config, connection.policy, connection.settings.request_timeout)

    @property
    def requests_made(self) -> int:
        return self.client.requests_made

    def pages(self, tag: str, cursor: Cursor | None, walk: Walk) -> Iterator[Page]:
        since_id = cursor.newest_id if cursor else None

        def fetch(next_token: str | None) -> SearchPage:
            page = self.client.search_page(tag, since_id=since_id, next_token=next_token)
            meta = page.get("meta") if isinstance(page.get("meta"), dict) else {}
            assert isinstance(meta, dict)
            return SearchPage(
                x.tweets_in_page(page),
                newest=str(meta["newest_id"]) if meta.get("newest_id") else None,
                next_token=str(meta["next_token"]) if meta.get("next_token") else None,
            )

        return newest_first(fetch, source_key=self.config.key, tag=tag, max_pages=self.max_pages)
