"""The formats ``exemplar import`` reads, and how a payload of each becomes records and posts.

Kept apart from :mod:`bot.jobs.imports` (which stores) so that an import's worker processes
(:mod:`bot.jobs.import_work`) load the readers and normalisers but not the ORM.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from bot.jsonfile import parse_json_text, read_csv_rows, read_json_texts, records_in
from bot.networks.bluesky import normalise as bluesky
from bot.networks.mastodon import normalise as mastodon
from bot.networks.payload import Normaliser
from bot.networks.x import normalise as x
from bot.networks.x import tags_csv
from bot.valid_text import json_may_need_repair

BadLine = Callable[[int, str], None]


@dataclass(frozen=True, slots=True)
class Payload:
    """One payload as read, before any work on it: a JSON document's text (``records`` not yet parsed),
    or a CSV row (``text`` is its cells as JSON, and ``row`` the row). Parsed as it is: it holds what
    :func:`bot.jsonfile.parse_json_text` reads."""

    number: int
    text: str
    whole_file: bool = False
    row: Mapping[str, Any] | None = None

    def __reduce__(self) -> tuple[type[Payload], tuple[int, str, bool, Mapping[str, Any] | None]]:
        # Sent to an import's workers by the thousand: pickled as its values, a fifth of the cost of
        # a slotted dataclass's state, which is restored attribute by attribute in Python.
        return (Payload, (self.number, self.text, self.whole_file, self.row))


class PayloadRecords(NamedTuple):
    """The records of one payload; ``clean`` when they need no repair, and ``text`` the payload's text
    when it is exactly its one record as JSON (stored as it is, not serialised again). (A named tuple:
    made for every payload of an import, at half the cost of a frozen dataclass.)"""

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
        parsed = parse_json_text(path, payload, bad)
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
