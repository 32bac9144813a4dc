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


def read_json_records(path: Path, on_bad_line: Callable[[int, str], None]) -> Iterator[tuple[int, Any]]:
    """``(line number, record)`` pairs from a JSON array file or a JSON-lines file.

    In a JSON-lines file an unreadable line is passed to ``on_bad_line`` and skipped; a JSON array is
    one document, so an error in it stops the read with a message naming the line.
    """
    try:
        handle = path.open(encoding="utf-8")
    except OSError as error:
        raise ExemplarError(f"cannot read {path}: {error.strerror}") from error
    with handle:
        if _first_non_space(handle) == "[":
            handle.seek(0)
            try:
                records = json.load(handle)
            except json.JSONDecodeError as error:
                raise ExemplarError(
                    f"{path}: not valid JSON at line {error.lineno} ({error.msg}); fix the file or save it "
                    "as JSON lines (one object per line) so that bad lines can be skipped"
                ) from error
            if isinstance(records, dict):  # a single object, or a page of them
                records = records.get("data", records.get("statuses", [records]))
            for index, record in enumerate(records if isinstance(records, list) else [records], start=1):
                yield index, unwrap_record(record)
            return
        handle.seek(0)
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield number, unwrap_record(json.loads(line))
            except json.JSONDecodeError as error:
                log.warning("%s:%d: skipped an unreadable line (%s)", path, number, error.msg)
                on_bad_line(number, error.msg)


def _first_non_space(handle: TextIO) -> str:
    while True:
        char = handle.read(1)
        if not char or not char.isspace():
            return char
