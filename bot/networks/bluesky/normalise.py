"""Bluesky post views (``app.bsky.feed.defs#postView``) to :class:`~bot.posts.Post`.

Links, hashtags and mentions live in the record's facets (with byte offsets into the UTF-8 text);
link cards, images and videos in the view's embed. The canonical identity is the ``at://`` URI; the
web address is ``https://bsky.app/profile/{handle}/post/{rkey}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.networks.errors import MalformedPayloadError
from bot.networks.mastodon.normalise import parse_timestamp
from bot.posts import Author, Card, Media, Post
from bot.text_tags import hashtags_in_text

NO_UNAUTHENTICATED = "!no-unauthenticated"


def normalise_bluesky_post(view: Mapping[str, Any]) -> Post:
    """Normalise one post view (as ``searchPosts``, ``getPostThread`` and feeds return them)."""
    if not isinstance(view, Mapping):
        raise MalformedPayloadError("a Bluesky post must be a JSON object")
    uri = view.get("uri")
    if not isinstance(uri, str) or not uri.startswith("at://") or "/app.bsky.feed.post/" not in uri:
        raise MalformedPayloadError("'uri' is missing or not an at:// post URI")
    author = view.get("author")
    record = view.get("record")
    if not isinstance(author, Mapping) or not author.get("handle"):
        raise MalformedPayloadError(f"{uri}: 'author' is missing or has no handle")
    if not isinstance(record, Mapping):
        raise MalformedPayloadError(f"{uri}: 'record' is missing")
    created = parse_timestamp(record.get("createdAt")) or parse_timestamp(view.get("indexedAt"))
    if created is None:
        raise MalformedPayloadError(f"{uri}: 'record.createdAt' is missing or not a timestamp")
    handle = str(author["handle"])
    rkey = uri.rsplit("/", 1)[-1]
    text = str(record.get("text") or "")
    links, tags, mentions = _facets(record.get("facets"))
    card, media = _embed(view.get("embed"))
    if card is not None and card.url not in links:
        links.append(card.url)
    langs = record.get("langs")
    return Post(
        source="bluesky",
        uri=uri,
        url=f"https://bsky.app/profile/{handle}/post/{rkey}",
        remote_id=uri,
        author=Author(
            acct=handle.lower(),
            display_name=str(author.get("displayName") or handle),
            url=f"https://bsky.app/profile/{handle}",
        ),
        created_at=created,
        text=text,
        html="",
        visibility="public",
        sensitive=any(
            _label_value(label) in {"sexual", "nudity", "porn", "graphic-media"}
            for label in view.get("labels") or []
        ),
        language=str(langs[0]) if isinstance(langs, list) and langs else None,
        hashtags=tuple(dict.fromkeys(tags or hashtags_in_text(text))),
        links=tuple(links),
        mentions=tuple(mentions),
        media=tuple(media),
        card=card,
        in_reply_to_id=_parent(record.get("reply")),
        replies_count=_int(view.get("replyCount")),
        reblogs_count=_int(view.get("repostCount")),
        favourites_count=_int(view.get("likeCount")),
        raw=view,
    )


def author_profile(view: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The author's profile in the shape the opt-out rule reads.

    Bluesky's own opt-out is the ``!no-unauthenticated`` self-label ("do not show my posts to people who
    are not logged in"); it is read here as ``noindex``. The bio, when the view carries one, is the note.
    """
    author = view.get("author")
    if not isinstance(author, Mapping):
        return None
    labels = {_label_value(label) for label in author.get("labels") or []}
    return {
        "note": str(author.get("description") or ""),
        "fields": [],
        "noindex": NO_UNAUTHENTICATED in labels,
    }


def _facets(facets: object) -> tuple[list[str], list[str], list[str]]:
    links: list[str] = []
    tags: list[str] = []
    mentions: list[str] = []
    for facet in facets if isinstance(facets, list) else []:
        for feature in facet.get("features") or [] if isinstance(facet, Mapping) else []:
            if not isinstance(feature, Mapping):
                continue
            kind = str(feature.get("$type") or "")
            if kind.endswith("#link") and isinstance(feature.get("uri"), str) and feature["uri"] not in links:
                links.append(feature["uri"])
            elif kind.endswith("#tag") and feature.get("tag"):
                tags.append(str(feature["tag"]).lstrip("#").lower())
            elif kind.endswith("#mention") and feature.get("did"):
                mentions.append(str(feature["did"]))
    return links, tags, mentions


def _embed(embed: object) -> tuple[Card | None, list[Media]]:
    if not isinstance(embed, Mapping):
        return None, []
    kind = str(embed.get("$type") or "")
    if kind.startswith("app.bsky.embed.recordWithMedia"):
        return _embed(embed.get("media"))
    if kind.startswith("app.bsky.embed.external"):
        external = embed.get("external")
        if isinstance(external, Mapping) and isinstance(external.get("uri"), str):
            return (
                Card(
                    url=external["uri"],
                    type="link",
                    title=str(external.get("title") or ""),
                    description=str(external.get("description") or ""),
                    image=str(external["thumb"]) if external.get("thumb") else None,
                ),
                [],
            )
    if kind.startswith("app.bsky.embed.images"):
        return None, [
            Media(
                kind="image",
                url=str(image.get("fullsize") or image.get("thumb")),
                preview_url=image.get("thumb"),
                description=str(image.get("alt") or "") or None,
            )
            for image in embed.get("images") or []
            if isinstance(image, Mapping) and (image.get("fullsize") or image.get("thumb"))
        ]
    if kind.startswith("app.bsky.embed.video") and embed.get("playlist"):
        # Bluesky serves videos as HLS playlists, not files.
        return None, [
            Media(
                kind="video",
                url=str(embed["playlist"]),
                preview_url=embed.get("thumbnail"),
                description=str(embed.get("alt") or "") or None,
            )
        ]
    return None, []


def _parent(reply: object) -> str | None:
    if isinstance(reply, Mapping) and isinstance(reply.get("parent"), Mapping):
        parent = reply["parent"].get("uri")
        return str(parent) if parent else None
    return None


def _label_value(label: object) -> str:
    return str(label.get("val")) if isinstance(label, Mapping) else ""


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
