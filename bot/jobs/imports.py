"""``exemplar import``: replay saved payloads through the same screening, storage and labelling as
collection. Formats: Mastodon statuses, twarc2 pages (X API v2), Bluesky ``searchPosts`` pages, TAGS
CSV exports. Bad rows are reported with their line number and skipped; nothing else is lost."""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from bot.consent.screen import SKIP_MALFORMED, screen_posts
from bot.errors import ExemplarError
from bot.jobs.store import PostStore
from bot.jobs.unchanged import PayloadDigests, stored_digests
from bot.jsonfile import parse_json_text, read_csv_rows, read_json_texts, records_in
from bot.networks.bluesky import normalise as bluesky
from bot.networks.errors import MalformedPayloadError
from bot.networks.mastodon import normalise as mastodon
from bot.networks.payload import Normaliser
from bot.networks.x import normalise as x
from bot.networks.x import tags_csv
from bot.posts import Post
from bot.valid_text import json_may_need_repair, valid_record
from storage import repository as repo
from storage.db import session_scope
from storage.digests import suppressed_accounts
from storage.precedence import CopyRank

log = logging.getLogger(__name__)

BATCH_SIZE = 500
BadLine = Callable[[int, str], None]


@dataclass(frozen=True, slots=True)
class Entry:
    """One record of an import file, with the digest of the payload it was read as.

    ``record`` is ``None`` for a line skipped unparsed (its digest is stored already); ``looked_up``
    says whether the digest was checked against the stored ones already; ``clean`` that the record's
    text needs no repair (:func:`bot.valid_text.json_may_need_repair` found nothing to repair).
    """

    number: int
    record: Any
    digest: str | None
    looked_up: bool = False
    clean: bool = False


StoredDigests = Callable[[Collection[str]], set[str]]
Reader = Callable[[Path, BadLine, PayloadDigests, StoredDigests], Iterator[Entry]]
RecordsOf = Callable[[Any], list[Any]]


def _json_reader(records_of: Callable[[Any, int, BadLine], list[Any]]) -> Reader:
    """A reader of JSON (a document or JSON lines) whose documents hold records as ``records_of`` finds
    them. A line whose digest is stored is skipped before it is parsed."""

    def read(path: Path, bad: BadLine, digests: PayloadDigests, stored: StoredDigests) -> Iterator[Entry]:
        texts = read_json_texts(path)
        while batch := list(islice(texts, BATCH_SIZE)):
            line_digests = [digests.of_text(item.text) for item in batch]
            known = stored(line_digests)
            for item, digest in zip(batch, line_digests, strict=True):
                if digest in known:
                    yield Entry(item.number, None, digest, looked_up=True)
                    continue
                readable, document = parse_json_text(path, item, bad)
                if not readable:
                    continue
                clean = not json_may_need_repair(item.text)
                records = records_of(document, item.number, bad)
                if len(records) == 1:  # the line is the record: its digest is the line's
                    yield Entry(item.number, records[0], digest, looked_up=True, clean=clean)
                    continue
                for position, record in enumerate(records):
                    yield Entry(item.number, record, digests.of_part(digest, position), clean=clean)

    return read


def _records_of_document(document: Any, _number: int, _bad: BadLine) -> list[Any]:
    return records_in(document)


def _tweets_of_pages(document: Any, number: int, bad: BadLine) -> list[Any]:
    records = []
    for item in document if isinstance(document, list) else [document]:
        if isinstance(item, Mapping):
            records.extend(x.tweets_in_page(item))
        else:
            bad(number, "not an X API v2 page (data + includes)")
    return records


def _csv_rows(path: Path, bad: BadLine, digests: PayloadDigests, _stored: StoredDigests) -> Iterator[Entry]:
    for number, row in read_csv_rows(path, bad):
        yield Entry(number, row, digests.of_text(json.dumps(row)))


@dataclass(frozen=True, slots=True)
class ImportFormat:
    """How to read one kind of archive: its records, how each becomes a post, whose profile it has."""

    read: Reader
    normaliser: Normaliser


FORMATS: dict[str, ImportFormat] = {
    "mastodon": ImportFormat(_json_reader(_records_of_document), mastodon.NORMALISER),
    "twarc2": ImportFormat(_json_reader(_tweets_of_pages), x.NORMALISER),
    "bluesky": ImportFormat(_json_reader(_records_of_document), bluesky.NORMALISER),
    "tags-csv": ImportFormat(_csv_rows, tags_csv.NORMALISER),
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


def import_file(
    engine: Engine,
    path: Path,
    *,
    hashtags: tuple[str, ...],
    clock: Callable[[], datetime],
    store: PostStore,
    fmt: str = "mastodon",
) -> ImportSummary:
    """Store the posts in ``path``, read as ``fmt`` (one of :data:`FORMATS`).

    A record stored already from the very same payload is skipped (see :mod:`bot.jobs.unchanged`).
    """
    if fmt not in FORMATS:
        raise ExemplarError(f"unknown import format {fmt!r}; use one of: {', '.join(FORMATS)}")
    kind = FORMATS[fmt]
    summary = ImportSummary(path=path)
    source = f"import:{fmt}"
    tags = set(hashtags)

    def bad_line(number: int, message: str) -> None:
        log.warning("%s:%d: skipped: %s", path, number, message)
        summary.bad_lines.append(number)
        summary.skipped[SKIP_MALFORMED] += 1

    def stored(digests: Collection[str]) -> set[str]:
        with session_scope(engine) as session:
            return stored_digests(session, digests)

    with session_scope(engine) as session:
        suppressed = frozenset(suppressed_accounts(session))
    entries = kind.read(path, bad_line, PayloadDigests(fmt, tags), stored)
    while batch := list(islice(entries, BATCH_SIZE)):
        summary.read += len(batch)
        pending = [entry for entry in batch if entry.record is not None]
        unchecked = [entry.digest for entry in pending if entry.digest is not None and not entry.looked_up]
        if unchecked:
            known = stored(unchecked)
            pending = [entry for entry in pending if entry.digest not in known]
        normalised: list[tuple[Any, Post]] = []
        digests: dict[str, str] = {}
        for entry in pending:
            try:
                record = entry.record if entry.clean else valid_record(entry.record)
                post = kind.normaliser.normalise(record)
            except MalformedPayloadError as error:
                bad_line(entry.number, str(error))
                continue
            normalised.append((record, post))
            if entry.digest is not None:
                digests[post.uri] = entry.digest
            else:
                digests.pop(post.uri, None)
        if not normalised:
            continue
        screened = screen_posts(
            normalised, kind.normaliser.account_of, where=str(path), suppressed=suppressed
        )
        summary.skipped.update(screened.skipped)
        now = clock()
        with session_scope(engine) as session:
            for acct in screened.opted_out:
                summary.removed += repo.delete_posts_by_author(session, acct, now=now)
            saved = store.save(
                session, screened.posts, seen=None, now=now, rank=CopyRank.ARCHIVE, digests=digests
            )
            for tag in tags:
                tagged = [post for post in screened.posts if tag in post.hashtags]
                repo.record_sightings(session, tagged, repo.SeenThrough(source, tag), now)
        summary.new += saved.new
        summary.updated += saved.updated
    return summary
