"""Walking a Mastodon hashtag timeline, forward from a cursor or back into history.

Pages are yielded one at a time with the cursor position they end at, so that the caller can store
each page and advance the cursor in one transaction: a crash loses nothing and re-fetches at most
the page that was in flight.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.networks.mastodon.client import MastodonClient
from bot.networks.mastodon.normalise import parse_timestamp, unwrap_boost


@dataclass(frozen=True, slots=True)
class Page:
    """One page of statuses and the range of ids it covers."""

    statuses: list[Any]
    newest_id: str | None
    oldest_id: str | None
    last: bool


def id_order(status_id: str) -> tuple[int, str]:
    """Sort key for Mastodon ids: numeric strings of any length, or fixed-length flake ids."""
    return (len(status_id), status_id)


def _ids(statuses: list[Any]) -> list[str]:
    return [str(s["id"]) for s in statuses if isinstance(s, Mapping) and isinstance(s.get("id"), str | int)]


def _id_range(statuses: list[Any]) -> tuple[str | None, str | None]:
    ids = _ids(statuses)
    if not ids:
        return None, None
    return max(ids, key=id_order), min(ids, key=id_order)


def oldest_id(statuses: list[Any]) -> str | None:
    """The smallest id among ``statuses``, or ``None`` if none has one."""
    return _id_range(statuses)[1]


def pages_forward(
    client: MastodonClient, tag: str, *, since_id: str, page_size: int, max_pages: int
) -> Iterator[Page]:
    """Pages newer than ``since_id``, oldest page first (``min_id`` paging).

    A short page means the timeline is exhausted, so a poll with nothing new costs one request.
    """
    min_id = since_id
    for _ in range(max_pages):
        statuses = client.tag_page(tag, limit=page_size, min_id=min_id)
        newest, oldest = _id_range(statuses)
        last = len(statuses) < page_size or newest is None
        yield Page(statuses, newest, oldest, last)
        if last or newest is None:
            return
        min_id = newest


def pages_backward(
    client: MastodonClient,
    tag: str,
    *,
    max_id: str | None,
    until: datetime,
    page_size: int,
    max_pages: int,
) -> Iterator[Page]:
    """Pages older than ``max_id`` (or from the newest post), back until ``until`` is passed."""
    for _ in range(max_pages):
        statuses = client.tag_page(tag, limit=page_size, max_id=max_id)
        newest, oldest = _id_range(statuses)
        reached = any(created_before(status, until) for status in statuses)
        last = reached or len(statuses) < page_size or oldest is None
        yield Page(statuses, newest, oldest, last)
        if last or oldest is None:
            return
        max_id = oldest


def created_before(status: Any, moment: datetime) -> bool:
    """Whether a raw status was created before ``moment`` (unknown dates are not)."""
    if not isinstance(status, Mapping):
        return False
    created = parse_timestamp(unwrap_boost(status).get("created_at"))
    return created is not None and created < moment


def account_of_status(status: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The profile of the status's author (the original author, for a boost)."""
    account = unwrap_boost(status).get("account")
    return account if isinstance(account, Mapping) else None
