"""``exemplar demo``: the whole cycle on this machine, with nothing to set up.

It starts a local Mastodon-compatible server (mastodon_mock), seeds it through the API with realistic
``#fliplead`` posts (a private post, an account that opted out, a question with answers) and a bot
account, writes a config that points at it, then runs the commands a curator would: collect, draft
the week's digest, approve it, publish it (a thread on the local server, emails in the outbox).
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any

import click

from bot.cli.root import EXIT_FAILED, _Options, cli
from bot.errors import ExemplarError
from bot.runtime import opened_app
from bot.setup.secret_files import write_private_file
from storage import digests as digest_repo
from storage.db import session_scope

DEMO_DOMAIN = "fliplead.demo"
BOT_TOKEN_ENV = "EXEMPLAR_DEMO_BOT_TOKEN"
BOT_ACCOUNT = "exemplar"
BOT_TOKEN_FILE = "bot-token"


@dataclass(frozen=True, slots=True)
class DemoInstance:
    """The running demo server and where its config was written."""

    base_url: str
    config_path: Path
    server: Any


def demo_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((files("bot") / "data" / "demo_posts.json").read_text(encoding="utf-8"))
    return data


def _token(username: str) -> str:
    return f"demo-{username}"  # tokens of a throwaway local server, not credentials


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
            SeedAccount(
                username=a["username"],
                display_name=a["display_name"],
                note=a["note"],
                bot=a.get("bot", False),
                access_token=_token(a["username"]),
            )
            for a in data["accounts"]
        ]
    )
    config = MastodonMockConfig(domain=DEMO_DOMAIN, database=DatabaseConfig(path=":memory:"), seed=seed)
    server = MockServer(config=config).start()
    try:
        posted: list[Any] = []
        for post in data["posts"]:
            reply_to = posted[post["reply_to"]].id if "reply_to" in post else None
            posted.append(
                server.client(post["account"]).status_post(
                    post["text"], visibility=post.get("visibility", "public"), in_reply_to_id=reply_to
                )
            )
        directory.mkdir(parents=True, exist_ok=True)
        write_private_file(directory / BOT_TOKEN_FILE, _token(BOT_ACCOUNT))
        config_path = directory / "exemplar.toml"
        config_path.write_text(demo_config(server.base_url, data["leaders"]), encoding="utf-8")
        yield DemoInstance(base_url=server.base_url, config_path=config_path, server=server)
    finally:
        server.stop()


def demo_config(base_url: str, leaders: list[str]) -> str:
    recipients = ", ".join(f'"{leader}"' for leader in leaders)
    return (
        "# Written by `exemplar demo` for a throwaway local server.\n"
        'hashtags = ["fliplead"]\n\n'
        "[database]\n"
        'url = "sqlite:///exemplar.db"\n\n'
        "[[mastodon]]\n"
        f'base_url = "{base_url}"\n'
        'name = "local demo instance"\n\n'
        "[publish.mastodon]\n"
        f'base_url = "{base_url}"\n'
        f'access_token_env = "{BOT_TOKEN_ENV}"\n\n'
        "[email]\n"
        'from = "digest@fliplead.demo"\n'
        f"recipients = [{recipients}]\n"
        'outbox_dir = "outbox"\n\n'
        "# The bot's token is read from this file (beside this config), never written in the config.\n"
        "[secret_files]\n"
        f'{BOT_TOKEN_ENV} = "{BOT_TOKEN_FILE}"\n'
    )


def reset(directory: Path) -> None:
    """Remove an earlier demo's database and outbox so each demo starts from nothing."""
    for suffix in ("", "-wal", "-shm"):
        (directory / f"exemplar.db{suffix}").unlink(missing_ok=True)
    outbox = directory / "outbox"
    if outbox.is_dir():
        for message in outbox.glob("*.eml"):
            message.unlink()


def run_demo(
    directory: Path,
    echo: Callable[[str], None],
    run_command: Callable[[Path, list[str]], int],
    latest_digest: Callable[[Path], int | None],
    program: str = "exemplar",
) -> int:
    """The whole cycle; returns the first failing command's exit code, or 0.

    ``program`` is how the closing suggestions name the command (``.venv/bin/exemplar`` under
    ``make demo``), so that each can be pasted as printed.
    """
    reset(directory)
    drafted: list[int] = []
    with demo_instance(directory) as demo:
        code = _cycle(
            demo, directory, echo, run_command, lambda path: _remember(latest_digest(path), drafted)
        )
    if code == 0:
        for line in next_steps(program, demo.config_path, drafted[-1] if drafted else None):
            echo(line)
    return code


