"""Rows of a TAGS export (the Twitter Archiving Google Sheet, saved as CSV) to :class:`~bot.posts.Post`.

TAGS keeps one tweet per row: ``id_str``, ``from_user``, ``text``, ``created_at`` (``Fri Oct 07 22:42:12
+0000 2022``), ``status_url``, and the tweet's entities as JSON in ``entities_str``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime

from bot.networks.errors import MalformedPayloadError
from bot.networks.payload import Normaliser, post_hashtags
from bot.networks.x.normalise import X_HOST, tweet_uri
from bot.posts import Author, Post
from bot.valid_text import valid_record

REQUIRED = ("id_str", "from_user", "text", "created_at")


def normalise_tags_row(row: Mapping[str, str]) -> Post:
    missing = [name for name in REQUIRED if not (row.get(name) or "").strip()]
    if missing:
        raise MalformedPayloadError(f"missing {', '.join(missing)}")
    tweet_id = row["id_str"].strip()
    if not tweet_id.isdigit():
        raise MalformedPayloadError(f"id_str {tweet_id!r} is not a tweet id")
    try:
        created = datetime.strptime(row["created_at"].strip(), "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)
    except ValueError:
        raise MalformedPayloadError(f"created_at {row['created_at']!r} is not a Twitter date") from None
    user = row["from_user"].strip().lstrip("@")
    text, links, tags = _entities(row["text"], row.get("entities_str") or "")
    return Post(
        source="x",
        uri=tweet_uri(tweet_id),
        url=f"https://{X_HOST}/{user}/status/{tweet_id}",
        remote_id=tweet_id,
        author=Author(acct=f"{user.lower()}@{X_HOST}", display_name=user, url=f"https://{X_HOST}/{user}"),
        created_at=created,
        text=text,
        html="",
        visibility="public",
        hashtags=post_hashtags(tags, text),
        links=tuple(links),
        in_reply_to_id=(row.get("in_reply_to_status_id_str") or "").strip() or None,
        raw=dict(row),
    )


def _entities(text: str, entities_json: str) -> tuple[str, list[str], list[str]]:
    try:
        # The cell is JSON of its own: its escapes may decode to text that is not valid.
        entities = valid_record(json.loads(entities_json)) if entities_json.strip() else {}
    except (json.JSONDecodeError, RecursionError, MalformedPayloadError):
        entities = {}
    links: list[str] = []
    for entity in entities.get("urls") or [] if isinstance(entities, dict) else []:
        short, expanded = entity.get("url"), entity.get("expanded_url")
        if isinstance(short, str) and isinstance(expanded, str):
            text = text.replace(short, expanded)
            if expanded not in links:
                links.append(expanded)
    tags = (
        [str(t.get("text")).lower() for t in entities.get("hashtags") or [] if isinstance(t, dict)]
        if isinstance(entities, dict)
        else []
    )
    return text, links, tags


# A TAGS export keeps no profiles, so there is no opt-out to read from it (the screen still applies
# the suppression list).
NORMALISER = Normaliser(normalise_tags_row, lambda _row: None)
