"""``exemplar curator add|list|remove`` and ``exemplar exclude --list|--remove``, run as a user would."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from bot.cli import cli
from bot.passwords import verify_password
from bot.web.security import DESK_COOKIE
from storage import digests as digest_repo
from storage.db import create_db_engine, session_scope
from storage.models import Curator, DeskSession
from tests.conftest import FakeClock
from tests.desk_site import PASSWORD, desk_app, fill_site, log_in


@pytest.fixture
def config(tmp_path: Path, database_url: str) -> Path:
    path = tmp_path / "exemplar.toml"
    path.write_text(f'hashtags = ["fliplead"]\n[database]\nurl = "{database_url}"\n', encoding="utf-8")
    return path


@pytest.fixture
def db(config: Path, database_url: str) -> Iterator[Engine]:
    assert run(config, "db", "upgrade").exit_code == 0
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


def run(config: Path, *args: str, input: str | None = None) -> object:
    return CliRunner().invoke(cli, ["--config", str(config), *args], input=input)


def test_curator_add_asks_twice_and_never_takes_the_password_as_an_argument(config: Path, db: Engine) -> None:
    added = run(config, "curator", "add", "New@School.example", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert added.exit_code == 0, added.output  # type: ignore[attr-defined]
    assert "curator new@school.example can now log in" in added.output  # type: ignore[attr-defined]
    assert PASSWORD not in added.output  # type: ignore[attr-defined]

    on_the_command_line = run(config, "curator", "add", "x@school.example", "--password", PASSWORD)
    assert on_the_command_line.exit_code == 2  # type: ignore[attr-defined]
    mismatch = run(
        config, "curator", "add", "y@school.example", input=f"{PASSWORD}\nsomething-else-entirely\n"
    )
    assert mismatch.exit_code != 0  # type: ignore[attr-defined]
    short = run(config, "curator", "add", "z@school.example", input="short\nshort\n")
    assert short.exit_code == 2  # type: ignore[attr-defined]
    with session_scope(db) as session:
        assert list(session.scalars(select(Curator.email))) == ["new@school.example"]


def test_curator_add_reads_a_password_file(config: Path, db: Engine, tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text("a-password-from-a-file\n", encoding="utf-8")
    added = run(config, "curator", "add", "file@school.example", "--password-file", str(secret))
    assert added.exit_code == 0, added.output  # type: ignore[attr-defined]
    from_stdin = run(
        config, "curator", "add", "pipe@school.example", "--password-file", "-", input="piped-password-1\n"
    )
    assert from_stdin.exit_code == 0, from_stdin.output  # type: ignore[attr-defined]
    with session_scope(db) as session:
        hashes = dict(session.execute(select(Curator.email, Curator.password_hash)).all())
    assert verify_password("a-password-from-a-file", hashes["file@school.example"])
    assert verify_password("piped-password-1", hashes["pipe@school.example"])


def test_curator_list_and_remove_end_sessions(config: Path, db: Engine, clock: FakeClock) -> None:
    fill_site(db, clock())
    with TestClient(desk_app(db, clock), follow_redirects=False) as browser:
        assert log_in(browser).status_code == 303
        assert browser.get("/desk").status_code == 200
        listed = run(config, "curator", "list")
        assert listed.exit_code == 0  # type: ignore[attr-defined]
        assert "curator@school.example" in listed.output  # type: ignore[attr-defined]
        assert "1 open session" in listed.output  # type: ignore[attr-defined]

        changed = run(
            config, "curator", "add", "curator@school.example", input="a-new-password-1\na-new-password-1\n"
        )
        assert "1 desk session ended" in changed.output  # type: ignore[attr-defined]
        assert browser.get("/desk").status_code == 303

        assert log_in(browser, password="a-new-password-1").status_code == 303
        assert browser.get("/desk").status_code == 200
        removed = run(config, "curator", "remove", "Curator@School.example")
        assert removed.exit_code == 0, removed.output  # type: ignore[attr-defined]
        assert "1 desk session ended" in removed.output  # type: ignore[attr-defined]
        assert browser.get("/desk").status_code == 303
        assert log_in(browser, password="a-new-password-1").status_code == 401
        assert browser.cookies.get(DESK_COOKIE) is None or browser.get("/desk").status_code == 303
    with session_scope(db) as session:
        assert session.scalars(select(DeskSession)).all() == []
    unknown = run(config, "curator", "remove", "nobody@school.example")
    assert unknown.exit_code == 1  # type: ignore[attr-defined]
    assert "no curator nobody@school.example" in unknown.output  # type: ignore[attr-defined]
    assert "no curators yet" in run(config, "curator", "list").output  # type: ignore[attr-defined]


def test_exclude_list_shows_who_and_when_and_remove_undoes(
    config: Path, db: Engine, clock: FakeClock
) -> None:
    fill_site(db, clock())
    excluded = run(config, "exclude", "domain", "WWW.YouTube.com", "--by", "ana", "--reason", "ads")
    assert excluded.exit_code == 0, excluded.output  # type: ignore[attr-defined]
    assert "excluded domain youtube.com from digests (2 stored posts match)" in excluded.output  # type: ignore[attr-defined]
    assert "exemplar exclude --remove domain youtube.com" in excluded.output  # type: ignore[attr-defined]
    run(config, "exclude", "author", "@maria@mastodon.social", "--by", "ben")
    with session_scope(db) as session:
        digest_repo.suppress_author(
            session, "gone@school.example", via="mention", reason="replied optout", now=clock()
        )
        digest_repo.suppress_author(session, "spam@bad.example", via="command", reason="spam", now=clock())

    listing = run(config, "exclude", "--list").output  # type: ignore[attr-defined]
    assert "domain  youtube.com  by ana," in listing
    assert "(ads)" in listing
    assert "author  maria@mastodon.social  by ben," in listing
    assert "gone@school.example  by the author (mention)" in listing
    assert "spam@bad.example  by a curator (command)" in listing
    assert "UTC" in listing

    assert run(config, "exclude", "--remove", "domain", "youtube.com").exit_code == 0
    assert run(config, "exclude", "--remove", "domain", "youtube.com").exit_code == 1
    refused = run(config, "exclude", "--remove", "suppressed", "gone@school.example")
    assert refused.exit_code == 1  # type: ignore[attr-defined]
    assert "only they can undo it" in refused.output  # type: ignore[attr-defined]
    assert run(config, "exclude", "--remove", "suppressed", "spam@bad.example").exit_code == 0
    with session_scope(db) as session:
        assert digest_repo.exclusions(session)["domain"] == set()
        assert digest_repo.suppressed_accounts(session) == {"gone@school.example"}
    assert run(config, "exclude", "--list", "domain").exit_code == 2
    assert run(config, "exclude", "domain").exit_code == 2
