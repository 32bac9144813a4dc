"""``exemplar import``: replay saved payloads through the same screening and storage as collection."""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from bot.collectors.mastodon import account_of_status
from bot.errors import ExemplarError
from bot.normalise.mastodon import normalise_status
from bot.screen import SKIP_MALFORMED, screen
from storage import repository as repo
from storage.db import session_scope

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
    fmt: str = "mastodon",
) -> ImportSummary:
    """Store the Mastodon statuses in ``path`` (a JSON array, or one JSON object per line)."""
    if fmt not in FORMATS:
        raise ExemplarError(f"unknown import format {fmt!r}; use one of: {', '.join(FORMATS)}")
    summary = ImportSummary(path=path)
    wanted = set(hashtags)
    records = _read_records(path, summary)
    while batch := list(islice(records, BATCH_SIZE)):
        summary.read += len(batch)
        screened = screen(batch, normalise_status, account_of_status, where=str(path))
        summary.skipped.update(screened.skipped)
        now = clock()
        with session_scope(engine) as session:
            for acct in screened.opted_out:
                summary.removed += repo.delete_posts_by_author(session, acct)
            saved = repo.save_posts(session, screened.posts, seen=None, now=now)
            for tag in wanted:
                tagged = [post for post in screened.posts if tag in post.hashtags]
                repo.record_sightings(session, tagged, repo.SeenThrough(IMPORT_SOURCE, tag), now)
        summary.new += saved.new
        summary.updated += saved.updated
    return summary


def _read_records(path: Path, summary: ImportSummary) -> Iterator[Any]:
    """Statuses from a JSON array file or a JSON-lines file; unreadable lines are counted and skipped."""
    try:
        handle = path.open(encoding="utf-8")
    except OSError as error:
        raise ExemplarError(f"cannot read {path}: {error.strerror}") from error
    with handle:
        first = _first_non_space(handle)
        handle.seek(0)
        if first == "[":
            try:
                records = json.load(handle)
            except json.JSONDecodeError as error:
                raise ExemplarError(
                    f"{path}: not valid JSON at line {error.lineno} ({error.msg}); fix the file or export "
                    "it as JSON lines (one status per line) so that bad lines can be skipped"
                ) from error
            yield from records
            return
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as error:
                log.warning("%s:%d: skipped an unreadable line (%s)", path, number, error.msg)
                summary.bad_lines.append(number)
                summary.skipped[SKIP_MALFORMED] += 1


def _first_non_space(handle: Any) -> str:
    while True:
        char = handle.read(1)
        if not char or not char.isspace():
            return str(char)
