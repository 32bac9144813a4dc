"""Reading saved API payloads: a JSON array, or one JSON object per line."""

from __future__ import annotations

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
        for key in ("data", "statuses", "posts"):
            if isinstance(document.get(key), list):
                return [unwrap_record(record) for record in document[key]]
        return [unwrap_record(document)]
    if isinstance(document, list):
        return [unwrap_record(record) for record in document]
    return [document]


def read_json_records(path: Path, on_bad_line: Callable[[int, str], None]) -> Iterator[tuple[int, Any]]:
    """``(number, record)`` pairs from a JSON document (an array, a page, one object) or JSON lines.

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
                document = json.load(handle)
            except json.JSONDecodeError as error:
                raise ExemplarError(
                    f"{path}: not valid JSON at line {error.lineno} ({error.msg}); fix the file or save it "
                    "as JSON lines (one object per line) so that bad lines can be skipped"
                ) from error
            yield from enumerate(_records_in(document), start=1)
            return
        handle.seek(0)
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                document = json.loads(line)
            except json.JSONDecodeError as error:
                log.warning("%s:%d: skipped an unreadable line (%s)", path, number, error.msg)
                on_bad_line(number, error.msg)
                continue
            for record in _records_in(document):
                yield number, record


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
