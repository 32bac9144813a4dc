"""Bad import files: each bad row is skipped and reported at the line it starts on, every good row is
imported, and a file that is not readable text is refused in one line without touching what is stored."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from bot.errors import ExemplarError
from bot.jobs.imports import ImportSummary, import_file
from bot.jobs.store import PostStore
from storage.db import create_db_engine, session_scope, upgrade_schema
from storage.models import Post
from tests.cli_process import assert_one_line_failure, run_exemplar
from tests.payloads import account, status

ARCHIVES = Path(__file__).parent / "data" / "archives"
HEADER = ["id_str", "from_user", "text", "created_at", "entities_str"]
DATE = "Fri Oct 07 22:42:12 +0000 2022"


def tags_row(n: int, text: str | None = None) -> list[str]:
    return [str(1578516068309794817 + n), "MariaLeads", text or f"Flipped meeting {n} #fliplead", DATE, ""]


def csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([HEADER, *rows])
    return out.getvalue()


def count(engine: Engine) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(Post)) or 0)


def run_import(engine: Engine, path: Path, fmt: str) -> ImportSummary:
    return import_file(
        engine, path, hashtags=("fliplead",), clock=lambda: datetime.now(UTC), store=PostStore(), fmt=fmt
    )


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Engine]:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'exemplar.db'}")
    upgrade_schema(engine)
    yield engine
    engine.dispose()


def test_a_cell_over_the_csv_field_limit_is_one_bad_row_at_its_own_line(db: Engine, tmp_path: Path) -> None:
    huge = "\n".join(["x" * 70_000] * 3)  # 210,000 characters over three lines, quoted
    rows = [tags_row(n) for n in range(10)] + [tags_row(10, huge)] + [tags_row(n) for n in range(11, 61)]
    path = tmp_path / "tags.csv"
    path.write_text(csv_text(rows), encoding="utf-8")

    summary = run_import(db, path, "tags-csv")

    assert summary.bad_lines == [12]  # header on line 1, ten rows, then the long one
    assert (summary.read, summary.new) == (60, 60)
    assert count(db) == 60


def test_other_bad_rows_are_each_skipped_at_their_line(db: Engine, tmp_path: Path) -> None:
    lines = csv_text([tags_row(n) for n in range(3)]).splitlines()  # header + rows on lines 2-4
    lines += [
        '1578516068309794900,lee,"a quote that never closes #fliplead,' + DATE + ",",  # line 5
        "1578516068309794901,lee,a NUL \x00 in it #fliplead," + DATE + ",",  # line 6: stored, NUL removed
        "1578516068309794902,lee,too,many," + DATE + ",cells,here",  # line 7
        "",  # line 8, blank
        '1578516068309794903,lee,"bad "quoting" here",' + DATE + ",",  # line 9
    ]
    lines += csv_text([tags_row(n) for n in range(100, 150)]).splitlines()[1:]  # lines 10-59
    path = tmp_path / "tags.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    summary = run_import(db, path, "tags-csv")

    assert summary.bad_lines == [5, 7, 9]
    assert summary.new == 54
    assert count(db) == 54


def test_a_row_with_a_line_separator_in_its_text_is_one_row(db: Engine, tmp_path: Path) -> None:
    path = tmp_path / "tags.csv"
    path.write_text(csv_text([tags_row(1, "one\u2028two\x85three #fliplead"), tags_row(2)]), encoding="utf-8")
    summary = run_import(db, path, "tags-csv")
    assert (summary.new, summary.bad_lines) == (2, [])


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_utf16_files_with_or_without_a_bom_are_read(db: Engine, tmp_path: Path, encoding: str) -> None:
    text = csv_text([tags_row(n, f"Réunion inversée {n} 🎬 #fliplead") for n in range(5)])
    path = tmp_path / "tags.csv"
    path.write_bytes(text.encode(encoding))
    statuses = tmp_path / "statuses.json"
    statuses.write_bytes(
        json.dumps([status(str(n)) for n in range(1, 4)], ensure_ascii=False).encode(encoding)
    )

    assert run_import(db, path, "tags-csv").new == 5
    assert run_import(db, statuses, "mastodon").new == 3
    with session_scope(db) as session:
        assert "Réunion inversée 0 🎬 #fliplead" in set(session.scalars(select(Post.text)))


def test_a_deeply_nested_line_is_skipped_and_the_others_imported(db: Engine, tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    good = [json.dumps(status(str(n))) for n in range(1, 4)]
    path = tmp_path / "statuses.jsonl"
    path.write_text(
        "\n".join([good[0], deep, good[1], '{"deep": ' + deep + "}", good[2]]) + "\n", encoding="utf-8"
    )

    summary = run_import(db, path, "mastodon")

    assert summary.bad_lines == [2, 4]
    assert summary.new == 3


def _config(tmp_path: Path) -> Path:
    config = tmp_path / "exemplar.toml"
    config.write_text(
        'hashtags = ["fliplead"]\n[database]\nurl = "sqlite:///exemplar.db"\n', encoding="utf-8"
    )
    return config


BAD_FILES = {
    "binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 40,
    "invalid utf-8": ("\n".join(json.dumps(status(str(n))) for n in range(50, 60)) + "\n").encode()
    + b'{"id": "\xff\xfe broken"}\n',
    "latin-1": "id_str,from_user,text,created_at\n1,lee,caf\u00e9 r\u00e9union,x\n".encode("latin-1"),
    "deep json document": ("[" * 100_000 + "]" * 100_000).encode(),
    "truncated json document": json.dumps([status(str(n)) for n in range(70, 80)]).encode()[:-300],
    "huge number": b'[{"id": ' + b"9" * 5000 + b"}]",
    "half a character": '{"x": "é'.encode()[:-1],
}


FORMATS = ["mastodon", "twarc2", "bluesky", "tags-csv"]


JSON_ONLY = {"deep json document", "truncated json document", "huge number"}


@pytest.mark.parametrize(
    ("kind", "fmt"),
    [(kind, fmt) for kind in BAD_FILES for fmt in FORMATS if not (fmt == "tags-csv" and kind in JSON_ONLY)],
)
def test_an_unreadable_file_is_refused_in_one_line(db: Engine, tmp_path: Path, kind: str, fmt: str) -> None:
    run_import(db, ARCHIVES / "twarc2.jsonl", "twarc2")
    before = count(db)
    bad = tmp_path / "bad.file"
    bad.write_bytes(BAD_FILES[kind])

    with pytest.raises(ExemplarError) as refused:
        run_import(db, bad, fmt)

    assert "\n" not in str(refused.value)
    assert str(bad) in str(refused.value)
    assert count(db) == before


@pytest.mark.parametrize(
    ("kind", "fmt"), [(kind, "mastodon") for kind in BAD_FILES] + [("binary", fmt) for fmt in FORMATS[1:]]
)
def test_the_command_refuses_an_unreadable_file_and_keeps_what_is_stored(
    tmp_path: Path, kind: str, fmt: str
) -> None:
    config = _config(tmp_path)
    engine = create_db_engine(f"sqlite:///{tmp_path / 'exemplar.db'}")
    upgrade_schema(engine)
    run_import(engine, ARCHIVES / "twarc2.jsonl", "twarc2")
    before = count(engine)
    bad = tmp_path / "bad.file"
    bad.write_bytes(BAD_FILES[kind])

    result = run_exemplar("--config", str(config), "import", str(bad), "--format", fmt, cwd=tmp_path)

    line = assert_one_line_failure(result, 1)
    assert str(bad) in line
    assert count(engine) == before
    engine.dispose()


MARKED_SECTIONS = [
    "<p><![if !supportLists]>·<![endif]>Flip the meeting, pasted from Word #fliplead</p>",
    "<p>A made-up section <![foo[ x ]]> in the middle #fliplead</p>",
    "<p>No keyword <![ x ]> at all #fliplead</p>",
    "<p>Unterminated at the end #fliplead <![ x",
]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_command_stores_posts_whose_html_html_parser_gives_up_on(tmp_path: Path, jobs: str) -> None:
    config = _config(tmp_path)
    engine = create_db_engine(f"sqlite:///{tmp_path / 'exemplar.db'}")
    upgrade_schema(engine)
    total = 1_600  # enough batches for --jobs 2 to start its workers
    odd = {n: MARKED_SECTIONS[at % len(MARKED_SECTIONS)] for at, n in enumerate(range(7, total, 100))}
    note = "<p>Head of year <![if !vml]>and <![foo[ bar ]]> curious</p>"
    records = [
        status(str(n), content=odd.get(n), author=account(f"user{n % 3}", note=note))
        for n in range(1, total + 1)
    ]
    path = tmp_path / "statuses.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")

    result = run_exemplar(
        "--config", str(config), "import", str(path), "--format", "mastodon", "--jobs", jobs, cwd=tmp_path
    )

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert f"new {total}" in result.stdout
    with session_scope(engine) as session:
        texts = set(session.scalars(select(Post.text)))
    assert "·Flip the meeting, pasted from Word #fliplead" in texts
    assert "A made-up section in the middle #fliplead" in texts
    assert "No keyword at all #fliplead" in texts
    # What html.parser makes of the unterminated opening itself changed in Python 3.11.13.
    assert any(text.startswith("Unterminated at the end #fliplead") for text in texts)
    engine.dispose()
