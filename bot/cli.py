"""The ``exemplar`` command. Each command parses its options, calls one function, prints the result.

Exit codes: 0 success; 1 a source or an operation failed; 2 bad usage or configuration;
3 the database schema needs ``exemplar db upgrade``.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from bot import __version__
from bot.app import App, configure_logging, open_app, opened_app, utc_now
from bot.config import CONFIG_ENV
from bot.digest_cli import digest_group
from bot.errors import ConfigError, ExemplarError
from storage import digests as digest_repo
from storage import labels as label_repo
from storage import repository as repo
from storage.db import SchemaError, schema_status, session_scope, upgrade_schema

LABELS = ("video", "tool", "question")
EXCLUSION_KINDS = digest_repo.EXCLUSION_KINDS

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
    from bot.jobs.collect_bluesky import collect_bluesky
    from bot.jobs.collect_x import collect_x
    from bot.jobs.optout import check_optout_requests
    from bot.progress import progress_for

    app = options.open()
    if not (app.settings.mastodon or app.settings.x or app.settings.bluesky):
        raise ConfigError("no sources are configured; add a [[mastodon]] section with a base_url")
    progress = progress_for()
    collector = collector_for(app.settings, app.engine, utc_now, app.store, progress=progress)
    try:
        summaries = collector.collect(app.settings.mastodon, CollectOptions(backfill_days, refresh))
        summaries += collect_x(collector, app.settings.x)
        summaries += collect_bluesky(collector, app.settings.bluesky)
    finally:
        progress.finish()
    for summary in summaries:
        click.echo(summary.describe())
    for acct in check_optout_requests(app.settings, app.engine, utc_now):
        click.echo(f"{acct} asked to opt out: added to the suppression list")
    if not all(summary.ok for summary in summaries):
        sys.exit(EXIT_FAILED)


@cli.command()
@click.option("--tag", help="Only posts carrying this hashtag.")
@click.option("--label", type=click.Choice(LABELS), help="Only posts with this label.")
@click.option("--since", help="Only posts since this date (YYYY-MM-DD, an ISO time, or e.g. 7d, 12h).")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many posts (default: all).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@pass_options
def posts(
    options: _Options, tag: str | None, label: str | None, since: str | None, limit: int | None, as_json: bool
) -> None:
    """List stored posts, newest first, with their labels and the reasons for them."""
    app = options.open()
    query = repo.PostQuery(tag=tag, label=label, since=parse_since(since) if since else None, limit=limit)
    with session_scope(app.engine) as session:
        batch: list[Any] = []
        for row in repo.iter_posts(session, query):
            batch.append(row)
            if len(batch) == 500:
                _print_posts(session, batch, as_json)
                batch = []
        _print_posts(session, batch, as_json)


def _print_posts(session: Any, rows: list[Any], as_json: bool) -> None:
    from bot.present import post_block, post_record

    if not rows:
        return
    ids = [row.id for row in rows]
    labels = label_repo.effective_labels(session, ids)
    if as_json:
        seen = repo.sightings_of(session, ids)
        for row in rows:
            click.echo(json.dumps(post_record(row, seen.get(row.id), labels.get(row.id)), ensure_ascii=False))
    else:
        for row in rows:
            click.echo(post_block(row, labels.get(row.id)))


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
    type=click.Choice(["mastodon", "twarc2", "bluesky", "tags-csv"]),
    required=True,
    help="mastodon: Mastodon API statuses (a JSON array or one per line); twarc2: X API v2 pages as twarc2 "
    "saves them; bluesky: app.bsky.feed.searchPosts pages; tags-csv: a TAGS (Twitter Archiving Google "
    "Sheet) CSV export.",
)
@pass_options
def import_(options: _Options, file: Path, fmt: str) -> None:
    """Store posts from a saved file, through the same checks as collection."""
    from bot.imports import import_file

    app = options.open()
    summary = import_file(
        app.engine, file, hashtags=app.settings.hashtags, clock=utc_now, store=app.store, fmt=fmt
    )
    click.echo(summary.describe())


@cli.command("classify")
@click.option(
    "--all", "relabel", is_flag=True, help="Re-label every stored post (curator corrections are kept)."
)
@click.option(
    "--input",
    "input_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Classify Mastodon statuses in FILE (one per line, or a JSON array); touches no database.",
)
@click.option(
    "--report",
    is_flag=True,
    help="List curator corrections, the pattern behind each, and catalogue proposals.",
)
@click.option(
    "--apply", "apply_keys", multiple=True, metavar="KEY", help="Apply a proposal from --report (or `all`)."
)
@click.option(
    "--min-posts", type=click.IntRange(min=1), default=2, show_default=True, help="Posts a proposal needs."
)
@click.option("--by", help="Who applies the proposals (default: the login name).")
@pass_options
def classify_(
    options: _Options,
    relabel: bool,
    input_file: Path | None,
    report: bool,
    apply_keys: tuple[str, ...],
    min_posts: int,
    by: str | None,
) -> None:
    """Label posts as videos, tools and questions, with the reasons for each label.

    `--report` shows what curators corrected and proposes catalogue changes; `--apply KEY` stores one,
    and every later labelling (`--all`, collection, import) uses it.
    """
    from bot.jobs.classify import classify_file, relabel_all

    if sum((relabel, input_file is not None, report, bool(apply_keys))) != 1:
        raise click.UsageError("give exactly one of --all, --input FILE, --report or --apply KEY")
    if input_file is not None:
        catalogue = _catalogue_without_database(options)

        def problem(number: int, message: str) -> None:
            click.echo(f"exemplar: {input_file}:{number}: skipped: {message}", err=True)

        for record in classify_file(input_file, catalogue, problem):
            click.echo(json.dumps(record, ensure_ascii=False))
        return
    app = options.open()
    if report or apply_keys:
        from bot.classify import load_catalogue
        from bot.classify.feedback import render_report
        from bot.jobs.classify_feedback import apply_proposals, feedback_report

        base = load_catalogue(app.settings.tools)
        if report:
            found, urls = feedback_report(app.engine, base, min_posts=min_posts)
            click.echo(render_report(found, urls))
            return
        applied = apply_proposals(
            app.engine, base, apply_keys, by=by or getpass.getuser(), now=utc_now(), min_posts=min_posts
        )
        click.echo(
            f"applied {', '.join(applied) or 'nothing new'}; `exemplar classify --all` re-labels with it"
        )
        return
    counts = relabel_all(app.engine, app.store, utc_now)
    posts_count = counts.pop("posts", 0)
    by_label = ", ".join(f"{counts[name]} {name}" for name in LABELS)
    click.echo(f"re-labelled {posts_count} posts: {by_label}")


def _catalogue_without_database(options: _Options) -> Any:
    """The tool catalogue with any extra tools from a config, if there is one; the shipped one otherwise."""
    from bot.classify import load_catalogue
    from bot.config import find_config, load_settings

    try:
        path = find_config(options.config)
    except ConfigError:
        return load_catalogue()
    return load_catalogue(load_settings(path).tools)


@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("post", metavar="POST_ID")
@click.argument("changes", nargs=-1, required=True, type=click.UNPROCESSED, metavar="+LABEL|-LABEL...")
@click.option("--by", help="Who is correcting (default: the login name).")
@pass_options
def label(options: _Options, post: str, changes: tuple[str, ...], by: str | None) -> None:
    """Correct a post's labels, e.g. `exemplar label 42 +tool -question`. Corrections survive re-labelling.

    POST_ID is the id `exemplar posts` shows, or the post's URL or URI.
    """
    parsed = []
    for change in changes:
        name = change[1:].lower()
        if change[:1] not in "+-" or name not in LABELS:
            raise click.BadParameter(
                f"{change!r}: write +LABEL or -LABEL with LABEL one of {', '.join(LABELS)}",
                param_hint="+LABEL|-LABEL",
            )
        parsed.append((name, change[0] == "+"))
    app = options.open()
    curator = by or getpass.getuser()
    with session_scope(app.engine) as session:
        post_id = repo.find_post_id(session, post)
        if post_id is None:
            raise ExemplarError(f"no stored post {post!r}; `exemplar posts` lists their ids")
        for name, present in parsed:
            label_repo.set_curator_label(session, post_id, name, present, by=curator, now=utc_now())
        session.flush()
        labels = label_repo.effective_labels(session, [post_id]).get(post_id, [])
    click.echo(
        f"post {post_id}: " + (", ".join(f"{lab.name} ({lab.reason})" for lab in labels) or "no labels")
    )


@cli.command()
@click.argument("kind", type=click.Choice(EXCLUSION_KINDS))
@click.argument("value")
@click.option("--reason", default="", help="Why (kept with the exclusion).")
@click.option("--by", help="Who is excluding (default: the login name).")
@pass_options
def exclude(options: _Options, kind: str, value: str, reason: str, by: str | None) -> None:
    """Exclude a post (id), an author (user@instance) or a domain from digests, for good."""
    app = options.open()
    with session_scope(app.engine) as session:
        if kind == "post":
            post_id = repo.find_post_id(session, value)
            if post_id is None:
                raise ExemplarError(f"no stored post {value!r}; `exemplar posts` lists their ids")
            value = str(post_id)
        elif kind == "author":
            value = value.lstrip("@").lower()
        else:
            value = value.lower().removeprefix("www.")
        digest_repo.add_exclusion(
            session, kind, value, by=by or getpass.getuser(), reason=reason, now=utc_now()
        )
    click.echo(f"excluded {kind} {value} from digests")


@cli.command()
@click.argument("acct")
@click.option("--reason", default="asked to be left out", help="Why (kept on the list).")
@pass_options
def optout(options: _Options, acct: str, reason: str) -> None:
    """Put an author on the permanent suppression list: never collected or featured again."""
    app = options.open()
    acct = acct.strip().lstrip("@").lower()
    if "@" not in acct:
        raise click.BadParameter("give the full address, user@instance", param_hint="ACCT")
    with session_scope(app.engine) as session:
        added = digest_repo.suppress_author(session, acct, via="command", reason=reason, now=utc_now())
        removed = repo.delete_posts_by_author(session, acct)
    state = "added to" if added else "already on"
    click.echo(f"{acct} {state} the suppression list; {removed} stored posts removed")


@cli.command()
@click.option(
    "--list", "list_jobs", is_flag=True, help="Show the scheduled jobs and their next runs, then exit."
)
@pass_options
def run(options: _Options, list_jobs: bool) -> None:
    """Run the scheduler: collect every N minutes, draft weekly, publish approved digests."""
    from apscheduler.schedulers.background import BackgroundScheduler

    from bot.scheduler import build_scheduler, describe_jobs
    from bot.scheduler import run as run_scheduler

    app = options.open()
    config_path = str(app.settings.path.resolve()) if app.settings.path else ""
    if list_jobs:
        scheduler = build_scheduler(app.settings, app.engine, config_path, BackgroundScheduler)
        scheduler.start(paused=True)
        try:
            for job in describe_jobs(scheduler):
                click.echo(f"{job['id']:<8} {job['trigger']:<60} next: {job['next_run_time']}")
        finally:
            scheduler.shutdown(wait=False)
        return
    run_scheduler(app.settings, app.engine, config_path, utc_now)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port to listen on."
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes (one per core).",
)
@pass_options
def serve(options: _Options, host: str, port: int, workers: int) -> None:
    """Serve the public archive, the curator desk and unsubscribe links (uvicorn)."""
    import uvicorn

    app = options.open()  # checks the config and the schema before any worker starts
    app.engine.dispose()
    if app.settings.path is not None:
        os.environ[CONFIG_ENV] = str(app.settings.path.resolve())  # the workers find the same config
    uvicorn.run(
        "bot.web.factory:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=app.settings.log_level,
    )


@cli.group()
def curator() -> None:
    """Curators of the web desk."""


@curator.command("add")
@click.argument("email")
@click.password_option(help="The curator's password (prompted, twice, when not given).")
@pass_options
def curator_add(options: _Options, email: str, password: str) -> None:
    """Add a curator (or set a new password for one); the password is stored as a scrypt hash."""
    from bot.passwords import hash_password
    from storage.curators import add_curator

    if "@" not in email:
        raise click.BadParameter("give the curator's email address", param_hint="EMAIL")
    if len(password) < 10:
        raise click.BadParameter("use at least 10 characters", param_hint="--password")
    app = options.open()
    with session_scope(app.engine) as session:
        add_curator(session, email, hash_password(password), utc_now())
    click.echo(f"curator {email.strip().lower()} can now log in to /desk")


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
    """The whole cycle against a local demo server: collect, draft, approve, publish, email."""
    from bot.demo import run_demo

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

    sys.exit(run_demo(directory, click.echo, run_command, latest_digest))


def _open_from_context() -> App:
    options: _Options = click.get_current_context().find_object(_Options)  # type: ignore[assignment]
    return options.open()


cli.add_command(digest_group(_open_from_context))


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="exemplar")
