"""`exemplar check` against real parts: mastodon_mock for the source and the bot account, aiosmtpd
with a login for SMTP, the web app on loopback for public_url. One line per check, exit 1 on any
failure, nothing posted and nothing sent."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from click.testing import CliRunner, Result
from mastodon_mock.config import DatabaseConfig, MastodonMockConfig, SeedAccount, SeedConfig
from mastodon_mock.testing import MockServer
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from bot.cli import cli
from bot.runtime import utc_now
from bot.web.app import create_app
from storage.db import create_db_engine, upgrade_schema
from tests.live_server import serving

TAG_PATH = "/api/v1/timelines/tag/fliplead"


@dataclass
class Mailbox:
    received: list[bytes] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        self.received.append(envelope.original_content or b"")
        return "250 OK"


def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"exemplar",
        b"smtp-secret",
    )
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    handler = Mailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(
        handler, hostname="127.0.0.1", port=port, authenticator=authenticator, auth_require_tls=False
    )
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[MockServer]:
    seed = SeedConfig(
        accounts=[
            SeedAccount(username="digest", bot=True, access_token="digest-token"),
            SeedAccount(username="human", bot=False, access_token="human-token"),
        ]
    )
    config = MastodonMockConfig(
        domain="school.example", database=DatabaseConfig(path=str(tmp_path / "mock.sqlite")), seed=seed
    )
    server = MockServer(config=config).start()
    yield server
    server.stop()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    """`exemplar serve`'s application on loopback, as public_url would reach it behind a proxy."""
    engine = create_db_engine(f"sqlite:///{tmp_path / 'site.db'}")
    upgrade_schema(engine)
    with serving(create_app(engine, utc_now)) as url:
        yield url
    engine.dispose()


def authorized_token(instance: MockServer, username: str, scopes: str = "read write:statuses") -> str:
    """A token as the OAuth code flow gives it (tied to an application, as on a real instance)."""
    app = httpx.post(
        f"{instance.base_url}/api/v1/apps",
        data={"client_name": "check", "scopes": scopes, "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"},
    ).json()
    return str(
        httpx.post(
            f"{instance.base_url}/oauth/token",
            data={"grant_type": "authorization_code", "code": f"mockcode_{username}",
                  "client_id": app["client_id"], "client_secret": app["client_secret"],
                  "redirect_uri": "urn:ietf:wg:oauth:2.0:oob"},
        ).json()["access_token"]
    )  # fmt: skip


def setup(tmp_path: Path, instance: MockServer, smtp_port: int, public_url: str, token: str | None = None,
          password: str = "smtp-secret") -> Path:  # fmt: skip
    token = token or authorized_token(instance, "digest")
    secrets = tmp_path / "secrets"
    secrets.mkdir(exist_ok=True)
    (secrets / "bot-token").write_text(token, encoding="utf-8")
    (secrets / "smtp-user").write_text("exemplar", encoding="utf-8")
    (secrets / "smtp-password").write_text(password, encoding="utf-8")
    config = tmp_path / "exemplar.toml"
    config.write_text(
        f"""hashtags = ["fliplead"]
[database]
url = "sqlite:///exemplar.db"
[[mastodon]]
base_url = "{instance.base_url}"
name = "school"
[publish.mastodon]
base_url = "{instance.base_url}"
access_token_env = "EXEMPLAR_BOT_TOKEN"
[email]
from = "digest@school.example"
smtp_host = "127.0.0.1"
smtp_port = {smtp_port}
starttls = false
username_env = "EXEMPLAR_SMTP_USER"
password_env = "EXEMPLAR_SMTP_PASSWORD"
public_url = "{public_url}"
[health]
recipients = ["curator@school.example"]
[secret_files]
EXEMPLAR_BOT_TOKEN = "secrets/bot-token"
EXEMPLAR_SMTP_USER = "secrets/smtp-user"
EXEMPLAR_SMTP_PASSWORD = "secrets/smtp-password"
""",
        encoding="utf-8",
    )
    assert CliRunner().invoke(cli, ["--config", str(config), "db", "upgrade"]).exit_code == 0
    return config


def check(config: Path) -> tuple[Result, dict[str, str]]:
    result = CliRunner().invoke(cli, ["--config", str(config), "check"], catch_exceptions=False)
    lines = {}
    for line in result.output.splitlines():
        state, rest = line.split(None, 1)
        name, detail = rest.split(": ", 1)
        lines[name] = f"{state} {detail}"
    return result, lines


def statuses_of(instance: MockServer, username: str) -> int:
    client = instance.client(username)
    return len(client.account_statuses(client.account_verify_credentials()["id"]))


