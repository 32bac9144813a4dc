"""Labels and the link cache: reads and writes, each taking a Session.

The effective labels of a post are its curator rows where a curator has spoken, and its rule rows
for every other label.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, bindparam, exists, not_, or_, select
from sqlalchemy.orm import Session

from storage.many_rows import delete_rows_where_in, insert_rows, rows_where_in
from storage.models import LinkInfo, PostLabel, table_of
from storage.models import Post as PostRow

RULE = "rule"
CURATOR = "curator"


class LabelLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def confidence(self) -> float: ...
    @property
    def reason(self) -> str: ...


@dataclass(frozen=True, slots=True)
class EffectiveLabel:
    """A label a post carries, and who decided it."""

    name: str
    confidence: float
    reason: str
    origin: str
    set_by: str | None = None


def replace_rule_labels(
    session: Session, labels_by_post: Mapping[int, Iterable[LabelLike]], now: datetime
) -> None:
    """Make the rule labels of these posts exactly the given ones (curator rows are untouched)."""
    if not labels_by_post:
        return
    connection = session.connection()
    table = table_of(PostLabel)
    delete_rows_where_in(connection, table, "post_id", list(labels_by_post), {"origin": RULE})
    rows = [
        (post_id, label.name, RULE, True, label.confidence, label.reason, None, now)
        for post_id, labels in labels_by_post.items()
        for label in labels
    ]
    insert_rows(connection, table, _LABEL_COLUMNS, rows)


_LABEL_COLUMNS = ("post_id", "label", "origin", "present", "confidence", "reason", "set_by", "updated_at")


def set_curator_label(
    session: Session, post_id: int, label: str, present: bool, *, by: str | None, now: datetime
) -> None:
    """Record a curator's word on one label of one post; it wins over the rules from now on."""
    row = session.get(PostLabel, (post_id, label, CURATOR))
    reason = f"{'added' if present else 'removed'} by {by or 'a curator'}"
    if row is None:
        session.add(
            PostLabel(
                post_id=post_id,
                label=label,
                origin=CURATOR,
                present=present,
                confidence=1.0,
                reason=reason,
                set_by=by,
                updated_at=now,
            )
        )
    else:
        row.present, row.reason, row.set_by, row.updated_at = present, reason, by, now


_LABEL_TABLE = table_of(PostLabel)  # the table's columns: no mapper needs configuring first
# Built once (its cache key too): every inbox page and every label form runs it.
_LABELS_OF_POSTS = select(
    _LABEL_TABLE.c.post_id,
    _LABEL_TABLE.c.label,
    _LABEL_TABLE.c.origin,
    _LABEL_TABLE.c.present,
    _LABEL_TABLE.c.confidence,
    _LABEL_TABLE.c.reason,
    _LABEL_TABLE.c.set_by,
).where(_LABEL_TABLE.c.post_id.in_(bindparam("post_ids", expanding=True)))


def effective_labels(session: Session, post_ids: Sequence[int]) -> dict[int, list[EffectiveLabel]]:
    """The labels each post carries, curator corrections applied, sorted by name."""
    rows: dict[tuple[int, str], Any] = {}
    if post_ids:
        found_rows = session.connection().execute(_LABELS_OF_POSTS, {"post_ids": list(post_ids)})
        for found in found_rows:
            key = (found.post_id, found.label)
            if key not in rows or found.origin == CURATOR:
                rows[key] = found
    result: dict[int, list[EffectiveLabel]] = {}
    for (post_id, _label), row in sorted(rows.items()):
        if row.present:
            result.setdefault(post_id, []).append(
                EffectiveLabel(row.label, row.confidence, row.reason, row.origin, row.set_by)
            )
    return result


# Built once: an alias sets up its column collection when first used, and the inbox filters by label
# on every request of a label's page.
_CURATOR_LABEL = table_of(PostLabel).alias("curator_label")
_RULE_LABEL = table_of(PostLabel).alias("rule_label")


def has_label(label: str) -> ColumnElement[bool]:
    """A WHERE clause on posts: the post effectively carries ``label``."""
    curator, rule = _CURATOR_LABEL, _RULE_LABEL
    curator_says = exists().where(
        curator.c.post_id == PostRow.id, curator.c.label == label, curator.c.origin == CURATOR
    )
    curator_adds = exists().where(
        curator.c.post_id == PostRow.id,
        curator.c.label == label,
        curator.c.origin == CURATOR,
        curator.c.present.is_(True),
    )
    rule_says = exists().where(rule.c.post_id == PostRow.id, rule.c.label == label, rule.c.origin == RULE)
    return or_(curator_adds, and_(rule_says, not_(curator_says)))


_LINK_TABLE = table_of(LinkInfo)


def cached_links(session: Session, urls: Iterable[str]) -> dict[str, LinkInfo]:
    """Link-resolution results already known for these URLs."""
    wanted = list(dict.fromkeys(urls))
    found: dict[str, LinkInfo] = {}
    if not wanted:
        return found
    # Most URLs are not cached (none, in an import of new posts): find which are with a plain query,
    # and load only those.
    wanted = [url for (url,) in rows_where_in(session.connection(), _LINK_TABLE, ("url",), "url", wanted)]
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        in_chunk = LinkInfo.url.in_(bindparam("urls", expanding=True))
        for row in session.scalars(select(LinkInfo).where(in_chunk), {"urls": chunk}):
            found[row.url] = row
    return found


def save_link_infos(session: Session, infos: Iterable[Mapping[str, Any]]) -> None:
    """Store (or replace) link-resolution results; each mapping has LinkInfo's columns."""
    for info in infos:
        session.merge(LinkInfo(**info))
