"""JSON columns written from text that is JSON already, so that it is not serialised a second time.

An import reads each record as a line of JSON; when the stored payload is exactly that record, the
line is stored as it is (:class:`SerialisedJson`) instead of ``json.dumps`` of the parsed record, which
would cost as much as parsing it did. Every engine writes JSON columns through :func:`json_serializer`.
"""

from __future__ import annotations

import json
from dataclasses import fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.posts import Card, Media, Post


class SerialisedJson(str):
    """A JSON value as text, to be stored as it is (the caller vouches that it is valid JSON)."""

    __slots__ = ()


def json_serializer(value: Any) -> str:
    """What a JSON column stores for ``value``: its text when it is :class:`SerialisedJson`, else
    ``json.dumps`` of it (SQLAlchemy's default)."""
    if isinstance(value, SerialisedJson):
        return str.__str__(value)
    return json.dumps(value)


# json.dumps with its default arguments is this encoder's ``encode``; called directly, without the
# keyword checks of each json.dumps call.
_dumps = json.JSONEncoder().encode
EMPTY_LIST_JSON = SerialisedJson("[]")
NULL_JSON = SerialisedJson("null")  # what a JSON column stores for None


def post_json_columns(post: Post) -> tuple[SerialisedJson, SerialisedJson, SerialisedJson]:
    """What the ``links``, ``media`` and ``card`` JSON columns store for ``post`` (as
    :func:`json_serializer` writes ``list(post.links)``, each attachment's fields as a dict, the
    card's fields as a dict or None), made once. Pure: an import's workers may call it too.

    >>> from bot.posts import Author, Post
    >>> from datetime import datetime, UTC
    >>> author = Author("a@example.org", "A", "https://example.org/@a")
    >>> when = datetime(2024, 1, 1, tzinfo=UTC)
    >>> post = Post("mastodon", "u", "u", "1", author, when, "t", "<p>t</p>", "public", links=("https://x.org",))
    >>> post_json_columns(post)
    ('["https://x.org"]', '[]', 'null')
    """
    links, media, card = post.links, post.media, post.card
    return (
        SerialisedJson(_dumps(list(links))) if links else EMPTY_LIST_JSON,
        SerialisedJson(_dumps([flat_dict(item) for item in media])) if media else EMPTY_LIST_JSON,
        NULL_JSON if card is None else SerialisedJson(_dumps(flat_dict(card))),
    )


def flat_dict(item: Media | Card) -> dict[str, Any]:
    """``dataclasses.asdict`` of a dataclass whose fields are plain values, without its deep copies."""
    names = _FIELD_NAMES.get(type(item))
    if names is None:
        names = _FIELD_NAMES[type(item)] = tuple(f.name for f in fields(item))
    return {name: getattr(item, name) for name in names}


_FIELD_NAMES: dict[type[Any], tuple[str, ...]] = {}
