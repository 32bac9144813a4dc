"""A published item as a plain record: what was posted and emailed, kept as it was.

Publishing freezes each item (its text, author, links and media as they went out); the archive shows
the record, never the live post. The only change after publication is removal at the author's
request, which keeps where the item sat and drops its content. Pure: data in, data out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

from digests.model import Answer, DigestItem

_TUPLES = {"links", "media_kinds", "tool_names"}
_CONTENT = ("url", "uri", "author_name", "author_acct", "author_url", "text", "html")


def item_record(item: DigestItem) -> dict[str, Any]:
    """The item as JSON-compatible data."""
    record = asdict(item)
    record["created_at"] = item.created_at.isoformat()
    for name in _TUPLES:
        record[name] = list(record[name])
    record["answers"] = [{"name": answer.name, "url": answer.url} for answer in item.answers]
    return record


def item_from_record(record: Mapping[str, Any]) -> DigestItem:
    """The item a record was made from (unknown keys, from a newer version, are left out)."""
    known = {f.name for f in fields(DigestItem)}
    # A removed item's record keeps only where it sat: what it said is gone.
    values: dict[str, Any] = dict.fromkeys(_CONTENT, "")
    values.update({key: value for key, value in record.items() if key in known})
    values["created_at"] = datetime.fromisoformat(str(values["created_at"]))
    for name in _TUPLES & values.keys():
        values[name] = tuple(values[name])
    values["answers"] = tuple(Answer(str(a["name"]), str(a["url"])) for a in values.get("answers", ()))
    return DigestItem(**values)
