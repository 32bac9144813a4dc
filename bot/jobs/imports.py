"""``exemplar import``: replay saved payloads through the same screening, storage and labelling as
collection. Formats: Mastodon statuses, twarc2 pages (X API v2), Bluesky ``searchPosts`` pages, TAGS
CSV exports. Bad rows are reported with their line number and skipped; nothing else is lost."""

from __future__ import annotations

import logging
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain, islice
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from bot.classify.labels import Label
from bot.consent.screen import SKIP_MALFORMED, screen_posts
from bot.errors import ExemplarError, InterruptedRunError
from bot.jobs.gc_pace import bulk_work
from bot.jobs.import_formats import FORMATS, BadLine, ImportFormat, Payload, PayloadRecords
from bot.jobs.import_pool import WorkerDiedError, WorkPool
from bot.jobs.import_wire import PackedWork
from bot.jobs.import_work import PayloadWork, RecordWork, payload_work, record_work
from bot.jobs.store import PostStore
from bot.jobs.unchanged import LINE_FORMATS, PayloadDigests, UnchangedPrefix, stored_digests, unchanged_prefix
from bot.posts import Post
from storage import repository as repo
from storage.db import session_scope
from storage.digests import suppressed_accounts
from storage.precedence import CopyRank
from storage.wal_checkpoints import checkpoints_aside

__all__ = [
    "BATCH_SIZE",
    "FORMATS",
    "BadLine",
    "ImportFormat",
    "ImportSummary",
    "Payload",
    "PayloadRecords",
    "import_file",
]

log = logging.getLogger(__name__)

BATCH_SIZE = 500
# A file of fewer batches than this is imported in-process: starting workers would cost more.
POOL_MIN_BATCHES = 3
# Batches handed to the workers and not yet stored, per worker: enough to keep them busy while the
# importing process stores, few enough to bound memory.
IN_FLIGHT_PER_JOB = 3
# The most batches handed to the workers unchecked for payloads stored already (see _StoredChecks).
STORED_CHECK_MAX_GAP = 16


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ costs a call per field, per record
class Entry:
    """One record of an import file, with the digest of the payload it was read as (never changed).

    ``record`` is ``None`` for a record whose digest is stored already (``stored_uri`` is the post it
    made), which is skipped; ``clean`` says the record's text needs no repair (see
    :func:`bot.valid_text.json_may_need_repair`); ``work`` is the record normalised (and classified)
    already by a worker process.
    """

    number: int
    record: Any
    digest: str
    clean: bool = False
    stored_uri: str | None = None
    text: str | None = None  # the record exactly, as JSON, when its payload is nothing else
    work: RecordWork | None = None

    @property
    def to_store(self) -> bool:
        """Whether there is a record to store (not one stored already, nor a JSON null)."""
        return self.work is not None or self.record is not None


@dataclass(frozen=True, slots=True)
class _Batch:
    """Up to :data:`BATCH_SIZE` payloads as read, with the bad lines reading them found."""

    payloads: list[Payload]
    bad_lines: list[tuple[int, str]]


def _batches(kind: ImportFormat, path: Path, skip: int = 0) -> Iterator[_Batch]:
    """The file's payloads in batches, after the first ``skip``; the last batch may be empty (it holds
    only bad lines found at the end of the file)."""
    pending: list[tuple[int, str]] = []
    payloads = islice(kind.read(path, lambda number, message: pending.append((number, message))), skip, None)
    while True:
        batch = list(islice(payloads, BATCH_SIZE))
        found, pending = pending, []
        yield _Batch(batch, found)
        if not batch:
            return


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
    jobs: int = 1,
) -> ImportSummary:
    """Store the posts in ``path``, read as ``fmt`` (one of :data:`FORMATS`).

    A record stored already from the very same payload is skipped unparsed (:mod:`bot.jobs.unchanged`).
    With ``jobs`` above 1, that many worker processes parse, normalise and classify the batches of a
    file of :data:`POOL_MIN_BATCHES` batches or more while this process screens and stores them, in
    the same order and transactions as with one: what is stored is the same.
    """
    if fmt not in FORMATS:
        raise ExemplarError(f"unknown import format {fmt!r}; use one of: {', '.join(FORMATS)}")
    run = _ImportRun(engine, path, fmt, frozenset(hashtags), clock, store, frozenset())
    with session_scope(engine) as session:
        run.suppressed = frozenset(suppressed_accounts(session))
        unchanged = UnchangedPrefix(0, whole_file=False)
        if fmt in LINE_FORMATS:
            unchanged = unchanged_prefix(session, path, run.digests, BATCH_SIZE)
    run.summary.read = unchanged.payloads
    if unchanged.whole_file:
        return run.summary
    try:
        with bulk_work(), checkpoints_aside(engine) as run.committed, engine.connect() as run.lookups:
            _import_batches(run, _batches(FORMATS[fmt], path, skip=unchanged.payloads), jobs)
    except KeyboardInterrupt:
        raise InterruptedRunError(f"{path}: import interrupted; {run.stored_so_far()}") from None
    except WorkerDiedError as error:
        raise ExemplarError(
            f"{path}: import stopped: a worker process died ({error}); {run.stored_so_far()}"
        ) from None
    return run.summary


