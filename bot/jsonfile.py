"""Reading saved API payloads and exports: a JSON document, JSON lines, or CSV with a header row.

Files are checked before anything is read from them: a binary file, or text in an encoding other than
UTF-8 or UTF-16 (with or without a byte-order mark), is refused with one line naming what was found.
Within a readable file, a bad line or row is reported at its line number and skipped.
"""

from __future__ import annotations

import codecs
import csv
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Protocol, TextIO

from bot.errors import ExemplarError
from bot.valid_text import finite_or_none

log = logging.getLogger(__name__)


class _Replacements:
    """Counts the values read as ``None`` because JSON has no such number: NaN, Infinity, or a number
    too large for a float (what bot.valid_text.valid_record makes of them)."""

    def __init__(self) -> None:
        self.count = 0

    def constant(self, _name: str) -> None:
        self.count += 1

    def number(self, text: str) -> float | None:
        value = finite_or_none(text)
        if value is None:
            self.count += 1
        return value


_REPLACEMENTS = _Replacements()
_DECODER = json.JSONDecoder(parse_float=_REPLACEMENTS.number, parse_constant=_REPLACEMENTS.constant)

CSV_FIELD_LIMIT = 131_072  # the csv module's default: a longer cell is a broken row, not a tweet
_SNIFF_BYTES = 4096
_CHUNK = 1 << 20
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def unwrap_record(record: Any) -> Any:
    """The API object inside an archive's wrapper (``{"status": {...}, "from": ...}``), or the record."""
    if isinstance(record, dict) and "uri" not in record and isinstance(record.get("status"), dict):
        return record["status"]
    return record


def records_in(document: Any) -> list[Any]:
    """The records of one JSON document: an array, a page (``{"data": [...]}``), or one object."""
    if (
        isinstance(document, dict)
        and "uri" in document
        and not ("thread" in document or "data" in document or "statuses" in document or "posts" in document)
    ):
        return [document]  # one status, as a JSON line holds: no page, no wrapper
    return records_of_any_document(document)


def records_of_any_document(document: Any) -> list[Any]:
    """:func:`records_in`, without its shortcut for the commonest document, one status."""
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


def text_encoding(path: Path) -> str:
    """The encoding ``path`` is written in (UTF-8 or UTF-16, by its byte-order mark or its bytes),
    after checking that the whole file decodes; raises :class:`ExemplarError` with one line if not."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
            encoding = _sniff(path, head)
            handle.seek(0)
            decoder = codecs.getincrementaldecoder(encoding)()
            line = 1
            while chunk := handle.read(_CHUNK):
                try:
                    line += decoder.decode(chunk).count("\n")
                except UnicodeDecodeError as error:
                    if line == 1 and _looks_binary(head):
                        raise ExemplarError(f"{path}: {_BINARY}") from None
                    at = line + chunk[: error.start].decode(encoding, "replace").count("\n")
                    raise ExemplarError(
                        f"{path}: not {_named(encoding)} text (undecodable bytes at line {at}); "
                        "save it as UTF-8"
                    ) from None
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                raise ExemplarError(
                    f"{path}: not {_named(encoding)} text (it ends in the middle of a character); "
                    "save it as UTF-8"
                ) from None
    except OSError as error:
        raise ExemplarError(f"cannot read {path}: {error.strerror or error}") from error
    return encoding


def _sniff(path: Path, head: bytes) -> str:
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    if head.count(0) <= len(head) // 100:  # a stray NUL is a bad line, not a binary file
        return "utf-8"
    # Text in UTF-16 without a byte-order mark: mostly ASCII, so every other byte is zero.
    even, odd = head[0::2], head[1::2]
    if odd and odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even and even.count(0) > 0.4 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    raise ExemplarError(f"{path}: {_BINARY}")


_BINARY = "is a binary file, not text; give the JSON or CSV file the archive was exported as"


def _looks_binary(head: bytes) -> bool:
    controls = sum(1 for byte in head if byte < 32 and byte not in b"\t\n\r\f")
    return controls > len(head) // 20


def _named(encoding: str) -> str:
    return "UTF-16" if encoding.startswith("utf-16") else encoding.upper().replace("-SIG", "")


def _open_text(path: Path) -> TextIO:
    encoding = text_encoding(path)
    try:
        return path.open(encoding=encoding, newline="")
    except OSError as error:
        raise ExemplarError(f"cannot read {path}: {error.strerror or error}") from error


def read_json_records(path: Path, on_bad_line: Callable[[int, str], None]) -> Iterator[tuple[int, Any]]:
    """``(number, record)`` pairs from a JSON document (an array, a page, one object) or JSON lines."""
    for number, document in read_json_documents(path, on_bad_line):
        for record in records_in(document):
            yield number, record


@dataclass(frozen=True, slots=True)
class JsonText:
    """One JSON document as it was read, not yet parsed: a line of a JSON-lines file (``whole_file``
    false), or the file's one document."""

    number: int
    text: str
    whole_file: bool


