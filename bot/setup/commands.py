"""Click wiring for ``init``, ``check``, ``status`` and ``db backup``/``db restore``: parse, call one
function, print. The CLI adds these to its groups, handing over how to find and open the app."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from bot.errors import ExemplarError
from bot.runtime import App

ConfigPath = Callable[[], Path | None]
OpenApp = Callable[..., App]


class _ClickPrompter:
    def ask(self, question: str, default: str | None = None) -> str:
        return str(click.prompt(question, default=default, show_default=bool(default)))

    def secret(self, question: str) -> str:
        return str(click.prompt(question, hide_input=True))

    def confirm(self, question: str, default: bool) -> bool:
        return click.confirm(question, default=default)

    def say(self, line: str) -> None:
        click.echo(line)


def init_command() -> click.Command:
    @click.command("init")
    @click.option("--example", is_flag=True, help="Print the example config, every key explained, and exit.")
    @click.option(
        "--output",
        "-o",
        type=click.Path(path_type=Path, dir_okay=False),
        default=Path("exemplar.toml"),
        show_default=True,
        help="Where to write the config (secrets go to a secrets/ folder beside it).",
    )
    @click.option("--force", is_flag=True, help="Replace an existing config file.")
    @click.option(
        "--no-input", is_flag=True, help="Never prompt (for scripts): take every answer from flags."
    )
    @click.option("--hashtag", "hashtags", multiple=True, help="A hashtag to collect (repeat for more).")
    @click.option("--instance", help="The Mastodon instance to collect from and publish on.")
    @click.option("--curator", help="Who runs the bot: an email address or @handle@instance.")
    @click.option(
        "--publish/--no-publish", default=None, help="Post digests from a bot account (default: yes)."
    )
    @click.option(
        "--token-file",
        type=click.Path(path_type=Path, dir_okay=False, exists=True),
        help="Use the bot token in this file instead of authorizing now.",
    )
    @click.option("--auth-code", help="The code the authorization page showed (second step with --no-input).")
    @click.option(
        "--set-profile/--keep-profile",
        default=None,
        help="Mark the account as a bot and set its note, if it does not say so already.",
    )
    @click.option("--email-from", help="Sender of digest and health emails (none: no emails).")
    @click.option("--recipient", "recipients", multiple=True, help="A leader who receives digests (repeat).")
    @click.option("--smtp-host", help="SMTP server (none: emails are written to the outbox folder).")
    @click.option("--smtp-port", type=click.IntRange(1, 65535), help="SMTP port (default 587).")
    @click.option(
        "--smtp-user-file",
        type=click.Path(path_type=Path, dir_okay=False),
        help="File holding the SMTP user.",
    )
    @click.option(
        "--smtp-password-file",
        type=click.Path(path_type=Path, dir_okay=False),
        help="File holding the SMTP password.",
    )
    @click.option(
        "--public-url", help="Where `exemplar serve` is reachable, e.g. https://digest.example.org."
    )
    @click.option("--database-url", help="SQLAlchemy URL (default: sqlite:///exemplar.db beside the config).")
    @click.option("--timezone", help="IANA time zone of the digest week (default UTC).")
    def init(example: bool, no_input: bool, **given: Any) -> None:
        """Write a commented config, get the bot's token from the instance and check its profile."""
        from bot.setup.example import example_config
        from bot.setup.init import InitOptions, continue_command, run_init

        if example:
            click.echo(example_config(), nl=False)
            return
        options = InitOptions(interactive=not no_input, **given)
        result = run_init(options, _ClickPrompter())
        if result.waiting_for_code:
            click.echo("Open this address in a browser, log in as the bot account and approve Exemplar:")
            click.echo(f"  {result.waiting_for_code}")
            click.echo(f"Then run: {continue_command(sys.argv[1:])}")
            return
        click.echo(f"Wrote {result.config_path}")
        if result.token_file:
            click.echo(f"The bot's token is in {result.token_file} (readable by you only).")
        for problem in result.profile_problems:
            click.echo(f"Still to fix on the bot's profile: {problem}")
        click.echo(f"Next: exemplar --config {result.config_path} check")

    return init


def status_command(open_app: OpenApp) -> click.Command:
    @click.command("status")
    @click.option("--send", is_flag=True, help="Also email this report to the curators now.")
    def status(send: bool) -> None:
        """This week's health figures: posts per network and hashtag, runs, failures, what needs a person."""
        from bot.health.notify import send_weekly_report
        from bot.health.report import gather, render_text
        from bot.jobs.publish import email_transport
        from bot.runtime import utc_now
        from storage.db import session_scope

        app = open_app()
        now = utc_now()
        with session_scope(app.engine) as session:
            click.echo(render_text(gather(session, app.settings, now)), nl=False)
        if send:
            notice = send_weekly_report(
                app.engine, app.settings, email_transport(app.settings.email), now, force=True
            )
            if notice.skipped:
                raise ExemplarError(f"not sent: {notice.skipped}")
            click.echo(f"\nsent to {', '.join(notice.sent_to)}")
            if notice.failed:
                raise ExemplarError(f"could not send to {', '.join(notice.failed)}")

    return status


def backup_command(open_app: OpenApp) -> click.Command:
    @click.command("backup")
    @click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
    @click.option("--force", is_flag=True, help="Replace PATH if it exists.")
    def backup(path: Path, force: bool) -> None:
        """Copy the SQLite database to PATH while Exemplar keeps running (PostgreSQL: use pg_dump)."""
        from storage.backup import backup as backup_database

        app = open_app(check_schema=False)
        info = backup_database(app.settings.database_url.reveal(), path, overwrite=force)
        click.echo(
            f"backed up to {info.path}: {info.posts} posts, schema {info.revision}, {info.size // 1024} KiB"
        )

    return backup


def restore_command(open_app: OpenApp) -> click.Command:
    @click.command("restore")
    @click.argument("path", type=click.Path(path_type=Path, dir_okay=False, exists=True))
    @click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
    def restore(path: Path, yes: bool) -> None:
        """Replace the SQLite database with a backup made by `db backup` (stop run and serve first)."""
        from bot.runtime import utc_now
        from storage.backup import restore as restore_database
        from storage.backup import sqlite_path, verify

        app = open_app(check_schema=False)
        target = sqlite_path(app.settings.database_url.reveal())
        found = verify(path)
        if not yes and not click.confirm(
            f"Replace {target} with {path} ({found.posts} posts, schema {found.revision})?", default=False
        ):
            raise ExemplarError("nothing restored")
        app.engine.dispose()
        info = restore_database(app.settings.database_url.reveal(), path, utc_now())
        click.echo(f"restored {info.path} from {path}: {info.posts} posts, schema {info.revision}")

    return restore


def check_command(config_path: ConfigPath) -> click.Command:
    @click.command("check")
    def check() -> None:
        """Check the installation: config, database, sources, publish accounts, health email, SMTP, URL."""
        from bot.setup.check import run_checks

        if not run_checks(config_path(), lambda result: click.echo(result.line())):
            sys.exit(1)

    return check