def _import_batches(run: _ImportRun, batches: Iterator[_Batch], jobs: int) -> None:
    """Store every batch: in this process, or with ``jobs`` workers when there is enough to share."""
    first = list(islice(batches, POOL_MIN_BATCHES))
    if jobs > 1 and len(first) == POOL_MIN_BATCHES and first[-1].payloads:
        _import_with_workers(run, chain(first, batches), jobs)
    else:
        for batch in chain(first, batches):
            run.store_batch(batch, run.digests_of(batch), None)


def _import_with_workers(run: _ImportRun, batches: Iterator[_Batch], jobs: int) -> None:
    """Hand each batch's payloads not stored already to the workers, and store the batches in order."""
    in_flight: deque[tuple[_Batch, list[str], Future[list[PackedWork]] | None, list[int]]] = deque()
    with WorkPool(jobs, run.fmt, run.path, run.store.catalogue) as pool:

        def store_oldest() -> None:
            batch, digests, future, sent = in_flight.popleft()
            done = dict(zip(sent, pool.result(future), strict=True)) if future is not None else {}
            run.store_batch(batch, digests, done)

        checks = _StoredChecks()
        for batch in batches:
            digests = run.digests_of(batch)
            # Stored already as it is now: not worth a worker's time. Storing the batches before
            # this one may change that either way; the batch is checked again as it is stored.
            known = checks.stored(run, digests)
            sent = [at for at, digest in enumerate(digests) if digest not in known]
            future = pool.submit([batch.payloads[at] for at in sent]) if sent else None
            in_flight.append((batch, digests, future, sent))
            if len(in_flight) >= IN_FLIGHT_PER_JOB * jobs:
                store_oldest()
        while in_flight:
            store_oldest()


@dataclass(slots=True)
class _StoredChecks:
    """When to look for a batch's payloads stored already before handing it to the workers: every
    batch after one that had some; after one that had none, at intervals doubling up to
    :data:`STORED_CHECK_MAX_GAP` batches. Each look is a query, which a file of new records would
    otherwise make for every batch to find nothing; a payload not looked for is still checked as it
    is stored (the workers' work on it is then not used)."""

    gap: int = 1
    until_next: int = 0

    def stored(self, run: _ImportRun, digests: list[str]) -> Mapping[str, str]:
        if self.until_next > 0:
            self.until_next -= 1
            return {}
        known = run.stored(digests)
        self.gap = 1 if known else min(2 * self.gap, STORED_CHECK_MAX_GAP)
        self.until_next = self.gap - 1
        return known


