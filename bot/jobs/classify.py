"""Labelling jobs: re-label every stored post, or classify a file of statuses without a database."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from bot.classify import ToolCatalogue, classify
from bot.jobs.store import PostStore
from bot.jsonfile import read_json_records
from bot.networks.errors import MalformedPayloadError
from bot.networks.mastodon.normalise import normalise_status
from bot.posts import Post
from bot.valid_text import valid_record
from storage import labels as label_repo
from storage.db import session_scope
from storage.models import Post as PostRow

log = logging.getLogger(__name__)

RELABEL_BATCH = 1000


def relabel_all(engine: Engine, store: PostStore, clock: Callable[[], datetime]) -> Counter[str]:
    """Recompute the rule labels of every stored post from its raw payload; returns label counts.

    Curator corrections are kept and still win.
    """
    counts: Counter[str] = Counter()
    after = 0
    while True:
        with session_scope(engine) as session:
            rows = session.execute(
                select(PostRow.id, PostRow.raw)
                .where(PostRow.id > after)
                .order_by(PostRow.id)
                .limit(RELABEL_BATCH)
            ).all()
            if not rows:
                return counts
            posts: dict[int, Post] = {}
            for post_id, raw in rows:
                try:
                    posts[post_id] = normalise_status(raw)
                except MalformedPayloadError as error:
                    log.warning(
                        "post %d: its stored payload cannot be read (%s); labels left as they are",
                        post_id,
                        error,
                    )
            store.relabel(session, posts, clock())
            after = rows[-1][0]
            for labels in label_repo.effective_labels(session, list(posts)).values():
                counts.update(label.name for label in labels)
            counts["posts"] += len(posts)


def _with_defaults(record: Mapping[str, Any]) -> Mapping[str, Any]:
    """A status with the fields storage needs but classifying does not (uri, author, time) filled in,
    so that a hand-written or trimmed status is still classified; only its ``id`` is required."""
    if "reblog" in record and isinstance(record.get("reblog"), Mapping):
        return {**record, "reblog": _with_defaults(record["reblog"])}
    status_id = record.get("id")
    filled = dict(record)
    filled.setdefault("uri", f"urn:exemplar:status:{status_id}")
    if not isinstance(filled.get("account"), Mapping):
        filled["account"] = {"acct": "unknown", "username": "unknown"}
    if not filled.get("created_at"):
        filled["created_at"] = "1970-01-01T00:00:00Z"
    return filled


def classify_file(
    path: Path, catalogue: ToolCatalogue, on_problem: Callable[[int, str], None]
) -> Iterator[dict[str, Any]]:
    """One ``{"id", "labels", "reasons"}`` object per Mastodon status in ``path``; no database, no network."""
    for number, record in read_json_records(path, on_problem):
        if not isinstance(record, Mapping):
            on_problem(number, "not a JSON object")
            continue
        try:
            record = valid_record(record)
            post = normalise_status(_with_defaults(record))
        except MalformedPayloadError as error:
            on_problem(number, str(error))
            continue
        labels = classify(post, catalogue)
        yield {
            "id": str(record.get("id", post.remote_id)),
            "labels": [label.name for label in labels],
            "reasons": {label.name: label.reason for label in labels},
            "confidence": {label.name: label.confidence for label in labels},
        }