def test_a_working_installation_passes_every_check_without_posting_or_sending(
    tmp_path: Path, instance: MockServer, smtp: tuple[Mailbox, int], site: str
) -> None:
    config = setup(tmp_path, instance, smtp[1], site)
    result, lines = check(config)
    assert result.exit_code == 0, result.output
    assert list(lines) == [
        "config", "database", "source school", f"publish mastodon {instance.base_url}", "health", "email",
        "public_url",
    ]  # fmt: skip
    assert all(value.startswith("ok ") for value in lines.values()), result.output
    assert "@digest is a bot and its token can post" in lines[f"publish mastodon {instance.base_url}"]
    assert "accepts the login" in lines["email"]
    assert smtp[0].received == []
    assert statuses_of(instance, "digest") == 0


def test_each_broken_part_is_one_failing_line_and_the_others_still_run(
    tmp_path: Path, instance: MockServer, smtp: tuple[Mailbox, int]
) -> None:
    not_exemplar = Starlette(routes=[Route("/healthz", lambda _r: PlainTextResponse("proxy default page"))])
    with serving(not_exemplar) as wrong_site:
        config = setup(tmp_path, instance, smtp[1], wrong_site, token=authorized_token(instance, "human"),
                       password="wrong")  # fmt: skip
        instance.fault(path=TAG_PATH, type="status", status=503)
        result, lines = check(config)
    assert result.exit_code == 1
    assert lines["config"].startswith("ok")
    assert lines["database"].startswith("ok")
    assert lines["source school"].startswith("FAIL")
    assert "503" in lines["source school"]
    publish = lines[f"publish mastodon {instance.base_url}"]
    assert publish.startswith("FAIL")
    assert "@human is not marked as a bot" in publish
    assert lines["email"].startswith("FAIL")
    assert "refused the login (535)" in lines["email"]
    assert lines["public_url"].startswith("FAIL")
    assert "not Exemplar's 'ok'" in lines["public_url"]


def test_a_token_that_cannot_post_fails(tmp_path: Path, instance: MockServer, smtp: tuple[Mailbox, int],
                                        site: str) -> None:  # fmt: skip
    token = authorized_token(instance, "digest", scopes="read")
    result, lines = check(setup(tmp_path, instance, smtp[1], site, token=token))
    assert result.exit_code == 1
    assert "cannot post (scopes: read)" in lines[f"publish mastodon {instance.base_url}"]


def test_a_database_behind_and_a_silent_public_url_fail(tmp_path: Path, instance: MockServer,
                                                        smtp: tuple[Mailbox, int]) -> None:  # fmt: skip
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    config = setup(tmp_path, instance, smtp[1], closed)
    engine = create_db_engine(f"sqlite:///{tmp_path / 'exemplar.db'}")
    upgrade_schema(engine, "0004")  # pretend an older Exemplar made it
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS source_runs")
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0004'")
    engine.dispose()
    result, lines = check(config)
    assert result.exit_code == 1
    assert lines["database"].startswith("FAIL")
    assert "run `exemplar db upgrade`" in lines["database"]
    assert lines["public_url"].startswith("FAIL")
    assert "does not answer" in lines["public_url"]


def test_a_bad_config_is_the_first_and_only_line(tmp_path: Path) -> None:
    config = tmp_path / "exemplar.toml"
    config.write_text('hashtags = ["fliplead"]\n[mastodon]\nbase_url = 3\n', encoding="utf-8")
    result, lines = check(config)
    assert result.exit_code == 1
    assert list(lines) == ["config"]
    assert lines["config"].startswith("FAIL")


def test_nobody_to_tell_fails_and_a_curator_fixes_it(
    tmp_path: Path, instance: MockServer, smtp: tuple[Mailbox, int], site: str
) -> None:
    config = setup(tmp_path, instance, smtp[1], site)
    _, lines = check(config)
    assert lines["health"] == "ok weekly report and alerts go to curator@school.example ([health] recipients)"
    config.write_text(
        config.read_text(encoding="utf-8").replace('[health]\nrecipients = ["curator@school.example"]\n', ""),
        encoding="utf-8",
    )
    result, lines = check(config)
    assert result.exit_code == 1
    assert lines["health"].startswith("FAIL nobody gets the weekly report or the alerts")
    added = CliRunner().invoke(
        cli,
        ["--config", str(config), "curator", "add", "ana@school.example", "--password-file", "-"],
        input="a-long-password\n",
    )
    assert added.exit_code == 0
    result, lines = check(config)
    assert lines["health"] == "ok weekly report and alerts go to ana@school.example (the desk's curators)"
