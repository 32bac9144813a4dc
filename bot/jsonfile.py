"""Reading saved API payloads: a JSON array, or one JSON object per line."""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from bot.errors import ExemplarError

log = logging.getLogger(__name__)


def unwrap_record(record: Any) -> Any:
    """The API object inside an archive's wrapper (``{"status": {...}, "from": ...}``), or the record."""
    if isinstance(record, dict) and "uri" not in record and isinstance(record.get("status"), dict):
        return record["status"]
    return record


def _records_in(document: Any) -> list[Any]:
    """The records of one JSON document: an array, a page (``{"data": [...]}``), or one object."""
    if isinstance(document, dict):
        if isinstance(document.get("thread"), dict) and isinstance(document["thread"].get("post"), dict):
            return [document["thread"]["post"]]  # getPostThread
        for key in ("data", "statuses", "posts"):
            if isinstance(document.get(key), list):
                return [unwrap_record(record) for record in document[key]]
        return [unwrap_record(document)]
    if isinstance(document, list):
        return [unwrap_record(record) for record in document]
    return [document]


def read_json_records(path: Path, on_bad_line: Callable[[int, str], None]) -> Iterator[tuple[int, Any]]:
    """``(number, record)`` pairs from a JSON document (an array, a page, one object) or JSON lines."""
    for number, document in read_json_documents(path, on_bad_line):
        for record in _records_in(document):
            yield number, record


def read_json_documents(path: Path, on_bad_line: Callable[[int, str], None]) -> Iterator[tuple[int, Any]]:
    """``(line number, document)`` pairs: the file's one JSON document, or each line of a JSON-lines file.

    A file whose first lines hold complete JSON values is read as JSON lines, where an unreadable line
    is passed to ``on_bad_line`` and skipped; anything else is one document, and an error in it stops
    the read with a message naming the line.
    """
    try:
        handle = path.open(encoding="utf-8")
    except OSError as error:
        raise ExemplarError(f"cannot read {path}: {error.strerror}") from error
    with handle:
        if not _first_line_is_json(handle):
            handle.seek(0)
            try:
                yield 1, json.load(handle)
            except json.JSONDecodeError as error:
                raise ExemplarError(
                    f"{path}: not valid JSON at line {error.lineno} ({error.msg}); fix the file or save it "
                    "as JSON lines (one object per line) so that bad lines can be skipped"
                ) from error
            return
        handle.seek(0)
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as error:
                log.warning("%s:%d: skipped an unreadable line (%s)", path, number, error.msg)
                on_bad_line(number, error.msg)


def read_csv_rows(path: Path, on_bad_line: Callable[[int, str], None]) -> Iterator[tuple[int, Any]]:
    """``(line number, row as a dict)`` for each row of a CSV file with a header row."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise ExemplarError(f"cannot read {path}: {error.strerror}") from error
    with handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames:
            raise ExemplarError(f"{path}: no header row; export the sheet as CSV with its column names")
        try:
            for row in reader:
                if None in row:  # more cells than columns
                    on_bad_line(reader.line_num, "more cells than the header has columns")
                    continue
                yield reader.line_num, row
        except csv.Error as error:
            on_bad_line(reader.line_num, str(error))


def _first_line_is_json(handle: TextIO) -> bool:
    """Whether the file is JSON lines: one of its first three lines is a whole JSON value on its own
    (so that one broken first line does not make a JSON-lines file unreadable)."""
    seen = 0
    for line in handle:
        if not line.strip():
            continue
        try:
            json.loads(line)
        except json.JSONDecodeError:
            seen += 1
            if seen == 3:
                return False
            continue
        return True
    return False