class JsonTextLike(Protocol):
    """What :func:`parse_json_text` reads: a :class:`JsonText`, or anything holding the same (an
    import's payload), which is then not copied into one."""

    @property
    def number(self) -> int: ...

    @property
    def text(self) -> str: ...

    @property
    def whole_file(self) -> bool: ...


class ParsedJson(NamedTuple):
    """A JSON document read from its text; ``exact`` unless a value in it was read as ``None`` (NaN,
    Infinity, a number too large for a float), so that the text is exactly the document as JSON.
    (A named tuple: made for every line of an import, at half the cost of a frozen dataclass.)"""

    document: Any
    exact: bool


def read_json_documents(path: Path, on_bad_line: Callable[[int, str], None]) -> Iterator[tuple[int, Any]]:
    """``(line number, document)`` pairs: the file's one JSON document, or each line of a JSON-lines file.

    A file whose first lines hold complete JSON values is read as JSON lines, where an unreadable line
    is passed to ``on_bad_line`` and skipped; anything else is one document, and an error in it stops
    the read with a message naming the line.
    """
    for item in read_json_texts(path):
        parsed = parse_json_text(path, item, on_bad_line)
        if parsed is not None:
            yield item.number, parsed.document


def read_json_texts(path: Path) -> Iterator[JsonText]:
    """The file's JSON documents as text, unparsed (see :func:`read_json_documents` for which)."""
    with _open_text(path) as handle:
        if not _first_line_is_json(handle):
            handle.seek(0)
            yield JsonText(1, handle.read(), whole_file=True)
            return
        handle.seek(0)
        for number, line in enumerate(_lines(handle), start=1):
            if line and not line.isspace():
                yield JsonText(number, line, whole_file=False)


def parse_json_text(
    path: Path, item: JsonTextLike, on_bad_line: Callable[[int, str], None]
) -> ParsedJson | None:
    """The document ``item`` holds, or ``None`` for a line that is not JSON (passed to ``on_bad_line``).

    A whole file that is not JSON raises :class:`ExemplarError` naming the line instead.
    """
    replaced = _REPLACEMENTS.count
    if item.whole_file:
        document = _one_document(path, item.text)
        return ParsedJson(document, _REPLACEMENTS.count == replaced)
    try:
        document = _decoded_line(item.text)
    except RecursionError:
        on_bad_line(item.number, "nested too deeply to read")
        return None
    except ValueError as error:  # JSONDecodeError, or a number too long to convert
        message = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
        log.warning("%s:%d: skipped an unreadable line (%s)", path, item.number, message)
        on_bad_line(item.number, message)
        return None
    return ParsedJson(document, _REPLACEMENTS.count == replaced)


# What JSONDecoder.decode calls, and the whitespace it lets around a value.
_SCAN: Callable[[str, int], tuple[Any, int]] = _DECODER.scan_once  # type: ignore[attr-defined]
_JSON_WHITESPACE = " \t\n\r"


def _decoded_line(text: str) -> Any:
    """``_DECODER.decode(text)``, the scanner called at once for a text that starts with its value
    (as a JSON line does): the same value, and for any other text the same error, from ``decode``."""
    try:
        document, end = _SCAN(text, 0)
    except (StopIteration, TypeError):  # no value where one was expected (decode says so, or skips a
        return _DECODER.decode(text)  # leading space), or no text at all (decode raises as it did)
    if end != len(text) and text[end:].strip(_JSON_WHITESPACE):
        return _DECODER.decode(text)  # "Extra data"
    return document


