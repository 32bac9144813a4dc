"""The deploy/ folder: systemd units checked by systemd-analyze (verify and offline security), the
compose file and the Containerfile checked for structure, and every command they run parsed by the
real CLI. (Building the image needs a base image from a registry, which CI cannot reach.)"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import tomllib
import warnings
from configparser import ConfigParser
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

from bot.cli import cli
from bot.config import settings_from_mapping

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
INSTALLED_AT = "/opt/exemplar/bin/exemplar"


def systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("systemd-analyze is missing on CI: scripts/test installs Debian's systemd")
        pytest.skip("systemd-analyze is not installed (Debian: apt-get install systemd)")
    return found


def unit_copy(unit: Path, directory: Path) -> Path:
    """The unit with ExecStart pointing at this checkout's command, which verify requires to exist."""
    exemplar = shutil.which("exemplar") or str(Path(os.sys.executable).with_name("exemplar"))
    assert Path(exemplar).exists(), "the exemplar command is installed (scripts/bootstrap)"
    copy = directory / unit.name
    copy.write_text(unit.read_text(encoding="utf-8").replace(INSTALLED_AT, exemplar), encoding="utf-8")
    return copy


def parse_unit(unit: Path) -> ConfigParser:
    parser = ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(
        re.sub(r"^(\w+)=", lambda m: f"{m.group(1)}=", unit.read_text(encoding="utf-8"), flags=re.M)
    )
    return parser


def values(unit: Path, key: str) -> list[str]:
    """Every value of a key that may repeat (LoadCredential, Environment, SystemCallFilter)."""
    return [
        line.split("=", 1)[1]
        for line in unit.read_text(encoding="utf-8").splitlines()
        if line.startswith(f"{key}=")
    ]


def assert_cli_accepts(args: list[str]) -> None:
    """The real command line parser accepts these arguments (no command, option or value is wrong).
    Nothing runs; a prompt (a password) gets an answer."""
    with CliRunner().isolation(input="a-long-password\n" * 4):
        context = cli.make_context("exemplar", list(args))
        command: click.Command = cli
        while isinstance(command, click.Group):
            rest = _unparsed(context)
            assert rest, f"exemplar {shlex.join(args)}: a command is missing"
            name, sub, rest = command.resolve_command(context, rest)
            assert sub is not None, f"exemplar {shlex.join(args)}: unknown command {name}"
            context = sub.make_context(name or "", rest, parent=context)
            command = sub


def _unparsed(context: click.Context) -> list[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # click 8.2 moves these into args
        return [*context.protected_args, *context.args]


def test_there_is_a_unit_for_run_and_for_serve() -> None:
    assert [unit.name for unit in UNITS] == ["exemplar-run.service", "exemplar-serve.service"]


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.name)
def test_systemd_analyze_verify_accepts_the_unit_without_a_warning(unit: Path, tmp_path: Path) -> None:
    analyze = systemd_analyze()
    result = subprocess.run(
        [analyze, "verify", str(unit_copy(unit, tmp_path))], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr  # an unknown or misspelt key is only a warning


def test_verify_would_catch_a_misspelt_key(tmp_path: Path) -> None:
    analyze = systemd_analyze()
    broken = unit_copy(UNITS[0], tmp_path)
    broken.write_text(
        broken.read_text(encoding="utf-8").replace("ProtectHome=", "ProtectHom="), encoding="utf-8"
    )
    result = subprocess.run([analyze, "verify", str(broken)], capture_output=True, text=True, timeout=60)
    assert "Unknown key" in result.stderr


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.name)
def test_the_units_are_hardened(unit: Path, tmp_path: Path) -> None:
    analyze = systemd_analyze()
    result = subprocess.run(
        [analyze, "security", "--offline=yes", str(unit_copy(unit, tmp_path))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    exposure = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout + result.stderr)
    assert exposure, result.stdout + result.stderr
    assert float(exposure.group(1)) <= 2.0  # systemd rates up to 2.0 "OK"; 10 is fully exposed


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.name)
def test_each_unit_has_a_user_state_secrets_and_a_command_the_cli_accepts(unit: Path) -> None:
    service = parse_unit(unit)["Service"]
    assert service["User"] == "exemplar"
    assert service["Group"] == "exemplar"
    assert service["StateDirectory"] == "exemplar"
    credentials = dict(value.split(":", 1) for value in values(unit, "LoadCredential"))
    assert credentials == {"bot-token": "/etc/exemplar/secrets/bot-token"}
    environment = dict(value.split("=", 1) for value in values(unit, "Environment"))
    assert environment["EXEMPLAR_BOT_TOKEN_FILE"] == "%d/bot-token"
    assert environment["EXEMPLAR_CONFIG"] == "/etc/exemplar/exemplar.toml"
    assert "3" in service["RestartPreventExitStatus"].split()
    command = shlex.split(service["ExecStart"])
    assert command[0] == INSTALLED_AT
    assert_cli_accepts(command[1:])
    sysusers = (DEPLOY / "systemd" / "exemplar.sysusers.conf").read_text(encoding="utf-8")
    assert re.search(r"^u exemplar - ", sysusers, flags=re.M)


