"""`exemplar import` does each record's work once: one normalisation per record, and none at all for
a record stored already with the very same payload (decided from the stored key and payload)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from bot.jobs import imports
from bot.jobs.imports import import_file
from bot.jobs.store import PostStore
from storage.db import session_scope
from storage.models import Post as PostRow
from tests.payloads import account, boost_of, status


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


def run_import(engine: Engine, path: Path) -> imports.ImportSummary:
    return import_file(
        engine, path, hashtags=("fliplead",), clock=lambda: datetime.now(UTC), store=PostStore()
    )


def test_each_record_is_normalised_once(engine: Engine, tmp_path: Path, normalised: Counter[str]) -> None:
    records = [status(str(n)) for n in range(1, 6)] + [status("6", visibility="private")]
    summary = run_import(engine, write_jsonl(tmp_path / "a.jsonl", records))

    assert summary.new == 5
    assert normalised == Counter({str(n): 1 for n in range(1, 7)})


def test_a_reimport_of_unchanged_records_normalises_nothing_and_changes_nothing(
    engine: Engine, tmp_path: Path, normalised: Counter[str]
) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [status(str(n)) for n in range(1, 6)])
    run_import(engine, path)
    with session_scope(engine) as session:
        before = {row.uri: row.updated_at for row in session.scalars(select(PostRow))}
    normalised.clear()

    again = run_import(engine, path)

    assert (again.read, again.new, again.updated) == (5, 0, 0)
    assert normalised == Counter()
    with session_scope(engine) as session:
        assert {row.uri: row.updated_at for row in session.scalars(select(PostRow))} == before


def test_a_changed_record_in_a_reimport_is_normalised_and_updated(
    engine: Engine, tmp_path: Path, normalised: Counter[str]
) -> None:
    run_import(engine, write_jsonl(tmp_path / "a.jsonl", [status("1"), status("2")]))
    normalised.clear()
    edited = status("2", content="<p>An edited #fliplead post</p>", edited_at="2026-11-21T09:00:00.000Z")

    again = run_import(engine, write_jsonl(tmp_path / "b.jsonl", [status("1"), edited, status("3")]))

    assert (again.new, again.updated) == (1, 1)
    assert normalised == Counter({"2": 1, "3": 1})
    with session_scope(engine) as session:
        texts = {row.uri.rsplit("/", 1)[-1]: row.text for row in session.scalars(select(PostRow))}
    assert "edited" in texts["2"]


def test_an_author_who_opted_out_since_is_screened_even_if_the_post_is_stored(
    engine: Engine, tmp_path: Path, normalised: Counter[str]
) -> None:
    run_import(engine, write_jsonl(tmp_path / "a.jsonl", [status("1"), status("2")]))
    quiet = account(note="<p>Please leave me out #nobot</p>")

    again = run_import(engine, write_jsonl(tmp_path / "b.jsonl", [status("1", author=quiet)]))

    assert again.removed == 2
    with session_scope(engine) as session:
        assert session.scalars(select(PostRow)).all() == []


def test_a_boost_of_a_stored_post_is_still_screened(
    engine: Engine, tmp_path: Path, normalised: Counter[str]
) -> None:
    original = status("1")
    run_import(engine, write_jsonl(tmp_path / "a.jsonl", [original]))
    normalised.clear()

    run_import(engine, write_jsonl(tmp_path / "b.jsonl", [boost_of(original, id="9")]))

    assert normalised == Counter({"9": 1})
