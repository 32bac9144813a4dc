"""``exemplar import``: replay saved payloads through the same screening, storage and labelling as
collection. Formats: Mastodon statuses, twarc2 pages (X API v2), Bluesky ``searchPosts`` pages, TAGS
CSV exports. Bad rows are reported with their line number and skipped; nothing else is lost."""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
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
from bot.jsonfile import JsonText, parse_json_text, read_csv_rows, read_json_texts, records_in
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
class Payload:
    """One payload as read, before any work on it: a JSON document's text (``records`` not yet parsed),
    or a CSV row (``text`` is its cells as JSON, and ``row`` the row)."""

    number: int
    text: str
    whole_file: bool = False
    row: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """One record of an import file, with the digest of the payload it was read as.

    ``record`` is ``None`` for a record whose digest is stored already (``stored_uri`` is the post it
    made), which is skipped; ``clean`` says the record's text needs no repair (see
    :func:`bot.valid_text.json_may_need_repair`).
    """

    number: int
    record: Any
    digest: str
    clean: bool = False
    stored_uri: str | None = None
    text: str | None = None  # the record exactly, as JSON, when its payload is nothing else


@dataclass(frozen=True, slots=True)
class PayloadRecords:
    """The records of one payload; ``clean`` when they need no repair, and ``text`` the payload's text
    when it is exactly its one record as JSON (stored as it is, not serialised again)."""

    records: list[Any]
    clean: bool = False
    text: str | None = None


Reader = Callable[[Path, BadLine], Iterator[Payload]]
RecordsOf = Callable[[Path, Payload, BadLine], PayloadRecords]


def _json_payloads(path: Path, _bad: BadLine) -> Iterator[Payload]:
    for item in read_json_texts(path):
        yield Payload(item.number, item.text, whole_file=item.whole_file)


def _json_records(pages: Callable[[Any, int, BadLine], list[Any]]) -> RecordsOf:
    """The records of a JSON payload, as ``pages`` finds them in its document, and whether they are
    clean (need no repair)."""

    def records(path: Path, payload: Payload, bad: BadLine) -> PayloadRecords:
        parsed = parse_json_text(path, JsonText(payload.number, payload.text, payload.whole_file), bad)
        if parsed is None:
            return PayloadRecords([])
        found = pages(parsed.document, payload.number, bad)
        clean = not json_may_need_repair(payload.text)
        exact = clean and parsed.exact and len(found) == 1 and found[0] is parsed.document
        return PayloadRecords(found, clean, payload.text.strip() if exact else None)

    return records


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


def _csv_payloads(path: Path, bad: BadLine) -> Iterator[Payload]:
    for number, row in read_csv_rows(path, bad):
        yield Payload(number, json.dumps(row), row=row)


def _csv_record(_path: Path, payload: Payload, _bad: BadLine) -> PayloadRecords:
    return PayloadRecords([payload.row])


_JSON_DOCUMENT_RECORDS = _json_records(_records_of_document)


@dataclass(frozen=True, slots=True)
class ImportFormat:
    """How to read one kind of archive: its records, how each becomes a post, whose profile it has."""

    read: Reader
    normaliser: Normaliser
    records: RecordsOf = _JSON_DOCUMENT_RECORDS


