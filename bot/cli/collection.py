"""``exemplar collect`` and ``exemplar import``: posts into the database, from the networks or a file."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bot.cli.root import EXIT_FAILED, _Options, cli, pass_options
from bot.errors import ConfigError
from bot.runtime import utc_now


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
    from bot.cli.progress import progress_for
    from bot.consent.optout_requests import check_optout_requests
    from bot.health.runs import collect_and_record
    from bot.jobs.collect import CollectOptions, collector_for
    from bot.networks.registry import configured_sources

    app = options.open()
    sources = configured_sources(app.settings)
    if not sources:
        raise ConfigError("no sources are configured; add a [[mastodon]] section with a base_url")
    progress = progress_for()
    collector = collector_for(app.settings, app.engine, utc_now, app.store, progress=progress)
    try:
        summaries = collect_and_record(
            collector, app.settings, CollectOptions(backfill_days, refresh), utc_now
        )
    finally:
        progress.finish()
    for summary in summaries:
        click.echo(summary.describe())
    for acct in check_optout_requests(app.settings, app.engine, utc_now):
        click.echo(f"{acct} asked to opt out: added to the suppression list")
    if not all(summary.ok for summary in summaries):
        sys.exit(EXIT_FAILED)


@cli.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["mastodon", "twarc2", "bluesky", "tags-csv"]),
    required=True,
    help="mastodon: Mastodon API statuses (a JSON array or one per line); twarc2: X API v2 pages as twarc2 "
    "saves them; bluesky: app.bsky.feed.searchPosts pages; tags-csv: a TAGS (Twitter Archiving Google "
    "Sheet) CSV export.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    metavar="N",
    help="Worker processes that read, normalise and classify while this one stores (default: the "
    "number of usable CPUs; 1 does everything in this process).",
)
@pass_options
def import_(options: _Options, file: Path, fmt: str, jobs: int | None) -> None:
    """Store posts from a saved file, through the same checks as collection."""
    from bot.jobs.import_pool import usable_cpus
    from bot.jobs.imports import import_file

    app = options.open()
    summary = import_file(
        app.engine,
        file,
        hashtags=app.settings.hashtags,
        clock=utc_now,
        store=app.store,
        fmt=fmt,
        jobs=jobs or usable_cpus(),
    )
    click.echo(summary.describe())
