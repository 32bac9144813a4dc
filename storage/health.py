"""The figures behind the health report and the quiet-source alert: run outcomes, posts per network
and hashtag, consent removals, refused emails. Functions take a Session and return plain data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from storage.models import (
    AppState,
    Digest,
    EmailDelivery,
    Post,
    PostTag,
    Sighting,
    SourceRun,
    SuppressedAuthor,
)


@dataclass(frozen=True, slots=True)
class RunRecord:
    source_key: str
    source_name: str
    network: str
    started_at: datetime
    finished_at: datetime
    ok: bool
    fetched: int
    new: int
    retries: int
    error: str | None


def record_run(session: Session, run: RunRecord) -> None:
    session.add(
        SourceRun(
            source_key=run.source_key,
            source_name=run.source_name,
            network=run.network,
            started_at=run.started_at,
            finished_at=run.finished_at,
            ok=run.ok,
            fetched=run.fetched,
            new=run.new,
            retries=run.retries,
            error=run.error[:2000] if run.error else None,
        )
    )


def posts_by_network_and_tag(session: Session, start: datetime, end: datetime) -> dict[tuple[str, str], int]:
    """Posts first stored in ``[start, end)``, counted per network and hashtag."""
    rows = session.execute(
        select(Post.source, PostTag.tag, func.count(func.distinct(Post.id)))
        .join(PostTag, PostTag.post_id == Post.id)
        .where(Post.first_seen_at >= start, Post.first_seen_at < end)
        .group_by(Post.source, PostTag.tag)
    )
    return {(str(network), str(tag)): int(count) for network, tag, count in rows}


@dataclass(frozen=True, slots=True)
class RunTotals:
    runs: int
    failed: int
    retries: int
    last_error: str | None


def run_totals(session: Session, start: datetime, end: datetime) -> dict[str, RunTotals]:
    """Per source key: runs, failed runs and retries in ``[start, end)``, and the latest error."""
    rows = session.execute(
        select(
            SourceRun.source_key,
            func.count(),
            func.sum(case((SourceRun.ok.is_(False), 1), else_=0)),
            func.sum(SourceRun.retries),
        )
        .where(SourceRun.finished_at >= start, SourceRun.finished_at < end)
        .group_by(SourceRun.source_key)
    )
    totals = {}
    for key, runs, failed, retries in rows:
        last_error = session.scalar(
            select(SourceRun.error)
            .where(SourceRun.source_key == key, SourceRun.ok.is_(False), SourceRun.finished_at < end)
            .order_by(SourceRun.finished_at.desc())
            .limit(1)
        )
        totals[str(key)] = RunTotals(int(runs), int(failed or 0), int(retries or 0), last_error)
    return totals


def recent_outcomes(session: Session, source_key: str, limit: int) -> list[bool]:
    """The latest ``limit`` run outcomes of a source, newest first (True: it worked)."""
    return [
        bool(ok)
        for ok in session.scalars(
            select(SourceRun.ok)
            .where(SourceRun.source_key == source_key)
            .order_by(SourceRun.finished_at.desc(), SourceRun.id.desc())
            .limit(limit)
        )
    ]


def posts_seen_through(session: Session, source_key: str, start: datetime, end: datetime) -> int:
    """Posts this source brought in (first sighting through it) in ``[start, end)``."""
    return int(
        session.scalar(
            select(func.count(func.distinct(Sighting.post_id))).where(
                Sighting.source_key == source_key, Sighting.seen_at >= start, Sighting.seen_at < end
            )
        )
        or 0
    )


def last_post_through(session: Session, source_key: str) -> datetime | None:
    return session.scalar(select(func.max(Sighting.seen_at)).where(Sighting.source_key == source_key))


def consent_removals(session: Session, start: datetime, end: datetime) -> int:
    """Authors put on the suppression list in ``[start, end)``."""
    return int(
        session.scalar(
            select(func.count()).where(
                SuppressedAuthor.recorded_at >= start, SuppressedAuthor.recorded_at < end
            )
        )
        or 0
    )


def refused_emails(session: Session, start: datetime, end: datetime) -> list[tuple[int, str, str]]:
    """Digest emails the mail server refused for digests last changed in ``[start, end)``:
    (digest id, recipient, error)."""
    rows = session.execute(
        select(EmailDelivery.digest_id, EmailDelivery.recipient, EmailDelivery.last_error)
        .join(Digest, Digest.id == EmailDelivery.digest_id)
        .where(EmailDelivery.status == "refused", Digest.updated_at >= start, Digest.updated_at < end)
        .order_by(EmailDelivery.digest_id, EmailDelivery.recipient)
    )
    return [(int(digest), str(recipient), str(error or "")) for digest, recipient, error in rows]


def drafts_waiting(session: Session) -> list[int]:
    """Digests drafted and not yet approved: a curator's review is due."""
    return list(session.scalars(select(Digest.id).where(Digest.status == "draft").order_by(Digest.id)))


def curator_emails(session: Session) -> list[str]:
    from storage.models import Curator

    return list(session.scalars(select(Curator.email).order_by(Curator.email)))


def read_stamp(session: Session, key: str) -> datetime | None:
    row = session.get(AppState, key)
    return datetime.fromisoformat(row.value) if row is not None else None


def write_stamp(session: Session, key: str, when: datetime) -> None:
    row = session.get(AppState, key)
    if row is None:
        session.add(AppState(key=key, value=when.isoformat()))
    else:
        row.value = when.isoformat()


def distinct_sources(session: Session) -> Sequence[tuple[str, str, str]]:
    """Every source that has a recorded run: (key, name, network)."""
    rows = session.execute(select(SourceRun.source_key, SourceRun.source_name, SourceRun.network).distinct())
    return [(str(key), str(name), str(network)) for key, name, network in rows]