def test_the_systemd_config_writes_only_under_the_state_directory(tmp_path: Path) -> None:
    data = tomllib.loads((DEPLOY / "exemplar.systemd.toml").read_text(encoding="utf-8"))
    settings = settings_from_mapping(
        data,
        path=Path("/etc/exemplar/exemplar.toml"),
        environ={"EXEMPLAR_BOT_TOKEN_FILE": str(_token(tmp_path))},
    )
    assert settings.database_url.reveal() == "sqlite:////var/lib/exemplar/exemplar.db"
    assert settings.email is not None
    assert str(settings.email.outbox_dir).startswith("/var/lib/exemplar/")


def _token(tmp_path: Path) -> Path:
    token = tmp_path / "bot-token"
    token.write_text("token", encoding="utf-8")
    return token


def compose() -> dict[str, object]:
    loaded = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_compose_runs_the_app_the_scheduler_and_postgresql() -> None:
    services = compose()["services"]
    assert isinstance(services, dict)
    assert set(services) == {"db", "migrate", "app", "scheduler"}
    assert str(services["db"]["image"]).split("/")[-1].startswith("postgres:")
    for name in ("migrate", "app", "scheduler"):
        service = services[name]
        assert service["build"] == {"context": "..", "dockerfile": "deploy/Containerfile"}
        assert_cli_accepts(service["command"])
        assert set(service["secrets"]) == {"database-url", "bot-token"}
        assert service["environment"]["EXEMPLAR_DATABASE_URL_FILE"] == "/run/secrets/database-url"
    assert services["app"]["command"][0] == "serve"
    assert services["scheduler"]["command"] == ["run"]
    assert services["migrate"]["command"] == ["db", "upgrade"]
    for name in ("app", "scheduler"):
        assert services[name]["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    assert services["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert services["app"]["ports"] == ["127.0.0.1:8000:8000"]  # only the proxy on the host reaches it


def test_every_file_compose_refers_to_is_explained_and_the_config_is_valid(tmp_path: Path) -> None:
    document = compose()
    base = DEPLOY
    assert (base / (document["services"]["app"]["build"]["context"]) / "deploy" / "Containerfile").is_file()
    config = tomllib.loads((DEPLOY / "exemplar.compose.toml").read_text(encoding="utf-8"))
    environ = {"EXEMPLAR_DATABASE_URL": "postgresql://exemplar:pw@db/exemplar", "EXEMPLAR_BOT_TOKEN": "t"}
    settings = settings_from_mapping(config, path=Path("/etc/exemplar/exemplar.toml"), environ=environ)
    assert settings.database_url.reveal().startswith("postgresql")
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    for secret in document["secrets"].values():
        assert secret["file"].removeprefix("./") in text.split("services:")[0], (
            "the header says how to make it"
        )


def containerfile() -> list[tuple[str, str]]:
    text = (DEPLOY / "Containerfile").read_text(encoding="utf-8")
    joined = re.sub(r"\\\n", " ", text)
    instructions = []
    for line in joined.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, _, rest = line.strip().partition(" ")
            instructions.append((keyword, rest.strip()))
    return instructions


def test_the_containerfile_is_well_formed() -> None:
    known = {"FROM", "RUN", "COPY", "ENV", "USER", "WORKDIR", "VOLUME", "EXPOSE", "HEALTHCHECK"}
    known |= {"ENTRYPOINT", "CMD", "ARG", "LABEL"}
    instructions = containerfile()
    assert all(keyword in known for keyword, _ in instructions), instructions
    assert instructions[0][0] == "FROM"
    stages = [rest for keyword, rest in instructions if keyword == "FROM"]
    assert all(re.match(r"docker\.io/library/python:3\.1[1-9]", stage) for stage in stages)
    for keyword, rest in instructions:
        if keyword == "COPY" and not rest.startswith("--from"):
            *sources, _target = rest.split()
            for source in sources:
                assert (ROOT / source).exists(), f"COPY {source}: no such path in the repository"
    final = instructions[max(i for i, (k, _) in enumerate(instructions) if k == "FROM") :]
    users = [rest for keyword, rest in final if keyword == "USER"]
    assert users == ["exemplar"], "the final stage runs as the unprivileged user"
    entrypoint = next(rest for keyword, rest in final if keyword == "ENTRYPOINT")
    command = next(rest for keyword, rest in final if keyword == "CMD")
    assert yaml.safe_load(entrypoint) == ["exemplar"]
    assert_cli_accepts(yaml.safe_load(command))
    healthcheck = next(rest for keyword, rest in final if keyword == "HEALTHCHECK")
    assert "/healthz" in healthcheck
    assert ("EXPOSE", "8000") in final
