"""Curator corrections and applied catalogue additions: the queries behind ``exemplar classify --report``.

A correction is a curator row in ``post_labels`` that disagrees with the rule row for the same post
and label: the curator added a label the rules did not give, or removed one they gave. A curator row
that agrees with the rules is a confirmation and is not returned.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, or_, select
from sqlalchemy.orm import Session, aliased

from storage.labels import CURATOR, RULE
from storage.models import CatalogueAddition, PostLabel, table_of
from storage.models import Post as PostRow


@dataclass(frozen=True, slots=True)
class CorrectionRow:
    """One curator correction, with the stored post and what the rules said (if they gave the label)."""

    post_id: int
    post_url: str
    raw: dict[str, Any]
    label: str
    added: bool
    rule_reason: str | None
    set_by: str | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class RuleToolRow:
    """A post the rules labelled as a tool, and their reason."""

    post_id: int
    raw: dict[str, Any]
    reason: str


def curator_corrections(session: Session) -> tuple[list[CorrectionRow], int]:
    """Every curator correction, oldest first, and how many curator labels agree with the rules.

    Those that agree are confirmations, or corrections the rules have learned since.
    """
    curator = aliased(PostLabel)
    rule = aliased(PostLabel)
    rows = session.execute(
        select(curator, rule.reason, PostRow.url, PostRow.raw)
        .join(PostRow, PostRow.id == curator.post_id)
        .outerjoin(
            rule, and_(rule.post_id == curator.post_id, rule.label == curator.label, rule.origin == RULE)
        )
        .where(curator.origin == CURATOR)
        .order_by(curator.updated_at, curator.post_id, curator.label)
    ).all()
    found = []
    agreeing = 0
    for row, rule_reason, url, raw in rows:
        if row.present == (rule_reason is not None):
            agreeing += 1
            continue
        found.append(
            CorrectionRow(
                row.post_id, url, raw, row.label, row.present, rule_reason, row.set_by, row.updated_at
            )
        )
    return found, agreeing


def rule_tool_labels(session: Session, reasons_containing: Iterable[str]) -> Iterator[RuleToolRow]:
    """Posts whose rule ``tool`` label's reason contains one of these phrases."""
    phrases = list(reasons_containing)
    if not phrases:
        return

    query = (
        select(PostLabel.post_id, PostLabel.reason, PostRow.raw)
        .join(PostRow, PostRow.id == PostLabel.post_id)
        .where(PostLabel.label == "tool", PostLabel.origin == RULE)
        .where(or_(*(PostLabel.reason.contains(phrase, autoescape=True) for phrase in phrases)))
        .order_by(PostLabel.post_id)
    )
    for post_id, reason, raw in session.execute(query):
        yield RuleToolRow(post_id, raw, reason)


def applied_additions(session: Session) -> list[Row[Any]]:
    """The catalogue additions curators applied, in the order they applied them: rows of ``kind``,
    ``tool``, ``spelling`` and ``domains``. Read over the table: every command reads them at start,
    and a mapped query would configure all the ORM's mappers first."""
    table = table_of(CatalogueAddition)
    statement = select(table.c.kind, table.c.tool, table.c.spelling, table.c.domains).order_by(table.c.id)
    return list(session.connection().execute(statement))


def record_addition(
    session: Session,
    *,
    kind: str,
    tool: str,
    spelling: str,
    domains: Iterable[str],
    posts_count: int,
    by: str | None,
    now: datetime,
) -> bool:
    """Store an applied addition; ``False`` when the same one was applied before."""
    existing = session.scalar(
        select(CatalogueAddition).where(
            CatalogueAddition.kind == kind,
            CatalogueAddition.tool == tool,
            CatalogueAddition.spelling == spelling,
        )
    )
    if existing is not None:
        return False
    session.add(
        CatalogueAddition(
            kind=kind,
            tool=tool,
            spelling=spelling,
            domains=list(domains),
            posts_count=posts_count,
            applied_by=by,
            applied_at=now,
        )
    )
    session.flush()
    return True