def _lines(handle: TextIO) -> Iterator[str]:
    """Lines ending in ``\\n`` only: a JSON string may not hold a raw line break, but other separators
    (U+2028, a lone ``\\r``) can appear inside one and must not split it."""
    pending = ""
    while chunk := handle.read(_CHUNK):
        pending += chunk
        *complete, pending = pending.split("\n")
        yield from complete
    if pending:
        yield pending


def _one_document(path: Path, text: str) -> Any:
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError as error:
        raise ExemplarError(
            f"{path}: not valid JSON at line {error.lineno} ({error.msg}); fix the file or save it "
            "as JSON lines (one object per line) so that bad lines can be skipped"
        ) from None
    except RecursionError:
        raise ExemplarError(
            f"{path}: its JSON is nested too deeply to read; save it as JSON lines (one object per line) "
            "so that such a line can be skipped"
        ) from None
    except ValueError as error:
        raise ExemplarError(f"{path}: not readable JSON ({error})") from None


def read_csv_rows(path: Path, on_bad_line: Callable[[int, str], None]) -> Iterator[tuple[int, Any]]:
    """``(line number, row as a dict)`` for each row of a CSV file with a header row.

    The number is the line the row starts on. A row that cannot be parsed, has more cells than the
    header, or has a cell longer than :data:`CSV_FIELD_LIMIT` is passed to ``on_bad_line`` and
    skipped; every other row is read.
    """
    with _open_text(path) as handle:
        # Lines end at "\n" only, as the csv module sees them: U+2028 and the like are text in a cell.
        lines = [line + "\n" for line in handle.read().split("\n")]
        if lines[-1] == "\n":
            lines.pop()
    header: list[str] | None = None
    for number, cells, problem in _csv_records(lines):
        if problem is not None:
            if header is None:
                raise ExemplarError(f"{path}: the header row (line {number}) is unreadable: {problem}")
            log.warning("%s:%d: skipped a bad row (%s)", path, number, problem)
            on_bad_line(number, problem)
            continue
        if not cells:
            continue
        if header is None:
            header = cells
            continue
        if len(cells) > len(header):
            on_bad_line(number, "more cells than the header has columns")
            continue
        yield number, {name: cells[i] if i < len(cells) else None for i, name in enumerate(header)}
    if header is None:
        raise ExemplarError(f"{path}: no header row; export the sheet as CSV with its column names")


def _csv_records(lines: list[str]) -> Iterator[tuple[int, list[str], str | None]]:
    """``(first line number, cells, problem)`` for each record of ``lines``.

    The reader is strict, so a quote left open is an error where it meets the next quote or the end
    of the file: that record is reported at the line it starts on and reading starts again on the
    next line, so the rows after it are not swallowed into one cell.
    """
    position = 0
    while position < len(lines):
        consumed = position

        def feed() -> Iterator[str]:
            nonlocal consumed
            while consumed < len(lines):
                consumed += 1
                yield lines[consumed - 1]

        reader = csv.reader(feed(), strict=True)
        while True:
            start = consumed
            try:
                cells = _next_record(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield start + 1, [], str(error)
                if consumed > start + 1:
                    position = start + 1  # the bad record ran over later lines: they are read again
                    break
                continue
            if any(len(cell) > CSV_FIELD_LIMIT for cell in cells):
                yield start + 1, [], f"a cell is longer than {CSV_FIELD_LIMIT} characters"
                continue
            yield start + 1, cells, None


def _next_record(reader: Any) -> list[str]:
    # Parse cells of any length so that the rows around a long one stay in step; the limit is
    # checked afterwards. The csv module's limit is process-wide, so it is restored at once.
    previous = csv.field_size_limit(1 << 30)
    try:
        cells: list[str] = next(reader)
    finally:
        csv.field_size_limit(previous)
    return cells


def _first_line_is_json(handle: TextIO) -> bool:
    """Whether the file is JSON lines: one of its first three lines is a whole JSON value on its own
    (so that one broken first line does not make a JSON-lines file unreadable)."""
    seen = 0
    for line in _lines(handle):
        if not line.strip():
            continue
        try:
            json.loads(line)
        except (ValueError, RecursionError):
            seen += 1
            if seen == 3:
                return False
            continue
        return True
    return False