def _remember(digest_id: int | None, drafted: list[int]) -> int | None:
    if digest_id is not None:
        drafted.append(digest_id)
    return digest_id


def program_name(argv0: str, on_path: str | None) -> str:
    """How to name the command so a printed line runs as pasted: ``exemplar`` when that is what
    ``$PATH`` finds, else the path it was started by (e.g. ``.venv/bin/exemplar``)."""
    if Path(argv0).name != "exemplar":
        return "exemplar"
    if on_path and Path(on_path).resolve() == Path(argv0).resolve():
        return "exemplar"
    return argv0


def next_steps(program: str, config_path: Path, digest_id: int | None) -> list[str]:
    """What to try once the demo has run: each command works on the demo's config as printed."""
    run = f"{shlex.quote(program)} --config {shlex.quote(str(config_path))}"
    steps = []
    if digest_id is not None:
        steps.append((f"digest show {digest_id} --format email", "the digest email"))
    steps += [
        ("posts --label tool", "the stored posts, with the reasons for their labels"),
        ("status", "this week's figures, as curators get them by email"),
        ("curator add you@example.org", "a login for the desk (asks for a password)"),
        ("serve", "then open http://127.0.0.1:8000/ (the archive) and http://127.0.0.1:8000/desk"),
    ]
    width = max(len(command) for command, _ in steps)
    lines = ["", "Try next (the demo server has stopped; these use what the demo stored):"]
    lines += [f"  {run} {command:<{width}}  # {why}" for command, why in steps]
    return lines


def _cycle(
    demo: DemoInstance,
    directory: Path,
    echo: Callable[[str], None],
    run_command: Callable[[Path, list[str]], int],
    latest_digest: Callable[[Path], int | None],
) -> int:
    echo(f"Started a local Mastodon-compatible server at {demo.base_url}, seeded with #fliplead posts.")
    echo(f"Wrote {demo.config_path}")

    def step(title: str, args: list[str]) -> int:
        echo(f"\n$ exemplar {' '.join(args)}    # {title}")
        return run_command(demo.config_path, args)

    if code := step("collect the hashtag", ["collect"]):
        return code
    step("what was kept, with labels and reasons", ["posts", "--limit", "6"])
    start = (datetime.now(UTC) - timedelta(days=6)).strftime("%Y-%m-%d")
    if code := step(
        "draft this week's digest", ["digest", "draft", "--start", start, "--by", "demo-curator"]
    ):
        return code
    digest_id = latest_digest(demo.config_path)
    if digest_id is None:
        echo("no digest was drafted")
        return 1
    step("what the thread will look like", ["digest", "show", str(digest_id), "--format", "thread"])
    if code := step("a curator approves it", ["digest", "approve", str(digest_id), "--by", "demo-curator"]):
        return code
    if code := step(
        "publish: thread, then emails", ["digest", "publish", str(digest_id), "--by", "demo-curator"]
    ):
        return code
    outbox = sorted((directory / "outbox").glob("*.eml"))
    echo(f"\nEmails written to {directory / 'outbox'}: {', '.join(p.name for p in outbox) or 'none'}")
    echo("The private post and the account whose profile says #nobot were left out; nobody was @-mentioned.")
    return 0


@cli.command()
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("exemplar-demo"),
    show_default=True,
    help="Where the demo writes its config and database.",
)
@click.pass_context
def demo(ctx: click.Context, directory: Path) -> None:
    """The whole cycle against a local demo server: collect, draft, approve, publish, email."""

    def run_command(config: Path, args: list[str]) -> int:
        options: _Options = ctx.obj
        try:
            flags = ["-v"] * options.verbose + (["-q"] if options.quiet else [])
            cli.main(["--config", str(config), *flags, *args], standalone_mode=False)
        except SystemExit as exit_:
            return int(exit_.code or 0)
        except ExemplarError as error:
            click.echo(f"exemplar: {error}", err=True)
            return EXIT_FAILED
        return 0

    def latest_digest(config: Path) -> int | None:
        with opened_app(config) as app, session_scope(app.engine) as session:
            found = digest_repo.list_digests(session, statuses=("draft",), limit=1)
            return found[0].id if found else None

    import shutil

    program = program_name(sys.argv[0], shutil.which("exemplar"))
    sys.exit(run_demo(directory, click.echo, run_command, latest_digest, program))
