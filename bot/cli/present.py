"""How stored posts are shown on the command line: JSON records and short text blocks. Pure."""

from __future__ import annotations

import textwrap
from typing import Any

from storage.labels import EffectiveLabel
from storage.models import Post as PostRow


def post_record(
    row: PostRow,
    seen_through: list[tuple[str, str]] | None = None,
    labels: list[EffectiveLabel] | None = None,
) -> dict[str, Any]:
    """The JSON object ``exemplar posts --json`` prints for one stored post."""
    labels = labels or []
    return {
        "id": row.id,
        "uri": row.uri,
        "url": row.url,
        "source": row.source,
        "author": row.author_acct,
        "author_name": row.author_name,
        "author_url": row.author_url,
        "created_at": row.created_at.isoformat().replace("+00:00", "Z"),
        "edited_at": row.edited_at.isoformat().replace("+00:00", "Z") if row.edited_at else None,
        "language": row.language,
        "visibility": row.visibility,
        "spoiler_text": row.spoiler_text,
        "sensitive": row.sensitive,
        "text": row.text,
        "hashtags": sorted(tag.tag for tag in row.tags),
        "links": list(row.links),
        "media": list(row.media),
        "card": row.card,
        "replies_count": row.replies_count,
        "reblogs_count": row.reblogs_count,
        "favourites_count": row.favourites_count,
        "labels": [label.name for label in labels],
        "reasons": {label.name: label.reason for label in labels},
        "confidence": {label.name: round(label.confidence, 3) for label in labels},
        "labelled_by": {label.name: label.origin for label in labels},
        "seen_through": [{"source": source, "hashtag": tag} for source, tag in seen_through or []],
    }


def post_block(row: PostRow, labels: list[EffectiveLabel] | None = None, width: int = 100) -> str:
    """A few readable lines about one post, for ``exemplar posts``."""
    when = row.created_at.strftime("%Y-%m-%d %H:%M")
    header = f"#{row.id}  {when}  {row.author_name} (@{row.author_acct})"
    if labels:
        header += "  [" + ", ".join(label.name for label in labels) + "]"
    body = row.text if not row.spoiler_text else f"[CW: {row.spoiler_text}] {row.text}"
    shortened = textwrap.shorten(" ".join(body.split()), width=width * 2, placeholder=" …") or "(no text)"
    lines = [header, *textwrap.wrap(shortened, width=width, initial_indent="    ", subsequent_indent="    ")]
    extras = []
    if row.media:
        extras.append(", ".join(str(item.get("kind")) for item in row.media))
    if row.links:
        extras.append(f"{len(row.links)} link{'s' if len(row.links) != 1 else ''}")
    lines.append(f"    {row.url}" + (f"  [{'; '.join(extras)}]" if extras else ""))
    lines.extend(f"    {label.name}: {label.reason}" for label in labels or [])
    return "\n".join(lines)
