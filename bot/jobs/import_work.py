"""The work on one imported payload that needs no database: parse, repair, normalise and classify.

:func:`payload_work` is what ``exemplar import`` does to a payload it has not stored already; with
``--jobs`` it runs in worker processes (:func:`start_worker`, :func:`work_on`), which load the readers,
the normalisers and the classifier but not the ORM. Bad lines and failed records are returned, not
reported, so that the importing process reports them in input order, exactly as it would have.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass, fields
from operator import attrgetter
from pathlib import Path
from typing import Any

from bot.classify.catalogue import ToolCatalogue
from bot.classify.labels import Label
from bot.consent.rules import visibility_allows_collection
from bot.consent.screen import payload_opt_out
from bot.jobs.gc_pace import pace_for_bulk_work
from bot.jobs.import_formats import FORMATS, ImportFormat, Payload, PayloadRecords
from bot.jobs.import_rebuild import rebuilder
from bot.networks.errors import MalformedPayloadError
from bot.posts import Post
from bot.valid_text import valid_record


@dataclass(frozen=True, slots=True)
class RecordWork:
    """One record's outcome: the record as normalised (repaired if it needed it; not sent back from a
    worker) and its post, or why it could not be read (``error``). ``own_record``: the post's ``raw``
    is this record (a boost's is the boosted status). ``labels`` are the post's rule labels without
    any resolved link, when the work included classifying."""

    record: Any
    post: Post | None = None
    error: str | None = None
    own_record: bool = False
    labels: tuple[Label, ...] | None = None
    opt_out: str | None = None  # why its author opted out, by the profile in it, when ``screened``
    screened: bool = False


@dataclass(frozen=True, slots=True)
class PayloadWork:
    """One payload's outcome: the bad lines parsing it found, and each of its records' work; ``exact``
    when the payload's text is exactly its one record as JSON (see
    :class:`bot.jobs.import_formats.PayloadRecords`: the importing process has the text)."""

    bad_lines: tuple[tuple[int, str], ...]
    records: tuple[RecordWork, ...]
    clean: bool = False
    exact: bool = False


def payload_work(kind: ImportFormat, path: Path, payload: Payload) -> PayloadWork:
    """Parse one payload into its records (not yet normalised: see :func:`record_work`)."""
    bad, found = _parsed(kind, path, payload)
    return PayloadWork(
        bad, tuple(RecordWork(record) for record in found.records), found.clean, found.text is not None
    )


def _parsed(
    kind: ImportFormat, path: Path, payload: Payload
) -> tuple[tuple[tuple[int, str], ...], PayloadRecords]:
    """One payload's records as parsed, and the lines found bad on the way (number, message)."""
    bad: list[tuple[int, str]] = []
    found = kind.records(path, payload, lambda number, message: bad.append((number, message)))
    return tuple(bad), found


def record_work(kind: ImportFormat, record: Any, *, clean: bool) -> RecordWork:
    """Repair (unless ``clean``) and normalise one record."""
    try:
        repaired = record if clean else valid_record(record)
        post = kind.normaliser.normalise(repaired)
    except MalformedPayloadError as error:
        return RecordWork(record, error=str(error))
    return RecordWork(repaired, post, own_record=post.raw is repaired)


@dataclass(slots=True)
class _Worker:
    kind: ImportFormat
    path: Path
    catalogue: ToolCatalogue
    classify: Callable[[Post, ToolCatalogue], tuple[Label, ...]]


_worker: _Worker | None = None


def start_worker(fmt: str, path: str, catalogue: ToolCatalogue) -> None:
    """Set up a worker process: Ctrl-C is the importing process's to handle (it stops the pool), and
    the importing process reports and logs what the work finds; the worker does nothing but bulk work
    (:mod:`bot.jobs.gc_pace`)."""
    global _worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # as the pool started it: see there
    logging.disable(logging.CRITICAL)
    pace_for_bulk_work()
    from bot.classify.classifier import classify  # a worker classifies: load the patterns now

    _worker = _Worker(FORMATS[fmt], Path(path), catalogue, classify)


def work_on(payloads: list[Payload]) -> list[PayloadWork]:
    """In a worker: every record of these payloads parsed, normalised, screened by the profile in it
    and, unless that screening drops it, classified."""
    worker = _worker
    if worker is None:
        raise RuntimeError("work_on runs in a worker set up by start_worker")
    return [_payload_done(worker, payload) for payload in payloads]


def _payload_done(worker: _Worker, payload: Payload) -> PayloadWork:
    bad, found = _parsed(worker.kind, worker.path, payload)
    exact = found.text is not None
    records = tuple([_record_done(worker, record, found.clean, exact) for record in found.records])
    return PayloadWork(bad, records, found.clean, exact)


_NO_RECORD = RecordWork(None)  # a JSON null: no record, skipped as the importing process would


def _record_done(worker: _Worker, record: Any, clean: bool, exact: bool) -> RecordWork:
    """One record's work, made once, with only what the importing process still needs: not the
    record (screened here already), nor the post's ``raw`` when it is stored as the payload's text.

    A post its author's profile, or its visibility, keeps out of the archive is not classified: the
    importing process drops it before storing anything."""
    if record is None:
        return _NO_RECORD
    normaliser = worker.kind.normaliser
    try:
        repaired = record if clean else valid_record(record)
        post = normaliser.normalise(repaired)
    except MalformedPayloadError as error:
        return RecordWork(None, error=str(error))
    own_record = post.raw is repaired
    opt_out = payload_opt_out(repaired, normaliser.account_of)
    labels = None
    if opt_out is None and visibility_allows_collection(post.visibility):
        labels = worker.classify(post, worker.catalogue)
    if own_record and exact:
        post = _without_raw(post)
    return RecordWork(None, post, None, own_record, labels, opt_out, screened=True)


_POST_VALUES = attrgetter(*(item.name for item in fields(Post)))
_RAW = [item.name for item in fields(Post)].index("raw")
_new_post = rebuilder(Post)


def _without_raw(post: Post) -> Post:
    """``dataclasses.replace(post, raw={})``, at a sixth of its cost."""
    values = list(_POST_VALUES(post))
    values[_RAW] = {}
    return _new_post(values)
