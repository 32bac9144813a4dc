"""Starting `exemplar` loads only what the command needs: no ORM, SDK, HTTP or web server for
``--version`` or ``--help``, and a network's SDK only when that network is used."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from mastodon_mock.testing import MockServer

ROOT = Path(__file__).resolve().parent.parent

HEAVY = (
    "sqlalchemy",
    "alembic",
    "mastodon",
    "tweepy",
    "atproto",
    "httpx",
    "starlette",
    "uvicorn",
    "pydantic",
)

PROBE = """
import json, sys
sys.argv = ["exemplar", *json.loads(sys.argv[1])]
from bot.cli import main
try:
    main()
except SystemExit:
    pass
loaded = {{name.split(".")[0] for name, module in sys.modules.items() if module is not None}}
print(json.dumps(sorted(loaded & set({heavy}))), file=sys.stderr)
"""


def loaded_by(*arguments: str) -> list[str]:
    """The heavy top-level packages loaded by running ``exemplar ARGUMENTS`` in a fresh interpreter."""
    answer = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=list(HEAVY)), json.dumps(list(arguments))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    found: list[str] = json.loads(answer.stderr.strip().splitlines()[-1])
    return found


@pytest.mark.parametrize("arguments", [("--version",), ("--help",), ("digest", "--help")])
def test_version_and_help_load_no_orm_sdk_or_http(arguments: tuple[str, ...]) -> None:
    if arguments == ("--version",):
        assert loaded_by(*arguments) == []
    else:
        # --help lists the commands, which imports their modules: still no network SDK
        assert not {"mastodon", "tweepy", "atproto", "starlette", "uvicorn"} & set(loaded_by(*arguments))


def test_version_prints_the_version() -> None:
    answer = subprocess.run(
        [sys.executable, "-c", "from bot.cli import main; main()", "--version"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert answer.stdout.startswith("exemplar, version ")


def test_every_command_is_listed_and_resolves() -> None:
    from click.testing import CliRunner

    from bot.cli import cli
    from bot.cli.root import COMMAND_MODULES

    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMAND_MODULES:
        assert f"  {name} " in result.output
        assert cli.get_command(None, name) is not None  # type: ignore[arg-type]


def test_the_registry_loads_a_networks_sdk_only_when_that_network_is_used() -> None:
    probe = (
        "import sys, json\n"
        "from bot.networks.registry import NETWORKS, network_named\n"
        "before = sorted({m.split('.')[0] for m in sys.modules} & {'mastodon', 'tweepy', 'atproto'})\n"
        "from digests.render.measure import X_MEASURE\n"
        "assert network_named('x').preview_measure(None) is X_MEASURE\n"
        "import bot.networks.x.source\n"
        "after = sorted({m.split('.')[0] for m in sys.modules} & {'mastodon', 'tweepy', 'atproto'})\n"
        "print(json.dumps([before, after]))\n"
    )
    answer = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    before, after = json.loads(answer.stdout)
    assert before == []
    assert "tweepy" in after
    assert "atproto" not in after


def test_the_command_map_names_every_command_the_modules_register() -> None:
    """A command added to a module but not to COMMAND_MODULES would be missing from `exemplar`."""
    probe = (
        "import importlib, json, pkgutil, bot.cli\n"
        "from bot.cli.root import cli, _load_command_module\n"
        "for info in pkgutil.iter_modules(bot.cli.__path__):\n"
        "    _load_command_module(f'bot.cli.{info.name}')\n"
        "print(json.dumps(sorted(cli.commands)))\n"
    )
    answer = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    from bot.cli.root import COMMAND_MODULES

    assert json.loads(answer.stdout) == sorted(COMMAND_MODULES)


def test_a_command_on_an_up_to_date_database_reads_no_migration_script(tmp_path: Path) -> None:
    """The schema check compares the version row with storage.db.HEAD_REVISION: alembic, which reads
    every migration script, loads only when a schema is created or upgraded."""
    config = tmp_path / "exemplar.toml"
    config.write_text(
        f'hashtags = ["fliplead"]\n[database]\nurl = "sqlite:///{tmp_path / "exemplar.db"}"\n',
        encoding="utf-8",
    )
    assert "alembic" in loaded_by("--config", str(config), "db", "upgrade")
    assert "alembic" not in loaded_by("--config", str(config), "posts")


MODULES_PROBE = """
import json, sys
sys.argv = ["exemplar", *json.loads(sys.argv[1])]
from bot.cli import main
try:
    main()
except SystemExit as exit:
    loaded = sorted(name for name, module in sys.modules.items() if module is not None)
    print(json.dumps(loaded), file=sys.stderr)
    raise
"""

# What a collection from Mastodon alone never needs: the other networks' SDKs, Mastodon.py (kept for
# publishing), the web server and its templates, the sanitiser, migrations, the other database's
# dialect (checked below), and httpx's command-line tool.
NOT_FOR_A_MASTODON_COLLECT = (
    "atproto",
    "tweepy",
    "mastodon",
    "jinja2",
    "starlette",
    "uvicorn",
    "nh3",
    "alembic",
    "psycopg",
    "pygments",
    "rich",
    "multiprocessing",
)


def test_a_collect_from_mastodon_alone_loads_only_what_it_uses(tmp_path: Path, instance: MockServer) -> None:
    instance.client("maria").status_post("Flipped our Monday lesson #fliplead")
    config = tmp_path / "exemplar.toml"
    config.write_text(
        f'hashtags = ["fliplead"]\n[database]\nurl = "sqlite:///{tmp_path / "exemplar.db"}"\n'
        f'[[mastodon]]\nbase_url = "{instance.base_url}"\nname = "school"\n',
        encoding="utf-8",
    )
    subprocess.run(
        [sys.executable, "-c", "from bot.cli import main; main()", "--config", str(config), "db", "upgrade"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=120,
    )
    for run in ("stores the new post", "finds nothing new"):
        answer = subprocess.run(
            [sys.executable, "-c", MODULES_PROBE, json.dumps(["--config", str(config), "collect"])],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert answer.returncode == 0, answer.stderr
        assert ("new 1," if run == "stores the new post" else "new 0,") in answer.stdout
        loaded = set(json.loads(answer.stderr.strip().splitlines()[-1]))
        assert {"sqlalchemy", "httpx", "pydantic"} <= loaded  # the probe sees what the command loads
        unneeded = {name for name in loaded if name.split(".")[0] in NOT_FOR_A_MASTODON_COLLECT}
        unneeded |= {name for name in loaded if name.startswith("sqlalchemy.dialects.postgresql")}
        assert unneeded == set(), run


def test_loading_a_command_sets_its_modules_aside_from_garbage_collection_and_turns_it_back_on() -> None:
    probe = (
        "import gc, json\n"
        "from bot.cli.root import _load_command_module\n"
        "before = gc.get_freeze_count()\n"
        "_load_command_module('bot.cli.collection')\n"
        "print(json.dumps([gc.isenabled(), before, gc.get_freeze_count()]))\n"
    )
    answer = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    enabled, before, after = json.loads(answer.stdout)
    assert enabled
    assert after > before
