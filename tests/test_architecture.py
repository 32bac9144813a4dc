"""The rooms keep their rules (see ARCHITECTURE.md): pure modules import no I/O, no ORM, no network SDK.

Each pure module is imported in a fresh interpreter and what it pulled into ``sys.modules`` is
inspected, so an import anywhere down the chain counts, not only the module's own import lines.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Pure by design: they take data and return data.
PURE_PACKAGES = ("bot/classify", "digests/render")
PURE_FILES = (
    "digests/select.py",
    "digests/model.py",
    "digests/period.py",
    "bot/posts.py",
    "bot/consent/rules.py",
    "bot/consent/screen.py",
    "bot/networks/payload.py",
    "bot/networks/mastodon/normalise.py",
    "bot/networks/x/normalise.py",
    "bot/networks/x/tags_csv.py",
    "bot/networks/bluesky/normalise.py",
)

# What a pure module must never load, directly or through another module.
FORBIDDEN = (
    # the ORM, the database and our storage layer
    "sqlalchemy",
    "alembic",
    "psycopg",
    "sqlite3",
    "storage",
    # network SDKs and HTTP
    "mastodon",
    "tweepy",
    "atproto",
    "atproto_client",
    "httpx",
    "requests",
    "urllib3",
    "http.client",
    "urllib.request",
    "smtplib",  # (not socket: the standard library's email.utils imports it for make_msgid)
    # the web server, the scheduler, and our own I/O rooms
    "starlette",
    "uvicorn",
    "apscheduler",
    "bot.jobs",
    "bot.web",
    "bot.cli",
    "bot.schedule",
    "bot.runtime",
    "bot.links",
    "digests.publish",
    "digests.mail",
)

PROBE = """
import importlib, json, sys
forbidden = tuple(sys.argv[2].split(","))
found = {}
for name in sys.argv[1].split(","):
    before = set(sys.modules)
    importlib.import_module(name)
    loaded = {m for m, module in sys.modules.items() if module is not None} - before  # None: marked absent
    bad = sorted(m for m in loaded if any(m == f or m.startswith(f + ".") for f in forbidden))
    if bad:
        found[name] = bad
