"""A re-import skips a record stored already from the very same payload, before parsing it, and only
then: a changed record is processed, an author who opted out or was removed is never stored again, and
sightings follow the hashtags of each run (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from bot.jobs import import_formats, imports
from bot.jobs.imports import ImportSummary, import_file
from bot.jobs.store import PostStore
from bot.jsonfile import JsonText, ParsedJson, parse_json_text
from bot.networks.mastodon import normalise as mastodon
from bot.networks.payload import Normaliser
from bot.posts import Post
from bot.valid_text import json_may_need_repair, valid_record
from storage import repository as repo
from storage.db import session_scope
from storage.models import Post as PostRow
from storage.models import RemovedPost, Sighting
from storage.precedence import CopyRank
from tests.payloads import account, boost_of, status

ARCHIVES = Path(__file__).parent / "data" / "archives"


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The line numbers of the JSON documents an import parsed."""
    numbers: list[int] = []
    real = import_formats.parse_json_text

    def counting(path: Path, item: JsonText, bad: Any) -> ParsedJson | None:
        numbers.append(item.number)
        return real(path, item, bad)

    monkeypatch.setattr(import_formats, "parse_json_text", counting)
    return numbers


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


def run_import(
    engine: Engine, path: Path, fmt: str = "mastodon", hashtags: tuple[str, ...] = ("fliplead",)
) -> ImportSummary:
    return import_file(
        engine, path, hashtags=hashtags, clock=lambda: datetime.now(UTC), store=PostStore(), fmt=fmt
    )


def stored(engine: Engine) -> dict[str, PostRow]:
    with session_scope(engine) as session:
        return {row.uri.rsplit("/", 1)[-1]: row for row in session.scalars(select(PostRow))}


def test_a_reimport_parses_no_unchanged_line(engine: Engine, tmp_path: Path, parsed: list[int]) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [status(str(n)) for n in range(1, 6)])
    run_import(engine, path)
    parsed.clear()

    again = run_import(engine, path)

    assert (again.read, again.new, again.updated) == (5, 0, 0)
    assert parsed == []


@pytest.mark.parametrize(
    "change",
    [
        {"content": "<p>An edited #fliplead post</p>", "edited_at": "2026-11-21T09:00:00.000Z"},
        {"favourites_count": 40},
    ],
    ids=["edited text", "new counts"],
)
def test_a_changed_record_is_processed_and_updated(
    engine: Engine, tmp_path: Path, normalised: Counter[str], change: dict[str, Any]
) -> None:
    run_import(engine, write_jsonl(tmp_path / "a.jsonl", [status("1"), status("2")]))
    normalised.clear()

    again = run_import(engine, write_jsonl(tmp_path / "b.jsonl", [status("1"), status("2", **change)]))

    assert (again.new, again.updated) == (0, 1)
    assert normalised == Counter({"2": 1})
    row = stored(engine)["2"]
    for name, value in change.items():
        assert getattr(row, name if name != "content" else "html") == (
            value if name != "edited_at" else datetime(2026, 11, 21, 9, tzinfo=UTC)
        )


def test_a_record_made_private_since_is_screened_again(
    engine: Engine, tmp_path: Path, normalised: Counter[str]
) -> None:
    run_import(engine, write_jsonl(tmp_path / "a.jsonl", [status("1")]))
    normalised.clear()

    again = run_import(engine, write_jsonl(tmp_path / "b.jsonl", [status("1", visibility="private")]))

    assert normalised == Counter({"1": 1})
    assert again.skipped == Counter({"not public": 1})


def test_a_new_nobot_in_the_profile_removes_the_stored_posts(engine: Engine, tmp_path: Path) -> None:
    run_import(engine, write_jsonl(tmp_path / "a.jsonl", [status("1"), status("2")]))
    quiet = account(note="<p>Please leave me out #nobot</p>")

    again = run_import(engine, write_jsonl(tmp_path / "b.jsonl", [status("1"), status("2", author=quiet)]))

    assert again.removed == 2
    assert stored(engine) == {}


@pytest.mark.parametrize("batch_size", [1, 500])
def test_an_author_who_opted_out_is_never_stored_again_from_an_unchanged_line(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch_size: int
) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [status("1"), status("2")])
    run_import(engine, path)
    quiet = account(note="<p>Please leave me out #nobot</p>")
    monkeypatch.setattr(imports, "BATCH_SIZE", batch_size)

    # The opt-out comes first in the file: the unchanged lines after it must not bring the posts back.
    shutil.copy(path, tmp_path / "b.jsonl")
    with (tmp_path / "b.jsonl").open("r+", encoding="utf-8") as handle:
        lines = handle.read()
        handle.seek(0)
        handle.write(json.dumps(status("3", author=quiet)) + "\n" + lines)
    again = run_import(engine, tmp_path / "b.jsonl")

    assert stored(engine) == {}
    assert again.new == 0


def test_posts_removed_since_are_not_stored_again_by_a_reimport(engine: Engine, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [status("1"), status("2")])
    run_import(engine, path)
    with session_scope(engine) as session:
        repo.delete_posts_by_author(session, "maria@mastodon.social", now=datetime.now(UTC))

    again = run_import(engine, path)

    assert (again.new, again.updated) == (0, 0)
    assert stored(engine) == {}
    with session_scope(engine) as session:
        assert len(session.scalars(select(RemovedPost)).all()) == 2


