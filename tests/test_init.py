"""`exemplar init` end to end against a local Mastodon server's OAuth endpoints: the application is
registered, the curator approves it in the browser, the code becomes a token in an owner-only file,
the bot's profile is checked and fixed, and the config written loads."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from click.testing import CliRunner
from mastodon_mock.config import DatabaseConfig, MastodonMockConfig, SeedAccount, SeedConfig
from mastodon_mock.testing import MockServer

from bot.cli import cli
from bot.config import load_settings
from bot.setup.config_file import BOT_TOKEN_ENV

ROOT = Path(__file__).resolve().parent.parent
EXEMPLAR = [sys.executable, "-c", "from bot.cli import main; main()"]


@pytest.fixture
def bot_instance(tmp_path: Path) -> Iterator[MockServer]:
    seed = SeedConfig(
        accounts=[
            SeedAccount(username="digest", display_name="Digest", access_token="seed-digest"),
            SeedAccount(username="ana", display_name="Ana", access_token="seed-ana"),
        ]
    )
    config = MastodonMockConfig(
        domain="school.example", database=DatabaseConfig(path=str(tmp_path / "mock.sqlite")), seed=seed
    )
    server = MockServer(config=config).start()
    yield server
    server.stop()


def approve_in_browser(url: str, username: str) -> str:
    """What the curator does: open the URL, pick the bot account, read the code the page shows."""
    page = httpx.get(url, timeout=10)
    assert page.status_code == 200
    query = parse_qs(urlsplit(url).query)
    assert query["redirect_uri"] == ["urn:ietf:wg:oauth:2.0:oob"]
    assert query["response_type"] == ["code"]
    form = {
        name: re.search(rf'name="{name}" value="([^"]*)"', page.text).group(1)  # type: ignore[union-attr]
        for name in ("redirect_uri", "client_id", "scope")
    }
    action = f"{url.split('/oauth/', 1)[0]}/oauth/authorize"
    shown = httpx.post(action, data={**form, "username": username}, timeout=10)
    match = re.search(r"Authorization code: ([^<\s]+)", shown.text)
    assert match, shown.text
    return match.group(1)


def read_until(stream: object, pattern: str, seen: list[str]) -> re.Match[str]:
    while True:
        line = stream.readline()  # type: ignore[attr-defined]
        assert line, "init ended early:\n" + "".join(seen)
        seen.append(line)
        found = re.search(pattern, line)
        if found:
            return found


def test_interactive_init_authorizes_the_bot_fixes_its_profile_and_writes_a_config_that_loads(
    tmp_path: Path, bot_instance: MockServer
) -> None:
    output = tmp_path / "site" / "exemplar.toml"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [*EXEMPLAR, "init", "--output", str(output)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert process.stdin
    assert process.stdout
    seen: list[str] = []

    def answer(text: str) -> None:
        process.stdin.write(text + "\n")  # type: ignore[union-attr]
        process.stdin.flush()  # type: ignore[union-attr]

    try:
        answer("#FlipLead edtech")  # hashtags
        answer(bot_instance.base_url)  # instance
        answer("ana@school.example")  # curator
        answer("y")  # publish from a bot account
        url = read_until(process.stdout, r"(http://127\.0\.0\.1:\d+/oauth/authorize\S+)", seen).group(1)
        answer(approve_in_browser(url, "digest"))
        answer("y")  # mark as a bot and set the note
        answer("digest@school.example")  # email from
        answer("head@school.example")  # leaders
        answer("")  # no SMTP: outbox
        answer("https://digest.school.example/")  # public_url
        out, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    transcript = "".join(seen) + out
    assert process.returncode == 0, transcript
    assert "not marked as a bot" in transcript
    assert "Profile updated." in transcript

    token_file = output.parent / "secrets" / "bot-token"
    assert token_file.stat().st_mode & 0o777 == 0o600
    token = token_file.read_text(encoding="utf-8").strip()
    config_text = output.read_text(encoding="utf-8")
    assert token not in config_text
    assert "client_secret" not in config_text

    settings = load_settings(output, environ={})
    assert settings.hashtags == ("fliplead", "edtech")
    assert settings.publish_mastodon is not None
    assert settings.publish_mastodon.access_token.reveal() == token
    assert settings.email is not None
    assert settings.email.public_url == "https://digest.school.example"
    assert settings.health.recipients == ["ana@school.example"]

    me = bot_instance.client("digest")
    account = httpx.get(
        f"{bot_instance.base_url}/api/v1/accounts/verify_credentials",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()
    assert account["username"] == "digest"
    assert account["bot"] is True
    assert "ana@school.example" in account["note"]
    assert "optout" in account["note"]
    assert me.account_verify_credentials()["bot"] is True


def test_scripted_init_prints_the_url_then_finishes_with_the_code(
    tmp_path: Path, bot_instance: MockServer
) -> None:
    output = tmp_path / "exemplar.toml"
    flags = [
        "init", "--no-input", "--output", str(output), "--hashtag", "fliplead",
        "--instance", bot_instance.base_url, "--curator", "@ana@school.example", "--keep-profile",
    ]  # fmt: skip
    first = CliRunner().invoke(cli, flags, catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert not output.exists()
    app_file = tmp_path / "secrets" / "mastodon-app.json"
    assert app_file.stat().st_mode & 0o777 == 0o600
    url = re.search(r"(http://\S+/oauth/authorize\S+)", first.output).group(1)  # type: ignore[union-attr]
    assert "--auth-code CODE" in first.output

    code = approve_in_browser(url, "digest")
    second = CliRunner().invoke(cli, [*flags, "--auth-code", code], catch_exceptions=False)
    assert second.exit_code == 0, second.output
    assert "Still to fix on the bot's profile: the account is not marked as a bot" in second.output
    settings = load_settings(output, environ={})
    assert settings.publish_mastodon is not None
    # The environment wins over the file, as systemd's LoadCredential needs.
    other = tmp_path / "credential"
    other.write_text("from-credentials-directory\n", encoding="utf-8")
    overridden = load_settings(output, environ={f"{BOT_TOKEN_ENV}_FILE": str(other)})
    assert overridden.publish_mastodon is not None
    assert overridden.publish_mastodon.access_token.reveal() == "from-credentials-directory"


def test_a_wrong_code_is_one_line_and_no_config(tmp_path: Path, bot_instance: MockServer) -> None:
    output = tmp_path / "exemplar.toml"
    result = CliRunner().invoke(
        cli,
        ["init", "--no-input", "--output", str(output), "--hashtag", "fliplead", "--instance",
         bot_instance.base_url, "--curator", "ana@school.example", "--auth-code", "not-a-code"],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "did not accept that code" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not output.exists()


def test_init_refuses_to_overwrite_and_names_missing_flags(tmp_path: Path) -> None:
    output = tmp_path / "exemplar.toml"
    output.write_text("keep me", encoding="utf-8")
    result = CliRunner().invoke(cli, ["init", "--no-input", "--output", str(output)])
    assert result.exit_code == 2
    assert "--force" in result.output
    assert output.read_text(encoding="utf-8") == "keep me"
    result = CliRunner().invoke(cli, ["init", "--no-input", "--output", str(tmp_path / "new.toml")])
    assert result.exit_code == 2
    assert "--hashtag is required" in result.output


def test_init_example_prints_the_example_config_that_ships_in_the_package() -> None:
    result = CliRunner().invoke(cli, ["init", "--example"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.output == (ROOT / "config.example.toml").read_text(encoding="utf-8")


def test_the_wheel_contains_the_example_config(tmp_path: Path) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("exemplar-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = archive.read("bot/data/config.example.toml").decode("utf-8")
    assert shipped == (ROOT / "config.example.toml").read_text(encoding="utf-8")


def test_a_missing_config_points_at_init_which_is_installed(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    result = CliRunner().invoke(cli, ["--config", str(missing), "posts"])
    assert result.exit_code == 2
    assert f"exemplar init --output {missing}" in result.output
    assert "config.example.toml" not in result.output  # a file a pip install does not put anywhere near


def test_an_instance_that_refuses_registration_is_one_line(tmp_path: Path, bot_instance: MockServer) -> None:
    bot_instance.fault(path="/api/v1/apps", type="status", status=500)
    result = CliRunner().invoke(
        cli,
        ["init", "--no-input", "--output", str(tmp_path / "exemplar.toml"), "--hashtag", "fliplead",
         "--instance", bot_instance.base_url, "--curator", "ana@school.example"],
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.output.startswith(
        f"exemplar: cannot register Exemplar as an application on {bot_instance.base_url}"
    )
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "exemplar.toml").exists()


def test_secret_files_are_relative_to_the_config_and_a_missing_one_names_its_key(tmp_path: Path) -> None:
    config = tmp_path / "exemplar.toml"
    config.write_text(
        'hashtags = ["fliplead"]\n[publish.mastodon]\nbase_url = "https://school.example"\n'
        'access_token_env = "BOT"\n[secret_files]\nBOT = "secrets/bot-token"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["--config", str(config), "posts"])
    assert result.exit_code == 2
    assert f"secret_files.BOT: {tmp_path / 'secrets' / 'bot-token'} does not exist" in result.output
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "bot-token").write_text("from-the-file\n", encoding="utf-8")
    settings = load_settings(config, environ={})
    assert settings.publish_mastodon is not None
    assert settings.publish_mastodon.access_token.reveal() == "from-the-file"
    assert (
        load_settings(config, environ={"BOT": "from-env"}).publish_mastodon.access_token.reveal()
        == "from-env"
    )  # type: ignore[union-attr]
