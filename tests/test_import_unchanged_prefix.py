"""The unchanged batches at the start of a JSON-lines file are skipped by hashing their bytes alone,
and the import proper starts at the first batch holding anything else: what is stored, read and
reported is the same as when every batch is looked up as it is stored (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from bot.jobs import imports, unchanged
from bot.jobs.imports import ImportSummary, import_file
from bot.jobs.store import PostStore
from bot.jobs.unchanged import PayloadDigests, UnchangedPrefix, unchanged_prefix
from bot.jsonfile import read_json_texts
from storage.db import create_db_engine, session_scope, upgrade_schema
from storage.models import Post as PostRow
from tests.payloads import status


def write_lines(path: Path, lines: list[str], *, prefix: bytes = b"") -> Path:
    path.write_bytes(prefix + "".join(line + "\n" for line in lines).encode("utf-8"))
    return path


def run_import(engine: Engine, path: Path) -> ImportSummary:
    return import_file(
        engine, path, hashtags=("fliplead",), clock=lambda: datetime.now(UTC), store=PostStore()
    )


def prefix_of(engine: Engine, path: Path, batch_size: int) -> UnchangedPrefix:
    with session_scope(engine) as session:
        return unchanged_prefix(session, path, PayloadDigests("mastodon", ("fliplead",)), batch_size)


def favourites(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as session:
        return {row.uri.rsplit("/", 1)[-1]: row.favourites_count for row in session.scalars(select(PostRow))}


@pytest.fixture(params=["all digests read at once", "each window looked up"])
def lookup(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "each window looked up":
        monkeypatch.setattr(unchanged, "_READ_ALL_PER_LINE", -1)
    return str(request.param)


def test_a_file_stored_already_is_skipped_whole_without_reading_it_as_text(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lookup: str
) -> None:
    monkeypatch.setattr(imports, "BATCH_SIZE", 2)
    lines = [json.dumps(status(str(n))) for n in range(1, 12)]
    path = write_lines(tmp_path / "a.jsonl", [*lines[:5], "", "  \r", *lines[5:]], prefix=b"\xef\xbb\xbf")
    assert run_import(engine, path).new == 11
    assert prefix_of(engine, path, 2) == UnchangedPrefix(11, whole_file=True)

    def unread(*_arguments: Any) -> Any:
        raise AssertionError("the file was read as text")

    fmt = imports.FORMATS["mastodon"]
    monkeypatch.setitem(
        imports.FORMATS, "mastodon", imports.ImportFormat(unread, fmt.normaliser, fmt.records)
    )
    again = run_import(engine, path)

    assert (again.read, again.new, again.updated, sum(again.skipped.values())) == (11, 0, 0, 0)


def test_the_import_proper_starts_at_the_batch_of_the_first_changed_line(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, normalised: Counter[str], lookup: str
) -> None:
    monkeypatch.setattr(imports, "BATCH_SIZE", 2)
    records = [status(str(n)) for n in range(1, 8)]
    path = write_lines(tmp_path / "a.jsonl", [json.dumps(record) for record in records])
    run_import(engine, path)
    records[4] = status("5", favourites_count=40)  # line 5: the third batch
    write_lines(path, [json.dumps(record) for record in records] + ["not json"])
    normalised.clear()

    assert prefix_of(engine, path, 2) == UnchangedPrefix(4, whole_file=False)
    again = run_import(engine, path)

    assert normalised == Counter({"5": 1})
    assert (again.read, again.new, again.updated, again.bad_lines) == (7, 0, 1, [8])
    assert favourites(engine)["5"] == 40


def stored_rows(engine: Engine) -> dict[str, tuple[int, str | None]]:
    with session_scope(engine) as session:
        return {
            row.uri: (row.favourites_count, row.import_digest) for row in session.scalars(select(PostRow))
        }


def test_skipping_the_batches_up_front_stores_what_looking_each_up_as_it_is_stored_does(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Including a later unchanged line of a post that storing an earlier changed copy makes changed."""
    monkeypatch.setattr(imports, "BATCH_SIZE", 2)
    lines = [json.dumps(status(str(n))) for n in range(1, 8)]
    # Batches: [1, 2] unchanged; [6 changed, 3]; [4, 5]; [6 as stored before, 7 new].
    changed = [*lines[:2], json.dumps(status("6", favourites_count=70)), *lines[2:6], json.dumps(status("8"))]
    reference = create_db_engine(f"sqlite:///{tmp_path / 'reference.db'}")
    upgrade_schema(reference)
    summaries = []
    for database in (engine, reference):
        write_lines(tmp_path / "a.jsonl", lines[:6])
        run_import(database, tmp_path / "a.jsonl")
        write_lines(tmp_path / "a.jsonl", changed)
        if database is reference:
            monkeypatch.setattr(imports, "LINE_FORMATS", frozenset())
        else:
            assert prefix_of(engine, tmp_path / "a.jsonl", 2) == UnchangedPrefix(2, whole_file=False)
        again = run_import(database, tmp_path / "a.jsonl")
        summaries.append((again.read, again.new, again.updated, again.removed))

    assert summaries[0] == summaries[1]
    assert stored_rows(engine) == stored_rows(reference)
    reference.dispose()


def test_a_new_file_costs_one_batch_of_hashing(engine: Engine, tmp_path: Path) -> None:
    path = write_lines(tmp_path / "a.jsonl", [json.dumps(status(str(n))) for n in range(1, 30)])
    hashed: list[int] = []
    real = PayloadDigests.of_lines

    def counting(self: PayloadDigests, lines: Any) -> list[str]:
        found = real(self, lines)
        hashed.append(len(found))
        return found

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(PayloadDigests, "of_lines", counting)
        assert prefix_of(engine, path, 5) == UnchangedPrefix(0, whole_file=False)
    assert hashed == [5]


@pytest.mark.parametrize(
    "content", [b"", b"\n \n", b"[\n" + json.dumps(status("1")).encode() + b"\n]\n", b"\xff\xfe[\x00]\x00"]
)
def test_a_file_the_import_proper_refuses_or_reads_as_one_document_is_left_to_it(
    engine: Engine, tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "a.json"
    path.write_bytes(content)
    if content.startswith(b"["):
        run_import(engine, path)  # stored from the document: none of its lines is a payload

    assert prefix_of(engine, path, 2) == UnchangedPrefix(0, whole_file=False)


@given(st.text(st.characters(blacklist_categories=["Cs"])))
def test_the_digest_of_a_line_as_bytes_is_the_digest_of_its_text(text: str) -> None:
    digests = PayloadDigests("mastodon", ("fliplead",))
    assert digests.of_lines([text.encode("utf-8")]) == [digests.of_text(text)]


def test_lines_are_split_as_the_text_reader_splits_them(tmp_path: Path) -> None:
    lines = ['{"a": "x\u2028y"}', '{"b": "\\r"}\r', "   ", '{"c": 1}', "", '{"d": "\u00e9"}']
    path = write_lines(tmp_path / "a.jsonl", lines, prefix=b"\xef\xbb\xbf")

    as_text = [item.text.encode("utf-8") for item in read_json_texts(path)]

    assert list(unchanged._payload_lines(path)) == as_text
