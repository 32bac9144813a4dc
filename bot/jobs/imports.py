"""``exemplar import``: replay saved payloads through the same screening, storage and labelling as
collection. Formats: Mastodon statuses, twarc2 pages (X API v2), Bluesky ``searchPosts`` pages, TAGS
CSV exports. Bad rows are reported with their line number and skipped; nothing else is lost."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from bot.consent.screen import SKIP_MALFORMED, screen
from bot.errors import ExemplarError
from bot.jobs.store import PostStore
from bot.jobs.unchanged import unchanged_positions
from bot.jsonfile import read_csv_rows, read_json_documents, read_json_records
from bot.networks.bluesky import normalise as bluesky
from bot.networks.errors import MalformedPayloadError
from bot.networks.mastodon import normalise as mastodon
from bot.networks.payload import Normaliser
from bot.networks.x import normalise as x
from bot.networks.x import tags_csv
from bot.posts import Post
from bot.valid_text import valid_record
from storage import repository as repo
from storage.db import session_scope
from storage.digests import suppressed_accounts
from storage.precedence import CopyRank

log = logging.getLogger(__name__)

BATCH_SIZE = 500
Reader = Callable[[Path, Callable[[int, str], None]], Iterator[tuple[int, Any]]]


@dataclass(frozen=True, slots=True)
class ImportFormat:
    """How to read one kind of archive: its records, how each becomes a post, whose profile it has."""

    read: Reader
    normaliser: Normaliser


def _twarc2_records(path: Path, bad: Callable[[int, str], None]) -> Iterator[tuple[int, Any]]:
    for number, page in read_json_documents(path, bad):
        pages = page if isinstance(page, list) else [page]
        for item in pages:
            if isinstance(item, Mapping):
                for record in x.tweets_in_page(item):
                    yield number, record
            else:
                bad(number, "not an X API v2 page (data + includes)")


FORMATS: dict[str, ImportFormat] = {
    "mastodon": ImportFormat(read_json_records, mastodon.NORMALISER),
    "twarc2": ImportFormat(_twarc2_records, x.NORMALISER),
    "bluesky": ImportFormat(read_json_records, bluesky.NORMALISER),
    "tags-csv": ImportFormat(read_csv_rows, tags_csv.NORMALISER),
}


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
            line += f"; bad rows at lines: {shown}" + (" …" if len(self.bad_lines) > 20 else "")
        return line


def _normalised(posts: Mapping[int, Post], record: Any) -> Post:
    return posts[id(record)]


def import_file(
    engine: Engine,
    path: Path,
    *,
    hashtags: tuple[str, ...],
    clock: Callable[[], datetime],
    store: PostStore,
    fmt: str = "mastodon",
) -> ImportSummary:
    """Store the posts in ``path``, read as ``fmt`` (one of :data:`FORMATS`)."""
    if fmt not in FORMATS:
        raise ExemplarError(f"unknown import format {fmt!r}; use one of: {', '.join(FORMATS)}")
    kind = FORMATS[fmt]
    summary = ImportSummary(path=path)
    source = f"import:{fmt}"

    def bad_line(number: int, message: str) -> None:
        log.warning("%s:%d: skipped: %s", path, number, message)
        summary.bad_lines.append(number)
        summary.skipped[SKIP_MALFORMED] += 1

    records = kind.read(path, bad_line)
    with session_scope(engine) as session:
        suppressed = frozenset(suppressed_accounts(session))
    while batch := list(islice(records, BATCH_SIZE)):
        summary.read += len(batch)
        with session_scope(engine) as session:
            unchanged = unchanged_positions(session, fmt, [record for _, record in batch])
        good = []
        posts: dict[int, Post] = {}  # each record is normalised once: here, and screen reads it back
        for position, (number, record) in enumerate(batch):
            if position in unchanged:
                continue
            try:
                record = valid_record(record)
                posts[id(record)] = kind.normaliser.normalise(record)
            except MalformedPayloadError as error:
                bad_line(number, str(error))
                continue
            good.append(record)
        normaliser = kind.normaliser
        screened = screen(
            good,
            partial(_normalised, posts),
            normaliser.account_of,
            where=str(path),
            suppressed=suppressed,
        )
        summary.skipped.update(screened.skipped)
        now = clock()
        with session_scope(engine) as session:
            for acct in screened.opted_out:
                summary.removed += repo.delete_posts_by_author(session, acct, now=now)
            saved = store.save(session, screened.posts, seen=None, now=now, rank=CopyRank.ARCHIVE)
            for tag in set(hashtags):
                tagged = [post for post in screened.posts if tag in post.hashtags]
                repo.record_sightings(session, tagged, repo.SeenThrough(source, tag), now)
        summary.new += saved.new
        summary.updated += saved.updated
    return summary
