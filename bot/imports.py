"""``exemplar import``: replay saved payloads through the same screening and storage as collection."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from pathlib import Path

from sqlalchemy import Engine

from bot.collectors.mastodon import account_of_status
from bot.errors import ExemplarError
from bot.jobs.store import PostStore
from bot.jsonfile import read_json_records
from bot.normalise.mastodon import normalise_status
from bot.screen import SKIP_MALFORMED, screen
from storage import repository as repo
from storage.db import session_scope
from storage.digests import suppressed_accounts

log = logging.getLogger(__name__)

FORMATS = ("mastodon",)
BATCH_SIZE = 500
IMPORT_SOURCE = "import:mastodon"


@dataclass(slots=True)
class ImportSummary:
    """What an import did."""

    path: Path
    read: int = 0
    new: int = 0
    updated: int = 0
    removed: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    bad_lines: list[int] = field(default_factory=list)

    def describe(self) -> str:
        skipped = ", ".join(f"{count} {reason}" for reason, count in sorted(self.skipped.items()))
        line = (
            f"{self.path}: read {self.read}, new {self.new}, updated {self.updated}, removed {self.removed}, "
            f"skipped {sum(self.skipped.values())}" + (f" ({skipped})" if skipped else "")
        )
        if self.bad_lines:
            shown = ", ".join(str(n) for n in self.bad_lines[:20])
            line += f"; unreadable lines: {shown}" + (" …" if len(self.bad_lines) > 20 else "")
        return line


def import_file(
    engine: Engine,
    path: Path,
    *,
    hashtags: tuple[str, ...],
    clock: Callable[[], datetime],
    store: PostStore,
    fmt: str = "mastodon",
) -> ImportSummary:
    """Store the Mastodon statuses in ``path`` (a JSON array, or one JSON object per line)."""
    if fmt not in FORMATS:
        raise ExemplarError(f"unknown import format {fmt!r}; use one of: {', '.join(FORMATS)}")
    summary = ImportSummary(path=path)
    wanted = set(hashtags)

    def bad_line(number: int, _message: str) -> None:
        summary.bad_lines.append(number)
        summary.skipped[SKIP_MALFORMED] += 1

    records = (record for _number, record in read_json_records(path, bad_line))
    with session_scope(engine) as session:
        suppressed = frozenset(suppressed_accounts(session))
    while batch := list(islice(records, BATCH_SIZE)):
        summary.read += len(batch)
        screened = screen(batch, normalise_status, account_of_status, where=str(path), suppressed=suppressed)
        summary.skipped.update(screened.skipped)
        now = clock()
        with session_scope(engine) as session:
            for acct in screened.opted_out:
                summary.removed += repo.delete_posts_by_author(session, acct)
            saved = store.save(session, screened.posts, seen=None, now=now)
            for tag in wanted:
                tagged = [post for post in screened.posts if tag in post.hashtags]
                repo.record_sightings(session, tagged, repo.SeenThrough(IMPORT_SOURCE, tag), now)
        summary.new += saved.new
        summary.updated += saved.updated
    return summary
