"""The work on one imported payload that needs no database: parse, repair, normalise and classify.

:func:`payload_work` is what ``exemplar import`` does to a payload it has not stored already; with
``--jobs`` it runs in worker processes (:func:`start_worker`, :func:`work_on`), which load the readers,
the normalisers and the classifier but not the ORM. Bad lines and failed records are returned, not
reported, so that the importing process reports them in input order, exactly as it would have.
"""

from __future__ import annotations

import logging
import signal
from dataclasses import dataclass, fields
from operator import attrgetter
from pathlib import Path
from typing import Any

from bot.classify.catalogue import ToolCatalogue
from bot.classify.labels import Label
from bot.consent.screen import payload_opt_out
from bot.jobs.gc_pace import pace_for_bulk_work
from bot.jobs.import_formats import FORMATS, ImportFormat, Payload
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
    bad: list[tuple[int, str]] = []
    found = kind.records(path, payload, lambda number, message: bad.append((number, message)))
    return PayloadWork(
        tuple(bad), tuple(RecordWork(record) for record in found.records), found.clean, found.text is not None
    )


def record_work(kind: ImportFormat, record: Any, *, clean: bool) -> RecordWork:
    """Repair (unless ``clean``) and normalise one record."""
    try:
        repaired = record if clean else valid_record(record)
        post = kind.normaliser.normalise(repaired)
    except MalformedPayloadError as error:
        return RecordWork(record, error=str(error))
    return RecordWork(repaired, post, own_record=post.raw is repaired)


def classified(work: RecordWork, catalogue: ToolCatalogue) -> RecordWork:
    """``work`` with its post's labels (resolved links are the importing process's to apply)."""
    from bot.classify import classify

    if work.post is None:
        return work
    labels = classify(work.post, catalogue)
    return RecordWork(work.record, work.post, work.error, work.own_record, labels)


def screened(work: RecordWork, kind: ImportFormat) -> RecordWork:
    """``work`` with its author's opt-out read from the profile in it (the rest of screening, in
    order, is the importing process's)."""
    if work.post is None:
        return work
    opt_out = payload_opt_out(work.record, kind.normaliser.account_of)
    return RecordWork(
        work.record, work.post, work.error, work.own_record, work.labels, opt_out, screened=True
    )


@dataclass(slots=True)
class _Worker:
    kind: ImportFormat
    path: Path
    catalogue: ToolCatalogue


_worker: _Worker | None = None


def start_worker(fmt: str, path: str, catalogue: ToolCatalogue) -> None:
    """Set up a worker process: Ctrl-C is the importing process's to handle (it stops the pool), and
    the importing process reports and logs what the work finds; the worker does nothing but bulk work
    (:mod:`bot.jobs.gc_pace`)."""
    global _worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.disable(logging.CRITICAL)
    pace_for_bulk_work()
    _worker = _Worker(FORMATS[fmt], Path(path), catalogue)


def work_on(payloads: list[Payload]) -> list[PayloadWork]:
    """In a worker: every record of these payloads parsed, normalised and classified."""
    worker = _worker
    if worker is None:
        raise RuntimeError("work_on runs in a worker set up by start_worker")
    done = []
    for payload in payloads:
        parsed = payload_work(worker.kind, worker.path, payload)
        records = tuple(
            item  # a JSON null: no record, skipped as the importing process would
            if item.record is None
            else screened(
                classified(record_work(worker.kind, item.record, clean=parsed.clean), worker.catalogue),
                worker.kind,
            )
            for item in parsed.records
        )
        done.append(
            PayloadWork(
                parsed.bad_lines,
                tuple(_slim(item, parsed.exact) for item in records),
                parsed.clean,
                parsed.exact,
            )
        )
    return done


def _slim(work: RecordWork, exact: bool) -> RecordWork:
    """``work`` without what the importing process no longer needs, so that it costs less to send:
    the record (screened already), and the post's ``raw`` when it is stored as the payload's text."""
    if work.post is None and work.error is None:
        return work  # no record to work on (a JSON null): the importing process sees it as such
    post = work.post
    if post is not None and work.own_record and exact:
        post = _without_raw(post)
    return RecordWork(None, post, work.error, work.own_record, work.labels, work.opt_out, work.screened)


_POST_VALUES = attrgetter(*(item.name for item in fields(Post)))
_RAW = [item.name for item in fields(Post)].index("raw")


def _without_raw(post: Post) -> Post:
    """``dataclasses.replace(post, raw={})``, at a tenth of its cost."""
    values = list(_POST_VALUES(post))
    values[_RAW] = {}
    return Post(*values)
