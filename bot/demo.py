"""``exemplar demo``: the whole pipeline on this machine, with nothing to set up.

It starts a local Mastodon-compatible server (mastodon_mock), seeds it through the API with realistic
``#fliplead`` posts (including a private post and an account that opted out), writes a config that
points at it, collects, and lists what was kept.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from bot.errors import ExemplarError

DEMO_DOMAIN = "fliplead.demo"


@dataclass(frozen=True, slots=True)
class DemoInstance:
    """The running demo server and where its config was written."""

    base_url: str
    config_path: Path


def demo_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((files("bot") / "data" / "demo_posts.json").read_text(encoding="utf-8"))
    return data


@contextmanager
def demo_instance(directory: Path) -> Iterator[DemoInstance]:
    """Start a seeded demo server and write ``directory/exemplar.toml`` for it; stop it on exit."""
    try:
        from mastodon_mock.config import DatabaseConfig, MastodonMockConfig, SeedAccount, SeedConfig
        from mastodon_mock.testing import MockServer
    except ImportError as error:
        raise ExemplarError(
            "the demo needs a local Mastodon-compatible server: "
            "pip install 'exemplar[demo]' (or run make demo)"
        ) from error

    data = demo_data()
    seed = SeedConfig(
        accounts=[
            # Demo-only tokens for a throwaway local server, not credentials.
            SeedAccount(
                username=a["username"],
                display_name=a["display_name"],
                note=a["note"],
                access_token=f"demo-{a['username']}",
            )
            for a in data["accounts"]
        ]
    )
    config = MastodonMockConfig(domain=DEMO_DOMAIN, database=DatabaseConfig(path=":memory:"), seed=seed)
    server = MockServer(config=config).start()
    try:
        for post in data["posts"]:
            server.client(post["account"]).status_post(
                post["text"], visibility=post.get("visibility", "public")
            )
        directory.mkdir(parents=True, exist_ok=True)
        config_path = directory / "exemplar.toml"
        config_path.write_text(demo_config(server.base_url), encoding="utf-8")
        yield DemoInstance(base_url=server.base_url, config_path=config_path)
    finally:
        server.stop()


def demo_config(base_url: str) -> str:
    return (
        "# Written by `exemplar demo` for a throwaway local server.\n"
        'hashtags = ["fliplead"]\n\n'
        "[database]\n"
        'url = "sqlite:///exemplar.db"\n\n'
        "[[mastodon]]\n"
        f'base_url = "{base_url}"\n'
        'name = "local demo instance"\n'
    )


def reset_database(directory: Path) -> None:
    """Remove an earlier demo's database so each demo starts from nothing."""
    for suffix in ("", "-wal", "-shm"):
        (directory / f"exemplar.db{suffix}").unlink(missing_ok=True)


def run_demo(
    directory: Path, echo: Callable[[str], None], run_command: Callable[[Path, list[str]], int]
) -> int:
    """Seed, collect and list; returns the collect command's exit code."""
    reset_database(directory)
    with demo_instance(directory) as demo:
        echo(f"Started a local Mastodon-compatible server at {demo.base_url}, seeded with #fliplead posts.")
        echo(f"Wrote {demo.config_path}\n")
        echo("$ exemplar collect")
        code = run_command(demo.config_path, ["collect"])
        echo("\n$ exemplar posts")
        run_command(demo.config_path, ["posts"])
    echo(
        "\nThe private post and the account whose profile says #nobot were left out.\n"
        f"Explore the result: exemplar --config {demo.config_path} posts --json"
    )
    return code