def _no_checkpoint() -> None:
    return None


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
    committed: Callable[[], None] = field(init=False)  # after each batch: see storage.wal_checkpoints
    # The connection that looks stored digests up, held for the whole import: a session (and a
    # connection checked out of the pool) for each of a batch's lookups costs more than the lookup.
    lookups: Connection = field(init=False)

    def __post_init__(self) -> None:
        self.summary = ImportSummary(path=self.path)
        self.digests = PayloadDigests(self.fmt, self.hashtags)
        self.committed = _no_checkpoint

    def bad_line(self, number: int, message: str) -> None:
        log.warning("%s:%d: skipped: %s", self.path, number, message)
        self.summary.bad_lines.append(number)
        self.summary.skipped[SKIP_MALFORMED] += 1

    def stored_so_far(self) -> str:
        summary = self.summary
        return (
            f"the {summary.read} records read before it are stored (new {summary.new}, updated "
            f"{summary.updated}); run the same import again to finish"
        )

    def digests_of(self, batch: _Batch) -> list[str]:
        return [self.digests.of_text(payload.text) for payload in batch.payloads]

    def store_batch(self, batch: _Batch, digests: list[str], done: Mapping[int, PayloadWork] | None) -> None:
        """Store one batch: ``done`` is the work workers did on its payloads, by place in the batch
        (``None``: none is done, all is done here)."""
        for number, message in batch.bad_lines:
            self.bad_line(number, message)
        if not batch.payloads:
            return
        entries = self.entries(batch.payloads, digests, done)
        self.summary.read += len(entries)
        # Of two copies of a post in one batch the later is kept: a copy is not saved when a later
        # copy of the same post is unchanged (skipping that one must leave what processing it would).
        last_unchanged = {entry.stored_uri: at for at, entry in enumerate(entries) if entry.stored_uri}
        for start in range(0, len(entries), BATCH_SIZE):
            chunk = enumerate(entries[start : start + BATCH_SIZE], start)
            self.store_records([(at, entry) for at, entry in chunk if entry.to_store], last_unchanged)

    def entries(
        self, batch: list[Payload], payload_digests: list[str], done: Mapping[int, PayloadWork] | None
    ) -> list[Entry]:
        """The records of these payloads; those stored already from the same payload are left unparsed."""
        kind = FORMATS[self.fmt]
        known = self.stored(payload_digests)
        entries: list[Entry] = []
        parts: list[Entry] = []
        for at, (payload, digest) in enumerate(zip(batch, payload_digests, strict=True)):
            if digest in known:
                entries.append(Entry(payload.number, None, digest, stored_uri=known[digest]))
                continue
            found = self._records(kind, at, payload, done)
            if len(found) == 1:  # the payload is the record: its digest is the payload's
                record, clean, text, work = found[0]
                entries.append(Entry(payload.number, record, digest, clean, text=text, work=work))
                continue
            for position, (record, clean, _text, work) in enumerate(found):
                part = self.digests.of_part(digest, position)  # a page: each record by its place in it
                parts.append(Entry(payload.number, record, part, clean, work=work))
                entries.append(parts[-1])
        if not parts:
            return entries
        known = self.stored([entry.digest for entry in parts])
        return [
            Entry(entry.number, None, entry.digest, stored_uri=known[entry.digest])
            if entry.digest in known
            else entry
            for entry in entries
        ]

    def _records(
        self, kind: ImportFormat, at: int, payload: Payload, done: Mapping[int, PayloadWork] | None
    ) -> list[tuple[Any, bool, str | None, RecordWork | None]]:
        """``(record, clean, text, work)`` for each record of one payload, reporting its bad lines
        (``work`` when a worker normalised the record)."""
        if done is None:
            found = kind.records(self.path, payload, self.bad_line)
            return [(record, found.clean, found.text, None) for record in found.records]
        work = done.get(at)
        if work is None:  # not stored when the batch was handed out, but no longer stored now
            work = payload_work(kind, self.path, payload)
        for number, message in work.bad_lines:
            self.bad_line(number, message)
        text = payload.text.strip() if work.exact else None
        return [
            (item.record, work.clean, text, item if item.post is not None or item.error else None)
            for item in work.records
        ]

    def stored(self, digests: list[str]) -> dict[str, str]:
        """Which of these digests a stored post was made from (``digest -> URI``), as committed now."""
        try:
            found = stored_digests(self.lookups, digests)
        except BaseException:
            self.lookups.rollback()
            raise
        # Ends the read (PostgreSQL's transaction; SQLite reads outside one), so that the next lookup
        # sees what is committed by then, and no snapshot is held while batches are stored.
        self.lookups.commit()
        return found

    def store_records(self, chunk: list[tuple[int, Entry]], last_unchanged: Mapping[str, int]) -> None:
        """Normalise, screen and store these records (``(position in the batch, entry)`` pairs)."""
        kind = FORMATS[self.fmt]
        normalised: list[tuple[Any, Post]] = []
        imported: dict[str, repo.ImportedPayload] = {}
        superseded: set[int] = set()
        labelled: dict[int, tuple[Label, ...]] = {}
        opt_outs: dict[int, str | None] = {}
        for at, entry in chunk:
            work = entry.work or record_work(kind, entry.record, clean=entry.clean)
            if work.post is None:
                self.bad_line(entry.number, work.error or "unreadable")
                continue
            post = work.post
            normalised.append((work.record, post))
            text = entry.text if work.own_record else None  # a boost stores the boosted status
            imported[post.uri] = repo.ImportedPayload(entry.digest, text)
            if last_unchanged.get(post.uri, -1) > at:
                superseded.add(id(post))
            if work.labels is not None:
                labelled[id(post)] = work.labels
            if work.screened:
                opt_outs[id(post)] = work.opt_out
        if not normalised:
            return
        screened = screen_posts(
            normalised,
            kind.normaliser.account_of,
            where=str(self.path),
            suppressed=self.suppressed,
            known_opt_outs=opt_outs,
        )
        summary = self.summary
        summary.skipped.update(screened.skipped)
        posts = [post for post in screened.posts if id(post) not in superseded]
        labels: dict[str, tuple[Label, ...]] = {}
        for post in posts:  # as the store keeps them: of two copies of a post, the later
            if id(post) in labelled:
                labels[post.uri] = labelled[id(post)]
            else:
                labels.pop(post.uri, None)
        now = self.clock()
        with session_scope(self.engine) as session:
            for acct in screened.opted_out:
                summary.removed += repo.delete_posts_by_author(session, acct, now=now)
            saved = self.store.save(
                session, posts, seen=None, now=now, rank=CopyRank.ARCHIVE, imported=imported, labels=labels
            )
            for tag in self.hashtags:
                tagged = [post for post in posts if tag in post.hashtags]
                seen = repo.SeenThrough(f"import:{self.fmt}", tag)
                repo.record_sightings(session, tagged, seen, now, saved.ids)
        self.committed()
        summary.new += saved.new
        summary.updated += saved.updated
