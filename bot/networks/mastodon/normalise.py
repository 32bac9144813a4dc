"""Mastodon ``Status`` JSON to :class:`~bot.posts.Post`.

Accepts what the REST API sends (``GET /api/v1/timelines/tag/:tag``, ``GET /api/v1/statuses/:id``),
including the shapes other fediverse servers send through the same API. Boosts are resolved to the
original post: :func:`unwrap_boost` returns the status that was boosted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final, cast
from urllib.parse import urlsplit

from bot.html_text import extract_html
from bot.networks.errors import MalformedPayloadError
from bot.networks.payload import Normaliser, parse_timestamp, post_hashtags
from bot.posts import Author, Card, Media, MediaKind, Post

_MEDIA_KINDS: frozenset[str] = frozenset({"image", "video", "gifv", "audio"})
# What ``isinstance(value, Mapping)`` checks, a dict (what JSON decodes to) first: a dict is a Mapping,
# and checking for one is a third of the cost of asking the ABC. A value that is usually null (a
# boost's original, a card, a poll) is checked for None first, for the same reason.
_MAPPING: Final = (dict, Mapping)


def unwrap_boost(status: Mapping[str, Any]) -> Mapping[str, Any]:
    """The original status behind a boost, or the status itself when it is not a boost."""
    reblog = status.get("reblog")
    if reblog is not None and isinstance(reblog, _MAPPING):
        return reblog
    return status


def account_of_status(status: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The profile of the status's author (the original author, for a boost)."""
    account = unwrap_boost(status).get("account")
    return account if isinstance(account, _MAPPING) else None


def normalise_status(status: Mapping[str, Any]) -> Post:
    """Normalise one Mastodon status (a boost becomes the boosted post).

    Raises :class:`MalformedPayloadError` naming the field when the status cannot be a post.
    """
    if not isinstance(status, _MAPPING):
        raise MalformedPayloadError(f"a status must be a JSON object, not {type(status).__name__}")
    original = unwrap_boost(status)
    uri = _required_str(original, "uri")
    remote_id = _required_str(original, "id")
    account = original.get("account")
    if not isinstance(account, _MAPPING):
        raise MalformedPayloadError(f"status {remote_id}: 'account' is missing or not an object")
    author, author_host = _author(account)
    created_at = parse_timestamp(original.get("created_at"))
    if created_at is None:
        raise MalformedPayloadError(f"status {remote_id}: 'created_at' is missing or not a timestamp")

    html = str(original.get("content") or "")
    extracted = extract_html(html)
    card = _card(original.get("card"))
    links = list(extracted.links)
    if card is not None and card.url and card.url not in links:
        links.append(card.url)
    home = author_host or _host(uri)

    return Post(
        source="mastodon",
        uri=uri,
        url=str(original.get("url") or uri),
        remote_id=remote_id,
        author=author,
        created_at=created_at,
        edited_at=parse_timestamp(original.get("edited_at")),
        text=extracted.text,
        html=html,
        visibility=str(original.get("visibility") or "public"),
        spoiler_text=str(original.get("spoiler_text") or ""),
        sensitive=bool(original.get("sensitive")),
        language=_optional_str(original.get("language")),
        hashtags=_hashtags(original, extracted.text),
        links=tuple(links),
        mentions=_mentions(original.get("mentions"), home),
        media=_media(original.get("media_attachments")),
        card=card,
        poll_options=_poll_options(original.get("poll")),
        in_reply_to_id=_optional_str(original.get("in_reply_to_id")),
        replies_count=_count(original.get("replies_count")),
        reblogs_count=_count(original.get("reblogs_count")),
        favourites_count=_count(original.get("favourites_count")),
        raw=original,
    )


def normalise_account(account: Mapping[str, Any]) -> Author:
    """The author of a post, with a fully qualified ``acct`` (``user@instance``)."""
    return _author(account)[0]