def test_sightings_follow_the_hashtags_of_each_run(engine: Engine, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [status("1", tags=["fliplead", "edchat"])])
    run_import(engine, path, hashtags=("fliplead",))

    run_import(engine, path, hashtags=("fliplead", "edchat"))

    with session_scope(engine) as session:
        seen = {(row.source_key, row.tag) for row in session.scalars(select(Sighting))}
    assert seen == {("import:mastodon", "fliplead"), ("import:mastodon", "edchat")}


def test_a_copy_written_by_collection_since_makes_the_record_count_again_once(
    engine: Engine, tmp_path: Path, normalised: Counter[str]
) -> None:
    record = status("1")
    path = write_jsonl(tmp_path / "a.jsonl", [record])
    run_import(engine, path)
    home_copy = mastodon.normalise_status(status("1", favourites_count=99))
    with session_scope(engine) as session:
        PostStore().save(session, [home_copy], seen=None, now=datetime.now(UTC), rank=CopyRank.HOME)
    normalised.clear()

    run_import(engine, path)  # processed: the stored copy is no longer the one this line made
    run_import(engine, path)  # skipped: the line was found to change nothing

    assert normalised == Counter({"1": 1})
    row = stored(engine)["1"]
    assert (row.favourites_count, row.copy_rank) == (99, CopyRank.HOME)


def test_a_reimport_of_pages_skips_their_unchanged_records(engine: Engine, tmp_path: Path) -> None:
    for fmt, name in (("bluesky", "bluesky_search.json"), ("twarc2", "twarc2.jsonl")):
        first = run_import(engine, ARCHIVES / name, fmt=fmt)
        assert first.new > 0
        with session_scope(engine) as session:
            before = {row.uri: row.updated_at for row in session.scalars(select(PostRow))}

        again = run_import(engine, ARCHIVES / name, fmt=fmt)

        assert (again.read, again.new, again.updated) == (first.read, 0, 0)
        with session_scope(engine) as session:
            assert {row.uri: row.updated_at for row in session.scalars(select(PostRow))} == before


def test_only_the_changed_row_of_a_csv_export_is_processed_again(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = tmp_path / "tags.csv"
    shutil.copy(ARCHIVES / "tags.csv", export)
    first = run_import(engine, export, fmt="tags-csv")
    assert first.new > 1
    rows: list[str] = []
    fmt = imports.FORMATS["tags-csv"]
    real = fmt.normaliser

    def counting(row: Mapping[str, Any]) -> Post:
        rows.append(str(row.get("text")))
        return real.normalise(row)

    counted = Normaliser(normalise=counting, account_of=real.account_of)
    monkeypatch.setitem(imports.FORMATS, "tags-csv", imports.ImportFormat(fmt.read, counted, fmt.records))
    original = export.read_text(encoding="utf-8")
    first_row = original.splitlines()[1]
    changed = first_row.replace("#fliplead", "#fliplead (edited)", 1)
    assert changed != first_row
    export.write_text(original.replace(first_row, changed, 1), encoding="utf-8")

    run_import(engine, export, fmt="tags-csv")

    # The changed row, and the two bad rows (never stored, so never skipped).
    assert len(rows) == 3
    assert any("(edited)" in text for text in rows)


def test_a_record_that_needs_repair_is_repaired_on_import(engine: Engine, tmp_path: Path) -> None:
    line = json.dumps(status("1", content="<p>Bad \ud800 text #fliplead</p>"))
    (tmp_path / "a.jsonl").write_text(line + "\n", encoding="utf-8")  # json.dumps escapes it: \\ud800

    run_import(engine, tmp_path / "a.jsonl")

    assert stored(engine)["1"].html == "<p>Bad \ufffd text #fliplead</p>"


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(st.characters(blacklist_categories=())),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(st.characters(blacklist_categories=()), max_size=4), inner, max_size=4)
    ),
    max_leaves=12,
)


@given(_JSON_VALUES, st.booleans())
def test_json_that_needs_no_repair_by_its_text_needs_none_once_read(value: Any, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)
    if not ascii_only:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return  # a lone surrogate cannot be in text read from a file: the file would be refused
    parsed = parse_json_text(Path("x.jsonl"), JsonText(1, text, whole_file=False), print)
    assert parsed is not None
    if not json_may_need_repair(text):
        assert valid_record(parsed.document) is parsed.document


def test_the_stored_payload_is_the_record_however_its_line_was_written(
    engine: Engine, tmp_path: Path
) -> None:
    plain = status("1")
    spaced = status("2")
    with_nan = status("3", favourites_count=float("nan"))
    wrapped = status("4")
    original = status("5")
    boost = boost_of(original, id="6")
    lines = [
        json.dumps(plain),
        json.dumps(spaced, indent=None, separators=(" , ", " : ")) + "  \r",
        json.dumps(with_nan),  # NaN is not JSON: stored as null
        json.dumps({"status": wrapped, "from": "an archive"}),
        json.dumps(boost),
    ]
    (tmp_path / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")

    assert run_import(engine, tmp_path / "a.jsonl").new == 5

    with_nan["favourites_count"] = None
    with session_scope(engine) as session:
        raws = {row.uri.rsplit("/", 1)[-1]: row.raw for row in session.scalars(select(PostRow))}
    assert raws == {"1": plain, "2": spaced, "3": with_nan, "4": wrapped, "5": original}
