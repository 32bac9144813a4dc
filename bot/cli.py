"""The ``exemplar`` command. Each command parses its options, calls one function, prints the result.

Exit codes: 0 success; 1 a source or an operation failed; 2 bad usage or configuration;
3 the database schema needs ``exemplar db upgrade``.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from bot import __version__
from bot.app import App, configure_logging, open_app, utc_now
from bot.errors import ConfigError, ExemplarError
from storage import repository as repo
from storage.db import SchemaError, schema_status, session_scope, upgrade_schema

EXIT_FAILED = 1
EXIT_CONFIG = 2
EXIT_SCHEMA = 3


class _ExemplarGroup(click.Group):
    """Turns our errors into one line on stderr and an exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as error:
            _fail(f"configuration error: {error}", EXIT_CONFIG)
        except SchemaError as error:
            _fail(str(error), EXIT_SCHEMA)
        except ExemplarError as error:
            _fail(str(error), EXIT_FAILED)


def _fail(message: str, code: int) -> None:
    click.echo(f"exemplar: {message}", err=True)
    sys.exit(code)


class _Options:
    def __init__(self, config: Path | None, verbose: int, quiet: bool) -> None:
        self.config = config
        self.verbose = verbose
        self.quiet = quiet

    def open(self, *, check_schema: bool = True) -> App:
        app = open_app(self.config, check_schema=check_schema)
        click.get_current_context().call_on_close(app.engine.dispose)
        level = app.settings.log_level
        if self.verbose:
            level = "debug" if self.verbose > 1 else "info"
        elif self.quiet:
            level = "error"
        configure_logging(level)
        return app


pass_options = click.make_pass_decorator(_Options)


@click.group(cls=_ExemplarGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Config file (default: $EXEMPLAR_CONFIG, ./exemplar.toml, then the user config directory).",
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors in the log output.")
@click.version_option(__version__, prog_name="exemplar")
@click.pass_context
def cli(ctx: click.Context, config: Path | None, verbose: int, quiet: bool) -> None:
    """Exemplar keeps the best of a hashtag: it collects posts, classifies them and builds digests."""
    ctx.obj = _Options(config, verbose, quiet)


@cli.command()
@click.option(
    "--backfill",
    "backfill_days",
    type=click.FloatRange(min=0),
    metavar="DAYS",
    help="Also walk history back this many days (resumes where an earlier backfill stopped).",
)
@click.option(
    "--refresh/--no-refresh",
    default=None,
    help="Re-read recent posts for counts, edits and deletions (default: every refresh_every_minutes).",
)
@pass_options
def collect(options: _Options, backfill_days: float | None, refresh: bool | None) -> None:
    """Collect new posts from every configured source, once, and print a summary per source."""
    from bot.jobs.collect import CollectOptions, collector_for
    from bot.progress import progress_for

    app = options.open()
    if not app.settings.mastodon:
        raise ConfigError("no sources are configured; add a [[mastodon]] section with a base_url")
    progress = progress_for()
    collector = collector_for(app.settings, app.engine, utc_now, progress=progress)
    try:
        summaries = collector.collect(app.settings.mastodon, CollectOptions(backfill_days, refresh))
    finally:
        progress.finish()
    for summary in summaries:
        click.echo(summary.describe())
    if not all(summary.ok for summary in summaries):
        sys.exit(EXIT_FAILED)


@cli.command()
@click.option("--tag", help="Only posts carrying this hashtag.")
@click.option("--since", help="Only posts since this date (YYYY-MM-DD, an ISO time, or e.g. 7d, 12h).")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many posts (default: all).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@pass_options
def posts(options: _Options, tag: str | None, since: str | None, limit: int | None, as_json: bool) -> None:
    """List stored posts, newest first."""
    from bot.present import post_block, post_record

    app = options.open()
    query = repo.PostQuery(tag=tag, since=parse_since(since) if since else None, limit=limit)
    with session_scope(app.engine) as session:
        batch: list[Any] = []
        for row in repo.iter_posts(session, query):
            batch.append(row)
            if len(batch) == 500:
                _print_posts(session, batch, as_json, post_record, post_block)
                batch = []
        _print_posts(session, batch, as_json, post_record, post_block)


def _print_posts(session: Any, rows: list[Any], as_json: bool, record: Any, block: Any) -> None:
    if not rows:
        return
    if as_json:
        seen = repo.sightings_of(session, [row.id for row in rows])
        for row in rows:
            click.echo(json.dumps(record(row, seen.get(row.id)), ensure_ascii=False))
    else:
        for row in rows:
            click.echo(block(row))


def parse_since(value: str, now: datetime | None = None) -> datetime:
    """``2026-11-01``, ``2026-11-01T08:00:00+01:00``, or a duration back from now: ``7d``, ``12h``."""
    relative = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([dhw])\s*", value)
    if relative:
        amount = float(relative.group(1))
        unit = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}[relative.group(2)]
        return (now or utc_now()) - amount * unit
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date; use YYYY-MM-DD, an ISO time, or a duration like 7d",
            param_hint="--since",
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


@cli.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["mastodon"]),
    required=True,
    help="mastodon: Mastodon API Status objects, as a JSON array or one per line.",
)
@pass_options
def import_(options: _Options, file: Path, fmt: str) -> None:
    """Store posts from a saved file, through the same checks as collection."""
    from bot.imports import import_file

    app = options.open()
    summary = import_file(app.engine, file, hashtags=app.settings.hashtags, clock=utc_now, fmt=fmt)
    click.echo(summary.describe())


@cli.group()
def db() -> None:
    """Database schema: status and upgrades."""


@db.command()
@pass_options
def upgrade(options: _Options) -> None:
    """Apply every pending migration to the configured database."""
    app = options.open(check_schema=False)
    before = schema_status(app.engine)
    after = upgrade_schema(app.engine)
    if before.current == after.current:
        click.echo(f"database is up to date (revision {after.current})")
    else:
        click.echo(f"database upgraded from {before.current or 'empty'} to {after.current}")


@db.command()
@pass_options
def status(options: _Options) -> None:
    """Show the schema revision and how many posts are stored."""
    app = options.open(check_schema=False)
    state = schema_status(app.engine)
    click.echo(f"schema: {state.current or 'none'} (this version needs {state.head})")
    if state.up_to_date:
        with session_scope(app.engine) as session:
            click.echo(f"posts: {repo.count_posts(session)}")
    else:
        click.echo("run `exemplar db upgrade` to bring the schema up to date")


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
    """Run the whole pipeline against a local demo server seeded with #fliplead posts."""
    from bot.demo import run_demo

    def run_command(config: Path, args: list[str]) -> int:
        options: _Options = ctx.obj
        try:
            cli.main(["--config", str(config), *(["-v"] * options.verbose), *args], standalone_mode=False)
        except SystemExit as exit_:
            return int(exit_.code or 0)
        return 0

    sys.exit(run_demo(directory, click.echo, run_command))


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="exemplar")
