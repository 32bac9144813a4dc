"""`exemplar db backup` copies a live SQLite database while a writer keeps writing; `db restore` puts a
backup back and every row of it is there. PostgreSQL gets pg_dump advice, never a half-made copy."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli import cli
from storage.backup import BackupError, backup, restore, verify


def write_config(tmp_path: Path, url: str = "sqlite:///exemplar.db") -> Path:
    path = tmp_path / "exemplar.toml"
    path.write_text(f'hashtags = ["fliplead"]\n[database]\nurl = "{url}"\n', encoding="utf-8")
    return path


def invoke(config: Path, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args], input=input)


def insert_posts(database: Path, start: int, count: int) -> None:
    with sqlite3.connect(database, timeout=30) as connection:
        now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
        connection.executemany(
            "INSERT INTO posts (uri, url, source, author_acct, author_name, author_url, created_at, text,"
            " html, spoiler_text, sensitive, visibility, links, media, replies_count, reblogs_count,"
            " favourites_count, raw, first_seen_at, updated_at) VALUES (?, ?, 'mastodon', 'a@b.example', 'A',"
            " 'https://b.example/@a', ?, ?, '', '', 0, 'public', '[]', '[]', 0, 0, 0, '{}', ?, ?)",
            [
                (
                    f"https://b.example/{n}",
                    f"https://b.example/@a/{n}",
                    now,
                    f"post {n} " + "x" * 400,
                    now,
                    now,
                )
                for n in range(start, start + count)
            ],
        )


def post_uris(database: Path) -> set[str]:
    with sqlite3.connect(database) as connection:
        return {row[0] for row in connection.execute("SELECT uri FROM posts")}


def test_backup_while_a_writer_is_active_then_restore_brings_every_row_back(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    assert invoke(config, "db", "upgrade").exit_code == 0
    database = tmp_path / "exemplar.db"
    insert_posts(database, 0, 3000)  # enough pages that the copy takes several steps

    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        number = 100_000
        while not stop.is_set():
            insert_posts(database, number, 5)
            written.append(number)
            number += 5
            time.sleep(0.002)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 3:
            time.sleep(0.01)
        result = invoke(config, "db", "backup", str(tmp_path / "backups" / "monday.db"))
        time.sleep(0.05)
    finally:
        stop.set()
        thread.join()
    assert result.exit_code == 0, result.output
    assert "backed up to" in result.output
    assert "schema" in result.output

    copy = tmp_path / "backups" / "monday.db"
    info = verify(copy)
    assert info.revision is not None
    saved = post_uris(copy)
    assert {f"https://b.example/{n}" for n in range(3000)} <= saved
    assert len(saved) % 5 == 0  # each writer transaction is in the copy whole, or not at all
    assert not (copy.parent / "monday.db-wal").exists()
    live = post_uris(database)
    assert saved < live  # the writer went on after the copy

    restored = invoke(config, "db", "restore", str(copy), "--yes")
    assert restored.exit_code == 0, restored.output
    assert post_uris(database) == saved
    # The restored database is one Exemplar opens and uses.
    assert invoke(config, "posts", "--limit", "1").exit_code == 0


def test_backup_refuses_to_overwrite_and_restore_asks_first(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    invoke(config, "db", "upgrade")
    target = tmp_path / "copy.db"
    assert invoke(config, "db", "backup", str(target)).exit_code == 0
    again = invoke(config, "db", "backup", str(target))
    assert again.exit_code == 1
    assert "--force" in again.output
    assert invoke(config, "db", "backup", str(target), "--force").exit_code == 0

    insert_posts(tmp_path / "exemplar.db", 0, 2)
    declined = invoke(config, "db", "restore", str(target), input="n\n")
    assert declined.exit_code == 1
    assert "nothing restored" in declined.output
    assert len(post_uris(tmp_path / "exemplar.db")) == 2


def test_restore_refuses_what_is_not_an_exemplar_backup_and_leaves_the_database_alone(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    invoke(config, "db", "upgrade")
    insert_posts(tmp_path / "exemplar.db", 0, 4)
    not_sqlite = tmp_path / "notes.db"
    not_sqlite.write_text("not a database", encoding="utf-8")
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    for wrong in (not_sqlite, other):
        result = invoke(config, "db", "restore", str(wrong), "--yes")
        assert result.exit_code == 1
        assert result.output.count("\n") == 1
    assert len(post_uris(tmp_path / "exemplar.db")) == 4


def test_restore_refuses_while_the_scheduler_runs(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    invoke(config, "db", "upgrade")
    database = tmp_path / "exemplar.db"
    backup(f"sqlite:///{database}", tmp_path / "copy.db")
    lease = json.dumps({"owner": "host:42", "heartbeat": datetime.now(UTC).isoformat()})
    with sqlite3.connect(database) as connection:
        connection.execute("INSERT INTO app_state (key, value) VALUES ('lease:scheduler', ?)", (lease,))
    with pytest.raises(BackupError, match=r"`exemplar run` \(host:42\) is using this database"):
        restore(f"sqlite:///{database}", tmp_path / "copy.db", datetime.now(UTC))


def test_postgresql_gets_pg_dump_advice_without_the_password(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="pg_dump") as raised:
        backup("postgresql+psycopg://exemplar:s3cret@db.example/exemplar", tmp_path / "x.db")
    assert "s3cret" not in str(raised.value)
    assert "pg_restore" in str(raised.value)