def _author(account: Mapping[str, Any]) -> tuple[Author, str | None]:
    """:func:`normalise_account`, and the host of the profile's URL (the author's home server)."""
    acct = _required_str(account, "acct")
    url = str(account.get("url") or account.get("uri") or "")
    host = _host(url)
    if host and "@" not in acct:
        acct = f"{acct}@{host}"
    author = Author(
        acct=acct,
        display_name=str(account.get("display_name") or account.get("username") or acct),
        url=url,
        bot=bool(account.get("bot")),
    )
    return author, host


def _hashtags(status: Mapping[str, Any], text: str) -> tuple[str, ...]:
    names: list[str] = []
    tags = status.get("tags")
    if isinstance(tags, list):
        for tag in tags:
            name = tag.get("name") if isinstance(tag, _MAPPING) else None
            if isinstance(name, str) and name:
                names.append(name.lower())
    return post_hashtags(names, text)


def _mentions(mentions: object, home: str | None) -> tuple[str, ...]:
    accts: list[str] = []
    for mention in mentions if isinstance(mentions, list) else ():
        acct = mention.get("acct") if isinstance(mention, _MAPPING) else None
        if isinstance(acct, str) and acct:
            if "@" not in acct:
                host = _host(str(mention.get("url") or "")) or home
                acct = f"{acct}@{host}" if host else acct
            accts.append(acct)
    return tuple(dict.fromkeys(accts))


def _media(attachments: object) -> tuple[Media, ...]:
    items: list[Media] = []
    for attachment in attachments if isinstance(attachments, list) else ():
        if not isinstance(attachment, _MAPPING):
            continue
        url = attachment.get("url") or attachment.get("remote_url")
        if not isinstance(url, str) or not url:
            continue
        kind = str(attachment.get("type") or "unknown")
        items.append(
            Media(
                kind=cast(MediaKind, kind if kind in _MEDIA_KINDS else "unknown"),
                url=url,
                preview_url=_optional_str(attachment.get("preview_url")),
                description=_optional_str(attachment.get("description")),
                duration=_duration(attachment.get("meta")),
            )
        )
    return tuple(items)


def _duration(meta: object) -> float | None:
    """Seconds of a video or sound, from the attachment's ``meta`` (``duration``, or ``original``'s)."""
    if not isinstance(meta, _MAPPING):
        return None
    original = meta.get("original")
    for value in (meta.get("duration"), original.get("duration") if isinstance(original, _MAPPING) else None):
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            return float(value)
    return None


def _card(card: object) -> Card | None:
    if card is None or not isinstance(card, _MAPPING):
        return None
    url = card.get("url")
    if not isinstance(url, str) or not url:
        return None
    return Card(
        url=url,
        type=str(card.get("type") or "link"),
        title=str(card.get("title") or ""),
        description=str(card.get("description") or ""),
        provider_name=str(card.get("provider_name") or ""),
        image=_optional_str(card.get("image")),
    )


def _poll_options(poll: object) -> tuple[str, ...]:
    if poll is None or not isinstance(poll, _MAPPING):
        return ()
    options = poll.get("options")
    if not isinstance(options, list):
        return ()
    return tuple(str(o["title"]) for o in options if isinstance(o, _MAPPING) and o.get("title"))


def _required_str(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value:
        raise MalformedPayloadError(f"'{key}' is missing or empty")
    return value


def _optional_str(value: object) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _count(value: object) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return max(0, value)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return 0


# A URL whose host is plain (letters, digits, dots, hyphens, underscores), as nearly every one is: a
# scheme, "//" and the host, up to the path, query or fragment. urlsplit reads that host from it.
_PLAIN_HOST = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://([a-zA-Z0-9._-]*)(?=[/?#]|\Z)")


def _host(url: str) -> str | None:
    """The host of ``url``, lower-cased, as ``urlsplit(url).hostname`` finds it; ``None`` for none."""
    plain = _PLAIN_HOST.match(url)
    if plain is not None:
        return plain[1].lower() or None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host or None


NORMALISER = Normaliser(normalise_status, account_of_status)
