"""The quick start stays true: the demo's suggestions run as printed, `serve` on a taken port says so
with its own exit code, and `run --list` only reads."""

from __future__ import annotations

import os
import re
import shlex
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.cli.demo import program_name
from bot.cli.root import EXIT_CANNOT_LISTEN, EXIT_SCHEMA

EXEMPLAR = [sys.executable, "-c", "from bot.cli import main; main()"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run_demo(directory: Path) -> list[str]:
    result = CliRunner().invoke(cli, ["demo", "--dir", str(directory)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Try next"))
    return [line.split("  #", 1)[0].strip() for line in lines[start + 1 :] if line.strip()]


@pytest.fixture(scope="module")
def demo_commands(tmp_path_factory: pytest.TempPathFactory) -> list[list[str]]:
    directory = tmp_path_factory.mktemp("demo")
    return [shlex.split(line) for line in _run_demo(directory)]


def _as_subprocess(words: list[str]) -> list[str]:
    assert words[0] == "exemplar", "run under pytest, the demo names the command `exemplar`"
    return [*EXEMPLAR, *words[1:]]


def test_the_demo_writes_no_token_into_its_config_and_keeps_the_token_file_private(tmp_path: Path) -> None:
    _run_demo(tmp_path)
    config = (tmp_path / "exemplar.toml").read_text(encoding="utf-8")
    token = (tmp_path / "bot-token").read_text(encoding="utf-8").strip()
    assert token
    assert token not in config
    assert (tmp_path / "bot-token").stat().st_mode & 0o777 == 0o600


def test_every_command_the_demo_suggests_works_as_printed(demo_commands: list[list[str]]) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("EXEMPLAR_")}
    ran = 0
    for words in demo_commands:
        if words[-1] == "serve":
            continue  # runs until stopped: tested below
        stdin = "demo-password-123\ndemo-password-123\n" if "curator" in words else None
        result = subprocess.run(
            _as_subprocess(words), input=stdin, capture_output=True, text=True, env=env, timeout=60
        )
        assert result.returncode == 0, f"{shlex.join(words)}: {result.stderr}"
        assert result.stdout.strip()
        ran += 1
    assert ran >= 4


def test_the_suggested_serve_shows_the_archive_and_the_desk(demo_commands: list[list[str]]) -> None:
    serve = next(words for words in demo_commands if words[-1] == "serve")
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("EXEMPLAR_")}
    process = subprocess.Popen(
        [*_as_subprocess(serve), "--port", str(port)], env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, process.communicate()[1]
            assert time.monotonic() < deadline, "serve did not answer"
            time.sleep(0.2)
        assert "fliplead" in httpx.get(f"{base}/", timeout=5).text.lower()
        desk = httpx.get(f"{base}/desk", timeout=5, follow_redirects=True)
        assert desk.status_code == 200
        assert "password" in desk.text.lower()
    finally:
        process.terminate()
        process.communicate(timeout=20)


def test_the_printed_command_is_the_one_that_was_run() -> None:
    assert program_name(".venv/bin/exemplar", None) == ".venv/bin/exemplar"
    assert program_name(".venv/bin/exemplar", str(Path(".venv/bin/exemplar").resolve())) == "exemplar"
    assert program_name("/usr/bin/pytest", "/usr/local/bin/exemplar") == "exemplar"


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "exemplar.toml"
    path.write_text('hashtags = ["fliplead"]\n[database]\nurl = "sqlite:///exemplar.db"\n', encoding="utf-8")
    return path


def test_serve_on_a_taken_port_says_so_in_one_line_with_its_own_exit_code(tmp_path: Path) -> None:
    config = _config(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*EXEMPLAR, "--config", str(config), "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == EXIT_CANNOT_LISTEN != EXIT_SCHEMA
    assert result.stderr.count("\n") == 1, result.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "already in use" in result.stderr


def test_serve_on_an_address_this_machine_lacks_fails_the_same_way(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--config", str(_config(tmp_path)), "serve", "--host", "192.0.2.1"])
    assert result.exit_code == EXIT_CANNOT_LISTEN
    assert "cannot listen on 192.0.2.1" in result.output


def test_run_list_only_reads(tmp_path: Path) -> None:
    config = _config(tmp_path)
    result = CliRunner().invoke(cli, ["--config", str(config), "run", "--list"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert {line.split()[0] for line in result.output.splitlines()} >= {"collect", "draft", "publish"}
    assert not (tmp_path / "exemplar.db").exists()  # not even created

    # On a database a scheduler has used, the stored times are shown and nothing changes.
    CliRunner().invoke(cli, ["--config", str(config), "db", "upgrade"], catch_exceptions=False)
    database = tmp_path / "exemplar.db"

    def snapshot() -> tuple[object, ...]:
        with sqlite3.connect(database) as connection:
            return (
                connection.execute("SELECT name FROM sqlite_master ORDER BY name").fetchall(),
                connection.execute("SELECT * FROM app_state ORDER BY key").fetchall(),
            )

    before = snapshot()
    result = CliRunner().invoke(cli, ["--config", str(config), "run", "--list"], catch_exceptions=False)
    assert result.exit_code == 0
    assert snapshot() == before
    assert "apscheduler_jobs" not in str(before)


# `pip install exemplar`, `sudo -u exemplar`, `chgrp -R exemplar`, `podman build -t exemplar`: a name.
NOT_A_COMMAND_AFTER = {"install", "-u", "-R", "-t", "--tag", "-g"}


def readme_commands(path: Path) -> list[list[str]]:
    """Every `exemplar ...` command in the shell blocks of a README, as words after `exemplar`."""
    text = path.read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split("#", 1)[0]
            for piece in re.split(r"&&|\|\||;|\|", line):
                words = shlex.split(piece.split(">", 1)[0])
                found = [
                    i
                    for i, word in enumerate(words)
                    if (word == "exemplar" or word.endswith("/bin/exemplar"))
                    and (i == 0 or words[i - 1] not in NOT_A_COMMAND_AFTER)
                ]
                if found:
                    commands.append(words[found[0] + 1 :])
    return commands


@pytest.mark.parametrize("readme", ["README.md", "deploy/README.md"])
def test_every_command_the_readmes_show_is_one_the_cli_accepts(readme: str) -> None:
    from tests.test_deploy import assert_cli_accepts

    commands = readme_commands(Path(__file__).resolve().parent.parent / readme)
    assert len(commands) >= 4
    for words in commands:
        assert_cli_accepts(words)


def test_the_quick_start_is_make_demo_and_make_test() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "make demo" in quick_start
    assert "make test" in quick_start
    assert "on the way" not in readme


def test_a_port_taken_after_the_check_still_exits_4_not_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.listen

    monkeypatch.setattr(bot.listen, "check_can_listen", lambda *_address: None)  # the race: taken just after
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["--config", str(_config(tmp_path)), "serve", "--port", str(port)])
    assert result.exit_code == EXIT_CANNOT_LISTEN
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
