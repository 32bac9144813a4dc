"""A digest as JSON-ready data (``exemplar digest draft --json``, ``digest show --format json``)."""

from __future__ import annotations

from typing import Any

from digests.model import SECTIONS, Digest, DigestItem


def digest_to_json(digest: Digest) -> dict[str, Any]:
    return {
        "id": digest.id,
        "status": digest.status,
        "period_start": digest.period_start.isoformat(),
        "period_end": digest.period_end.isoformat(),
        "timezone": digest.timezone,
        "hashtag": digest.hashtag,
        "heading": digest.heading,
        "intro": digest.intro,
        "sections": {section: [_item(item) for item in digest.section(section)] for section in SECTIONS},
    }


def _item(item: DigestItem) -> dict[str, Any]:
    return {
        "post_id": item.post_id,
        "position": item.position,
        "url": item.url,
        "author": item.author_acct,
        "author_name": item.author_name,
        "author_url": item.author_url,
        "created_at": item.created_at.isoformat(),
        "text": item.text,
        "spoiler_text": item.spoiler_text,
        "blurb": item.blurb,
        "pinned": item.pinned,
        "reason": item.reason,
        "links": list(item.links),
        "media": list(item.media_kinds),
        "tools": list(item.tool_names),
        "favourites_count": item.favourites_count,
        "reblogs_count": item.reblogs_count,
        "replies_count": item.replies_count,
        "answers": [{"name": answer.name, "url": answer.url} for answer in item.answers],
    }
