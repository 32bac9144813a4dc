"""The ``exemplar`` command: every command runs, says something useful in --help, and fails clearly."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from mastodon_mock.testing import MockServer

from bot.cli import cli, parse_since
from storage.db import create_db_engine, upgrade_schema
from tests.cli_process import run_exemplar
from tests.payloads import account, boost_of, status


def write_config(tmp_path: Path, server: MockServer | None = None, extra: str = "") -> Path:
    source = f'[[mastodon]]\nbase_url = "{server.base_url}"\n' if server else ""
    path = tmp_path / "exemplar.toml"
    path.write_text(
        f'hashtags = ["fliplead"]\n{extra}\n[database]\nurl = "sqlite:///exemplar.db"\n'
        f"[collect]\nrequest_timeout = 5\nbackoff_seconds = 0\n{source}",
        encoding="utf-8",
    )
    return path


def invoke(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)


def all_commands(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    context = click.Context(group)
    for name in group.list_commands(context):  # (commands load on demand: ask the group, not .commands)
        command = group.get_command(context, name)
        assert command is not None, name
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found.extend(all_commands(command, (*prefix, name)))
    return found


@pytest.mark.parametrize("path", all_commands(), ids=" ".join)
def test_every_command_has_useful_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    summary = result.output.split("\n\n")[1].strip()
    assert len(summary) > 15, f"exemplar {' '.join(path)} needs a real help text"


def test_the_installed_command_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from bot.cli import main; main()", "--version"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0
    assert "exemplar" in result.stdout


def test_collect_then_list_posts(tmp_path: Path, instance: MockServer) -> None:
    maria = instance.client("maria")
    first = maria.status_post("Our flipped staff meeting video https://youtu.be/Xc4ZsXq1a2Y #fliplead")
    second = maria.status_post("Anyone tried Loom for parent updates? #fliplead #edchat")
    config = write_config(tmp_path, instance)

    collected = invoke(config, "collect")
    assert collected.exit_code == 0, collected.output
    assert "fetched 2, new 2, updated 0, removed 0, skipped 0, requests 1" in collected.output

    listed = invoke(config, "posts", "--json")
    records = [json.loads(line) for line in listed.output.splitlines()]
    assert [r["uri"] for r in records] == [second.uri, first.uri]
    newest = records[0]
    for key in (
        "id",
        "uri",
        "url",
        "source",
        "author",
        "created_at",
        "text",
        "hashtags",
        "links",
        "media",
        "labels",
    ):
        assert key in newest
    assert newest["author"] == "maria@school.example"
    assert newest["source"] == "mastodon"
    assert newest["hashtags"] == ["edchat", "fliplead"]
    assert newest["text"] == "Anyone tried Loom for parent updates? #fliplead #edchat"
    assert newest["labels"] == ["question", "tool"]
    assert records[1]["labels"] == ["video"]
    assert records[1]["links"] == ["https://youtu.be/Xc4ZsXq1a2Y"]

    assert len(invoke(config, "posts", "--json", "--tag", "edchat").output.splitlines()) == 1
    assert len(invoke(config, "posts", "--json", "--limit", "1").output.splitlines()) == 1
    assert invoke(config, "posts", "--since", "2999-01-01").output == ""
    text = invoke(config, "posts").output
    assert "María López (@maria@school.example)" in text
    assert second.url in text


def test_collect_exit_code_says_whether_every_source_succeeded(tmp_path: Path, instance: MockServer) -> None:
    instance.fault(path="/api/v1/timelines/tag/fliplead", type="status", status=404)
    config = write_config(tmp_path, instance)
    result = invoke(config, "collect")
    assert result.exit_code == 1
    assert "FAILED" in result.output


def test_collect_without_sources_is_a_config_error(tmp_path: Path) -> None:
    result = invoke(write_config(tmp_path), "collect")
    assert result.exit_code == 2
    assert "add a [[mastodon]] section" in result.output


def test_a_bad_config_stops_with_one_line(tmp_path: Path) -> None:
    config = write_config(tmp_path, extra="colour = 'blue'")
    result = CliRunner().invoke(cli, ["--config", str(config), "posts"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert "colour is not a known key" in lines[0]


def test_a_missing_config_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("EXEMPLAR_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    result = CliRunner().invoke(cli, ["posts"])
    assert result.exit_code == 2
    assert "no config file found; pass --config PATH" in result.output


def test_import_json_lines_and_arrays_through_the_collector_path(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    opted_out = account("quiet", note="<p>#nobot</p>")
    lines = [
        json.dumps(status("1")),
        "{not json",
        json.dumps(status("2", visibility="private")),
        json.dumps(status("3", author=opted_out)),
        json.dumps(boost_of(status("4"), id="5")),
        json.dumps({"id": "6"}),
    ]
    jsonl = tmp_path / "export.jsonl"
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = invoke(config, "import", str(jsonl), "--format", "mastodon")

    assert result.exit_code == 0, result.output
    assert "read 5, new 2, updated 0, removed 0, skipped 4" in result.output
    assert "1 not public" in result.output
    assert "1 opted out" in result.output
    assert "2 malformed" in result.output
    assert "bad rows at lines: 2, 6" in result.output

    array = tmp_path / "export.json"
    array.write_text(json.dumps([status("1", favourites_count=99), status("7")]), encoding="utf-8")
    again = invoke(config, "import", str(array), "--format", "mastodon")
    assert "read 2, new 1, updated 1" in again.output

    records = [json.loads(line) for line in invoke(config, "posts", "--json").output.splitlines()]
    assert sorted(r["uri"].rsplit("/", 1)[-1] for r in records) == ["1", "4", "7"]
    assert {s["source"] for r in records for s in r["seen_through"]} == {"import:mastodon"}


def test_import_of_a_broken_json_array_names_the_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('[\n{"id": "1"},\n{oops}\n]', encoding="utf-8")
    result = invoke(write_config(tmp_path), "import", str(broken), "--format", "mastodon")
    assert result.exit_code == 1
    assert "not valid JSON at line 3" in result.output


def test_db_upgrade_and_status(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    assert "database upgraded from empty to" in invoke(config, "db", "upgrade").output
    assert "database is up to date" in invoke(config, "db", "upgrade").output
    assert "posts: 0" in invoke(config, "db", "status").output


def test_db_upgrade_says_what_it_did_and_nothing_else(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    upgraded = run_exemplar("--config", str(config), "db", "upgrade", cwd=tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    assert upgraded.stderr == ""
    assert upgraded.stdout.strip().splitlines() == [upgraded.stdout.strip()]
    assert upgraded.stdout.startswith("database upgraded from empty to ")


def test_commands_refuse_a_database_whose_schema_is_behind_until_it_is_upgraded(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    old = create_db_engine(f"sqlite:///{tmp_path / 'exemplar.db'}")
    upgrade_schema(old, "0001")  # a database made by the first release
    with sqlite3.connect(tmp_path / "exemplar.db") as connection:
        connection.execute(
            "INSERT INTO cursors (source_key, tag, newest_id, updated_at)"
            " VALUES ('k', 'fliplead', '1', '2026-01-01')"
        )
    old.dispose()

    refused = CliRunner().invoke(cli, ["--config", str(config), "posts"])
    assert refused.exit_code == 3
    assert "the database schema is behind (at 0001, needs" in refused.output
    assert "run `exemplar db upgrade`" in refused.output

    upgraded = invoke(config, "db", "upgrade")
    assert "database upgraded from 0001 to" in upgraded.output
    assert invoke(config, "posts").exit_code == 0
    with sqlite3.connect(tmp_path / "exemplar.db") as connection:
        assert connection.execute("SELECT newest_id FROM cursors").fetchone() == ("1",)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-01", datetime(2026, 11, 1, tzinfo=UTC)),
        ("2026-11-01T08:00:00+01:00", datetime(2026, 11, 1, 7, tzinfo=UTC)),
        ("7d", datetime(2026, 11, 17, 12, tzinfo=UTC)),
        ("12h", datetime(2026, 11, 24, tzinfo=UTC)),
    ],
)
def test_since_accepts_dates_and_durations(value: str, expected: datetime) -> None:
    assert parse_since(value, now=datetime(2026, 11, 24, 12, tzinfo=UTC)) == expected


def test_since_rejects_nonsense() -> None:
    with pytest.raises(click.BadParameter, match="is not a date"):
        parse_since("last tuesday")


def test_the_same_commands_work_on_every_database_backend(
    tmp_path: Path, instance: MockServer, database_url: str
) -> None:
    instance.client("maria").status_post("Flipped meeting notes #fliplead")
    config = tmp_path / "exemplar.toml"
    config.write_text(
        f'hashtags = ["fliplead"]\n[database]\nurl = "{database_url}"\n'
        f'[[mastodon]]\nbase_url = "{instance.base_url}"\n',
        encoding="utf-8",
    )
    assert invoke(config, "db", "upgrade").exit_code == 0
    assert invoke(config, "collect").exit_code == 0
    [record] = [json.loads(line) for line in invoke(config, "posts", "--json").output.splitlines()]
    assert record["text"] == "Flipped meeting notes #fliplead"


def test_import_accepts_wrapped_records_a_single_status_and_pages(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    wrapped = tmp_path / "archive.json"
    wrapped.write_text(json.dumps([{"from": "an archiving tool", "status": status("1")}]), encoding="utf-8")
    single = tmp_path / "one.json"
    single.write_text(json.dumps(status("2")), encoding="utf-8")
    page = tmp_path / "page.json"
    page.write_text(json.dumps({"data": [status("3")]}), encoding="utf-8")
    for path in (wrapped, single, page):
        assert "new 1" in invoke(config, "import", str(path), "--format", "mastodon").output
