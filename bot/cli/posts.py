"""Stored posts: ``posts`` lists them; ``classify``, ``label``, ``exclude`` and ``optout`` act on them."""

from __future__ import annotations

import getpass
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from bot.cli.root import LABELS, _Options, cli, pass_options
from bot.errors import ConfigError, ExemplarError
from bot.runtime import utc_now
from storage import digests as digest_repo
from storage import labels as label_repo
from storage import repository as repo
from storage.db import session_scope


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
    from bot.cli.present import post_block, post_record

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
    from bot.cli.feedback import report_or_apply
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
        report_or_apply(app, apply_keys, min_posts=min_posts, by=by)
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
