"""Collecting from X: recent search per hashtag, newest first, from a ``since_id`` cursor.

X pages run newest to oldest within what is new since the cursor, so the cursor moves only with the
last page of a run: a crash re-reads that run's pages (stored again harmlessly, keyed on the tweet)
and loses nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.config import XSource
from bot.networks.source import Connection, Page, Walk
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
        newest: str | None = None
        next_token: str | None = None
        for number in range(self.max_pages):
            page = self.client.search_page(tag, since_id=since_id, next_token=next_token)
            meta = page.get("meta") if isinstance(page.get("meta"), dict) else {}
            assert isinstance(meta, dict)
            if number == 0 and meta.get("newest_id"):
                newest = str(meta["newest_id"])
            next_token = str(meta["next_token"]) if meta.get("next_token") else None
            last = next_token is None or number == self.max_pages - 1
            moved = Cursor(source_key=self.config.key, tag=tag, newest_id=newest) if last and newest else None
            yield Page(x.tweets_in_page(page), moved)
            if last:
                return