FORMATS: dict[str, ImportFormat] = {
    "mastodon": ImportFormat(_json_payloads, mastodon.NORMALISER),
    "twarc2": ImportFormat(_json_payloads, x.NORMALISER, _json_records(_tweets_of_pages)),
    "bluesky": ImportFormat(_json_payloads, bluesky.NORMALISER),
    "tags-csv": ImportFormat(_csv_payloads, tags_csv.NORMALISER, _csv_record),
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

    A record stored already from the very same payload is skipped unparsed (:mod:`bot.jobs.unchanged`).
    """
    if fmt not in FORMATS:
        raise ExemplarError(f"unknown import format {fmt!r}; use one of: {', '.join(FORMATS)}")
    with session_scope(engine) as session:
        suppressed = frozenset(suppressed_accounts(session))
    run = _ImportRun(engine, path, fmt, frozenset(hashtags), clock, store, suppressed)
    payloads = FORMATS[fmt].read(path, run.bad_line)
    while batch := list(islice(payloads, BATCH_SIZE)):
        entries = run.entries(batch)
        run.summary.read += len(entries)
        # Of two copies of a post in one batch the later is kept: a copy is not saved when a later
        # copy of the same post is unchanged (skipping that one must leave what processing it would).
        last_unchanged = {entry.stored_uri: at for at, entry in enumerate(entries) if entry.stored_uri}
        for start in range(0, len(entries), BATCH_SIZE):
            chunk = enumerate(entries[start : start + BATCH_SIZE], start)
            run.store_records(
                [(at, entry) for at, entry in chunk if entry.record is not None], last_unchanged
            )
    return run.summary


@dataclass(slots=True)
class _ImportRun:
    """One import of one file: what it needs at every batch, and what it did so far."""

    engine: Engine
    path: Path
    fmt: str
    hashtags: frozenset[str]
    clock: Callable[[], datetime]
    store: PostStore
    suppressed: frozenset[str]
    summary: ImportSummary = field(init=False)
    digests: PayloadDigests = field(init=False)

    def __post_init__(self) -> None:
        self.summary = ImportSummary(path=self.path)
        self.digests = PayloadDigests(self.fmt, self.hashtags)

    def bad_line(self, number: int, message: str) -> None:
        log.warning("%s:%d: skipped: %s", self.path, number, message)
        self.summary.bad_lines.append(number)
        self.summary.skipped[SKIP_MALFORMED] += 1

    def entries(self, batch: list[Payload]) -> list[Entry]:
        """The records of these payloads; those stored already from the same payload are left unparsed."""
        kind = FORMATS[self.fmt]
        payload_digests = [self.digests.of_text(payload.text) for payload in batch]
        known = self._stored(payload_digests)
        entries: list[Entry] = []
        parts: list[Entry] = []
        for payload, digest in zip(batch, payload_digests, strict=True):
            if digest in known:
                entries.append(Entry(payload.number, None, digest, stored_uri=known[digest]))
                continue
            found = kind.records(self.path, payload, self.bad_line)
            if len(found.records) == 1:  # the payload is the record: its digest is the payload's
                entries.append(Entry(payload.number, found.records[0], digest, found.clean, text=found.text))
                continue
            for position, record in enumerate(found.records):  # a page: each record by its place in it
                part = self.digests.of_part(digest, position)
                parts.append(Entry(payload.number, record, part, found.clean))
                entries.append(parts[-1])
        if not parts:
            return entries
        known = self._stored([entry.digest for entry in parts])
        return [
            Entry(entry.number, None, entry.digest, stored_uri=known[entry.digest])
            if entry.digest in known
            else entry
            for entry in entries
        ]

    def _stored(self, digests: list[str]) -> dict[str, str]:
        with session_scope(self.engine) as session:
            return stored_digests(session, digests)

    def store_records(self, chunk: list[tuple[int, Entry]], last_unchanged: Mapping[str, int]) -> None:
        """Normalise, screen and store these records (``(position in the batch, entry)`` pairs)."""
        kind = FORMATS[self.fmt]
        normalised: list[tuple[Any, Post]] = []
        imported: dict[str, repo.ImportedPayload] = {}
        superseded: set[int] = set()
        for at, entry in chunk:
            try:
                record = entry.record if entry.clean else valid_record(entry.record)
                post = kind.normaliser.normalise(record)
            except MalformedPayloadError as error:
                self.bad_line(entry.number, str(error))
                continue
            normalised.append((record, post))
            text = entry.text if post.raw is record else None  # a boost stores the boosted status
            imported[post.uri] = repo.ImportedPayload(entry.digest, text)
            if last_unchanged.get(post.uri, -1) > at:
                superseded.add(id(post))
        if not normalised:
            return
        screened = screen_posts(
            normalised, kind.normaliser.account_of, where=str(self.path), suppressed=self.suppressed
        )
        summary = self.summary
        summary.skipped.update(screened.skipped)
        posts = [post for post in screened.posts if id(post) not in superseded]
        now = self.clock()
        with session_scope(self.engine) as session:
            for acct in screened.opted_out:
                summary.removed += repo.delete_posts_by_author(session, acct, now=now)
            saved = self.store.save(
                session, posts, seen=None, now=now, rank=CopyRank.ARCHIVE, imported=imported
            )
            for tag in self.hashtags:
                tagged = [post for post in posts if tag in post.hashtags]
                repo.record_sightings(session, tagged, repo.SeenThrough(f"import:{self.fmt}", tag), now)
        summary.new += saved.new
        summary.updated += saved.updated
