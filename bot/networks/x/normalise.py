"""X (Twitter) API v2 tweets to :class:`~bot.posts.Post`.

A v2 page keeps authors and media apart from tweets (``data`` + ``includes``); :func:`tweets_in_page`
joins each tweet with its author and media into one self-contained record, which is what is stored
as the raw payload and what :func:`normalise_tweet` reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.networks.errors import MalformedPayloadError
from bot.networks.mastodon.normalise import parse_timestamp
from bot.posts import Author, Media, MediaKind, Post
from bot.text_tags import hashtags_in_text

X_HOST = "x.com"
_MEDIA_KINDS: dict[str, MediaKind] = {"photo": "image", "video": "video", "animated_gif": "gifv"}


def tweets_in_page(page: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each tweet of a v2 response page as ``{"tweet", "author", "media", "original"}`` records.

    A retweet carries the tweet it retweets as ``original`` (from ``includes.tweets``) when present.
    """
    data = page.get("data")
    tweets = data if isinstance(data, list) else [data] if isinstance(data, Mapping) else []
    includes = page.get("includes") if isinstance(page.get("includes"), Mapping) else {}
    assert isinstance(includes, Mapping)
    users = {str(u.get("id")): u for u in includes.get("users") or [] if isinstance(u, Mapping)}
    media = {str(m.get("media_key")): m for m in includes.get("media") or [] if isinstance(m, Mapping)}
    referenced = {str(t.get("id")): t for t in includes.get("tweets") or [] if isinstance(t, Mapping)}

    def record(tweet: Mapping[str, Any]) -> dict[str, Any]:
        keys = (tweet.get("attachments") or {}).get("media_keys") or []
        return {
            "tweet": dict(tweet),
            "author": users.get(str(tweet.get("author_id"))),
            "media": [media[str(k)] for k in keys if str(k) in media],
        }

    records = []
    for tweet in tweets:
        if not isinstance(tweet, Mapping):
            records.append({"tweet": tweet})
            continue
        entry = record(tweet)
        for ref in tweet.get("referenced_tweets") or []:
            if (
                isinstance(ref, Mapping)
                and ref.get("type") == "retweeted"
                and str(ref.get("id")) in referenced
            ):
                entry["original"] = record(referenced[str(ref["id"])])
        records.append(entry)
    return records


def normalise_tweet(record: Mapping[str, Any]) -> Post:
    """Normalise one joined tweet record (a retweet becomes the tweet it retweets)."""
    if isinstance(record.get("original"), Mapping):
        record = record["original"]
    tweet = record.get("tweet")
    if not isinstance(tweet, Mapping):
        raise MalformedPayloadError("a tweet record needs a 'tweet' object")
    tweet_id = str(tweet.get("id") or "")
    if not tweet_id.isdigit():
        raise MalformedPayloadError("'id' is missing or not a tweet id")
    if any(
        isinstance(r, Mapping) and r.get("type") == "retweeted" for r in tweet.get("referenced_tweets") or []
    ):
        raise MalformedPayloadError(f"tweet {tweet_id} is a retweet whose original was not included")
    author = record.get("author")
    if not isinstance(author, Mapping) or not author.get("username"):
        raise MalformedPayloadError(f"tweet {tweet_id}: its author is not in the page's includes.users")
    created = parse_timestamp(tweet.get("created_at"))
    if created is None:
        raise MalformedPayloadError(
            f"tweet {tweet_id}: 'created_at' is missing (ask for tweet.fields=created_at)"
        )
    username = str(author["username"])
    url = f"https://{X_HOST}/{username}/status/{tweet_id}"
    entities = tweet.get("entities") if isinstance(tweet.get("entities"), Mapping) else {}
    assert isinstance(entities, Mapping)
    text, links = _expand_urls(str(tweet.get("text") or ""), entities.get("urls") or [])
    metrics = tweet.get("public_metrics") if isinstance(tweet.get("public_metrics"), Mapping) else {}
    assert isinstance(metrics, Mapping)
    tags = [str(t.get("tag")).lower() for t in entities.get("hashtags") or [] if isinstance(t, Mapping)]
    return Post(
        source="x",
        uri=tweet_uri(tweet_id),
        url=url,
        remote_id=tweet_id,
        author=Author(
            acct=f"{username.lower()}@{X_HOST}",
            display_name=str(author.get("name") or username),
            url=f"https://{X_HOST}/{username}",
        ),
        created_at=created,
        text=text,
        html="",
        visibility="public",
        sensitive=bool(tweet.get("possibly_sensitive")),
        language=str(tweet["lang"]) if tweet.get("lang") else None,
        hashtags=tuple(dict.fromkeys(tags or hashtags_in_text(text))),
        links=tuple(links),
        mentions=tuple(
            f"{str(m.get('username')).lower()}@{X_HOST}"
            for m in entities.get("mentions") or []
            if isinstance(m, Mapping) and m.get("username")
        ),
        media=tuple(_media(item) for item in record.get("media") or [] if isinstance(item, Mapping)),
        in_reply_to_id=_replied_to(tweet),
        replies_count=_int(metrics.get("reply_count")),
        reblogs_count=_int(metrics.get("retweet_count")),
        favourites_count=_int(metrics.get("like_count")),
        raw=record,
    )


def tweet_uri(tweet_id: str) -> str:
    """A tweet's identity, whatever its author is called now (so every archive of it agrees)."""
    return f"https://{X_HOST}/i/status/{tweet_id}"


def author_profile(record: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The author's profile in the shape the opt-out rule reads (their bio as the note)."""
    if isinstance(record.get("original"), Mapping):
        record = record["original"]
    author = record.get("author")
    if not isinstance(author, Mapping):
        return None
    return {"note": str(author.get("description") or ""), "fields": []}


def _expand_urls(text: str, urls: list[Any]) -> tuple[str, list[str]]:
    """Text with t.co links replaced by where they go, and the shared (non-media) links."""
    links: list[str] = []
    for entity in urls:
        if not isinstance(entity, Mapping):
            continue
        short, expanded = entity.get("url"), entity.get("unwound_url") or entity.get("expanded_url")
        if not isinstance(short, str) or not isinstance(expanded, str):
            continue
        if entity.get("media_key"):
            text = text.replace(short, "").strip()
            continue
        text = text.replace(short, expanded)
        if expanded not in links:
            links.append(expanded)
    return text, links


def _media(item: Mapping[str, Any]) -> Media:
    kind = _MEDIA_KINDS.get(str(item.get("type")), "unknown")
    variants = [
        v
        for v in item.get("variants") or []
        if isinstance(v, Mapping) and v.get("content_type") == "video/mp4"
    ]
    best = max(variants, key=lambda v: int(v.get("bit_rate") or 0), default=None)
    url = str((best or {}).get("url") or item.get("url") or item.get("preview_image_url") or "")
    duration = item.get("duration_ms")
    return Media(
        kind=kind,
        url=url,
        preview_url=str(item["preview_image_url"]) if item.get("preview_image_url") else None,
        description=str(item["alt_text"]) if item.get("alt_text") else None,
        duration=float(duration) / 1000 if isinstance(duration, int | float) and duration else None,
    )


def _replied_to(tweet: Mapping[str, Any]) -> str | None:
    for ref in tweet.get("referenced_tweets") or []:
        if isinstance(ref, Mapping) and ref.get("type") == "replied_to":
            return str(ref.get("id"))
    return None


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