print(json.dumps(found))
"""


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def pure_modules() -> list[str]:
    paths = [ROOT / name for name in PURE_FILES]
    for package in PURE_PACKAGES:
        paths += sorted((ROOT / package).rglob("*.py"))
    return sorted({module_name(path) for path in paths})


def forbidden_imports(modules: list[str]) -> dict[str, list[str]]:
    """Each module that loaded something forbidden, and what (modules are imported in order, so a
    forbidden module is reported against the first one that brought it in)."""
    answer = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(modules), ",".join(FORBIDDEN)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    found: dict[str, list[str]] = json.loads(answer.stdout)
    return found


def test_every_listed_pure_module_exists() -> None:
    for name in PURE_FILES:
        assert (ROOT / name).is_file(), f"{name} is listed as pure but does not exist: update this test"
    for package in PURE_PACKAGES:
        assert list((ROOT / package).glob("*.py")), f"{package} has no modules"


def test_pure_modules_import_no_io_orm_or_network_sdk() -> None:
    modules = pure_modules()
    assert len(modules) >= 20
    offenders = forbidden_imports(modules)
    assert offenders == {}, "pure modules pulled in I/O: " + "; ".join(
        f"{module} loads {', '.join(bad)}" for module, bad in offenders.items()
    )


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("bot.jobs.store", "sqlalchemy"),  # stores posts through the ORM
        ("bot.networks.x.client", "tweepy"),
        ("bot.networks.bluesky.client", "httpx"),
        ("storage.repository", "storage"),
    ],
)
def test_the_check_sees_io_down_the_import_chain(module: str, expected: str) -> None:
    """The probe itself: modules that do I/O are caught, including what they import indirectly."""
    bad = forbidden_imports([module]).get(module, [])
    assert any(name == expected or name.startswith(expected + ".") for name in bad)


NETWORK_NAMES = ("mastodon", "x", "bluesky")
EDGES = ("bot.cli", "bot.web", "bot.schedule")


def our_imports() -> dict[str, set[str]]:
    """Each of our modules and the modules of ours it imports (``from a import b`` counts ``a`` and
    ``a.b``, since ``b`` may be a module)."""
    graph: dict[str, set[str]] = {}
    for package in ("bot", "storage", "digests"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            imported: set[str] = set()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    imported |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
                elif isinstance(node, ast.Import):
                    imported |= {alias.name for alias in node.names}
            graph[module_name(path)] = {
                name for name in imported if name.split(".")[0] in ("bot", "storage", "digests")
            }
    return graph


def within(name: str, *rooms: str) -> bool:
    return any(name == room or name.startswith(room + ".") for room in rooms)


def broken_rules(graph: dict[str, set[str]]) -> list[str]:
    """The imports that cross a line ARCHITECTURE.md draws."""
    broken = []
    for module, imported in graph.items():
        for name in imported:
            rule = None
            if (
                within(module, "storage")
                and within(name, "bot")
                and not within(name, "bot.posts", "bot.errors")
            ):
                rule = "storage uses only the Post type and errors of bot/"
            elif within(module, "digests") and within(name, "bot"):
                if not within(name, "bot.posts", "bot.errors", "bot.secrets"):
                    rule = "digests/ uses only bot's foundation"
            elif within(module, "bot.networks") and within(name, "bot.jobs", "bot.runtime", *EDGES):
                rule = "networks are below the jobs and the edges"
            elif within(module, "bot.jobs", "bot.consent", "bot.classify") and within(name, *EDGES):
                rule = "the core never imports an edge"
            elif within(module, *EDGES) and within(name, *EDGES):
                own = next(edge for edge in EDGES if within(module, edge))
                if not within(name, own) and not (own == "bot.cli" and within(name, "bot.schedule")):
                    rule = "an edge imports no other edge (except `exemplar run` starting the scheduler)"
            if within(module, "bot.networks") and rule is None:
                parts = module.split(".")
                if len(parts) == 3 and module != "bot.networks.registry" and parts[2] not in NETWORK_NAMES:
                    if within(name, *(f"bot.networks.{network}" for network in NETWORK_NAMES)):
                        rule = "shared network modules import no particular network (only the registry does)"
                elif len(parts) >= 3 and parts[2] in NETWORK_NAMES:
                    others = [f"bot.networks.{n}" for n in NETWORK_NAMES if n != parts[2]]
                    if within(name, *others):
                        rule = "a network's folder imports no other network"
            if rule:
                broken.append(f"{module} imports {name}: {rule}")
    return sorted(broken)


def test_rooms_import_only_what_architecture_md_allows() -> None:
    assert broken_rules(our_imports()) == []


def test_the_import_rules_catch_a_crossing() -> None:
    crossing = {
        "storage.repository": {"bot.jobs.store"},
        "bot.networks.x.source": {"bot.networks.mastodon.client"},
        "bot.networks.source": {"bot.networks.bluesky.client"},
        "bot.web.desk": {"bot.cli.digest"},
        "bot.jobs.publish": {"bot.schedule.jobs"},
    }
    assert len(broken_rules(crossing)) == 5


def test_every_network_has_a_thread_preview() -> None:
    from bot.cli.digest import THREAD_FORMATS
    from bot.networks.registry import NETWORKS

    assert sorted(THREAD_FORMATS.values()) == sorted(network.name for network in NETWORKS)


def test_starting_the_command_loads_no_network_sdk_it_does_not_need() -> None:
    """`exemplar --help` stays quick: X's and Bluesky's SDKs load only when a command uses them."""
    probe = "import sys, bot.cli; print(','.join(m for m in ('atproto', 'tweepy') if m in sys.modules))"
    answer = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert answer.stdout.strip() == ""
