"""``exemplar digest ...``: the curator's commands. Each parses, calls the digest service, prints."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import click

from bot.jobs.digest import Edit
from bot.jobs.services import publisher_for, service_for
from bot.runtime import App
from digests.period import days_from
from storage import digests as digest_repo
from storage.db import session_scope

# A thread preview per network (bot.networks.registry): "thread" is Mastodon's, the first there was.
# Written out, not read from the registry, so that starting `exemplar` does not load every network's SDK.
THREAD_FORMATS = {"thread": "mastodon", "x-thread": "x", "bluesky-thread": "bluesky"}
FORMATS = ("text", "json", *THREAD_FORMATS, "email")


def digest_group(open_app: Any) -> click.Group:
    """The ``digest`` command group; ``open_app`` opens the configured app (from the root command)."""

    @click.group()
    def digest() -> None:
        """Weekly digests: draft, review, edit, approve, publish."""

    @digest.command()
    @click.option(
        "--start", type=click.DateTime(["%Y-%m-%d"]), help="First day of the period (default: last week)."
    )
    @click.option(
        "--days", type=click.IntRange(min=1), default=7, show_default=True, help="Length of the period."
    )
    @click.option("--no-refresh", is_flag=True, help="Do not re-read candidates from their home instances.")
    @click.option("--json", "as_json", is_flag=True, help="Print the digest as JSON.")
    @click.option("--by", help="Who is drafting (default: the login name).")
    def draft(start: Any, days: int, no_refresh: bool, as_json: bool, by: str | None) -> None:
        """Draft the digest of a period (re-drafting keeps every curator edit) and print it."""
        app = open_app()
        service = service_for(app, by, with_home=not no_refresh)
        period = (
            days_from(date(start.year, start.month, start.day), days, app.settings.digest.timezone)
            if start
            else None
        )
        report = service.draft(period)
        view = service.view(report.digest_id)
        if as_json:
            from digests.render.json import digest_to_json

            click.echo(json.dumps(digest_to_json(view), ensure_ascii=False, indent=2))
            return
        verb = "re-drafted" if report.redrafted else "drafted"
        click.echo(
            f"digest {report.digest_id} {verb}: {len(view.items)} items from {report.candidates} candidates"
            + (f"; refreshed {report.refreshed} from their home instances" if report.refreshed else "")
            + (f"; {report.removed_at_source} gone at the source" if report.removed_at_source else "")
            + (f"; digest {report.superseded} superseded" if report.superseded else "")
        )
        if report.empty_note:
            click.echo(report.empty_note)
        elif not view.items:
            click.echo(f"digest {report.digest_id} is empty: it cannot be approved until it has items")
        from digests.render.text import render_text

        click.echo(render_text(view))

    @digest.command("list")
    @click.option("--status", multiple=True, help="Only digests with this status (repeatable).")
    @click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
    def list_(status: tuple[str, ...], limit: int) -> None:
        """List digests, newest period first."""
        app = open_app()
        with session_scope(app.engine) as session:
            for row in digest_repo.list_digests(session, statuses=status, limit=limit):
                live = len(digest_repo.live_items(row))
                click.echo(
                    f"{row.id:>5}  {row.status:<10}  "
                    f"{row.period_start:%Y-%m-%d} → {row.period_end:%Y-%m-%d}  "
                    f"{live} items  updated {row.updated_at:%Y-%m-%d %H:%M}"
                )

    @digest.command()
    @click.argument("digest_id", type=int)
    @click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
    @click.option("--history", is_flag=True, help="Also print who did what, and when.")
    def show(digest_id: int, fmt: str, history: bool) -> None:
        """Show a digest as text, JSON, the thread that would be posted on a network, or the email."""
        app = open_app()
        service = service_for(app, None)
        view = service.view(digest_id)
        click.echo(render(view, fmt, app))
        if fmt == "text" and not view.items:
            note = service.empty_note(digest_id)
            click.echo(note or f"digest {digest_id} is empty: it cannot be approved until it has items")
        if fmt == "text":
            from bot.cli.subscribers import describe_deliveries

            for line in describe_deliveries(app, digest_id):
                click.echo(line)
        if history:
            with session_scope(app.engine) as session:
                for event in digest_repo.events_of(session, digest_id):
                    detail = json.dumps(event.detail, ensure_ascii=False) if event.detail else ""
                    click.echo(f"{event.at:%Y-%m-%d %H:%M}  {event.actor}  {event.action}  {detail}")

    @digest.command()
    @click.argument("digest_id", type=int)
    @click.option("--add", "adds", multiple=True, metavar="POST[:SECTION]", help="Add a post (to a section).")
    @click.option("--remove", "removes", multiple=True, type=int, metavar="POST", help="Remove a post.")
    @click.option(
        "--move", "moves", multiple=True, metavar="POST:POSITION", help="Move a post within its section."
    )
    @click.option("--pin", "pins", multiple=True, type=int, metavar="POST", help="Pin a post.")
    @click.option("--unpin", "unpins", multiple=True, type=int, metavar="POST", help="Unpin a post.")
    @click.option(
        "--blurb", "blurbs", multiple=True, type=(int, str), metavar="POST TEXT", help="A blurb for a post."
    )
    @click.option("--intro", help="The digest's intro note.")
    @click.option("--by", help="Who is editing (default: the login name).")
    def edit(
        digest_id: int,
        adds: tuple[str, ...],
        removes: tuple[int, ...],
        moves: tuple[str, ...],
        pins: tuple[int, ...],
        unpins: tuple[int, ...],
        blurbs: tuple[tuple[int, str], ...],
        intro: str | None,
        by: str | None,
    ) -> None:
        """Edit a draft: add, remove, reorder and pin items; write the intro and blurbs."""
        edits: list[Edit] = []
        for spec in adds:
            post, _, section = spec.partition(":")
            edits.append(Edit("add", post_id=_int(post, "--add"), section=section or None))
        edits += [Edit("remove", post_id=post) for post in removes]
        for spec in moves:
            post, _, position = spec.partition(":")
            edits.append(Edit("move", post_id=_int(post, "--move"), position=_int(position, "--move")))
        edits += [Edit("pin", post_id=post) for post in pins]
        edits += [Edit("unpin", post_id=post) for post in unpins]
        edits += [Edit("blurb", post_id=post, text=text) for post, text in blurbs]
        if intro is not None:
            edits.append(Edit("intro", text=intro))
        if not edits:
            raise click.UsageError(
                "nothing to do: give --add, --remove, --move, --pin, --unpin, --blurb or --intro"
            )
        app = open_app()
        service = service_for(app, by)
        service.edit(digest_id, edits)
        click.echo(f"digest {digest_id}: {len(edits)} edit{'s' if len(edits) != 1 else ''} applied")

    @digest.command()
    @click.argument("digest_id", type=int)
    @click.option("--by", help="Who is approving (default: the login name).")
    def approve(digest_id: int, by: str | None) -> None:
        """Approve a draft for publishing."""
        status = service_for(open_app(), by).transition(digest_id, "approve")
        click.echo(f"digest {digest_id} is {status}")

    @digest.command()
    @click.argument("digest_id", type=int)
    @click.option("--reason", default="", help="Why (recorded with the event).")
    @click.option("--by", help="Who is rejecting (default: the login name).")
    def reject(digest_id: int, reason: str, by: str | None) -> None:
        """Reject a draft or an approved digest; it will not be published."""
        status = service_for(open_app(), by).transition(digest_id, "reject", reason=reason)
        click.echo(f"digest {digest_id} is {status}")

    @digest.command()
    @click.argument("digest_id", type=int)
    @click.option("--dry-run", is_flag=True, help="Print what would be posted and sent; touch nothing.")
    @click.option(
        "--retry-unconfirmed",
        is_flag=True,
        help="Post again the parts, and send again the emails, that an interrupted publish could not "
        "confirm (check the accounts and with the recipients first).",
    )
    @click.option("--by", help="Who is publishing (default: the login name).")
    def publish(digest_id: int, dry_run: bool, retry_unconfirmed: bool, by: str | None) -> None:
        """Publish an approved digest: re-check consent, post the threads, email the leaders."""
        report = publisher_for(open_app(), by).publish(
            digest_id, dry_run=dry_run, retry_unconfirmed=retry_unconfirmed
        )
        click.echo(describe_publish(report))

    return digest


def describe_publish(report: Any) -> str:
    """What publishing did (or, for a dry run, would do), for the curator."""
    lines = []
    prefix = "would drop" if report.dry_run else "dropped"
    for drop in report.dropped:
        lines.append(f"{prefix} post {drop.post_id} by {drop.author} ({drop.url}): {drop.reason}")
    for thread in report.threads:
        lines += _describe_thread(thread, report.dry_run)
    if report.dry_run and report.threads and not report.archive_url:
        lines.append(
            "note: the first post of each thread links to no archive page, as [archive] public_url "
            "is not set; set it to where `exemplar serve` is reachable"
        )
    if report.dry_run and report.recipients:
        lines.append(f"would email {len(report.recipients)} leaders: {', '.join(report.recipients)}")
    if report.emails is not None:
        emails = report.emails
        lines.append(
            f"emails: {len(emails.sent)} sent, {len(emails.already_sent)} already sent, "
            f"{len(emails.failed)} failed (retried next time), {len(emails.refused)} refused, "
            f"{len(emails.unconfirmed)} unconfirmed"
        )
        lines += [f"  failed: {who}: {why}" for who, why in emails.failed]
        lines += [f"  refused: {who}: {why}" for who, why in emails.refused]
        lines += [
            f"  unconfirmed: {who}: {why}; not resent: check with them, then "
            f"`exemplar digest publish {report.digest_id} --retry-unconfirmed`"
            for who, why in emails.unconfirmed
        ]
        lines += [f"  suspended: {who} (see `exemplar subscribers list`)" for who in emails.suspended]
    if not report.dry_run:
        lines.append(f"digest {report.digest_id} is {report.status}")
    return "\n".join(lines)


def _describe_thread(thread: Any, dry_run: bool) -> list[str]:
    from bot.networks.registry import network_named

    known = network_named(thread.channel)
    network = known.title if known else thread.channel
    posts, links = len(thread.parts), thread.links
    if dry_run:
        lines = [f"{network}: would post a thread of {_plural(posts, 'post')} with {_plural(links, 'link')}:"]
        for number, part in enumerate(thread.parts, start=1):
            warning = f" [CW: {part.spoiler_text}]" if part.spoiler_text else ""
            lines.append(f"--- {thread.channel} part {number} of {posts}{warning}\n{part.text}")
        return lines
    if thread.thread is None:
        return []
    posted = thread.thread
    start = posted.urls[0] if posted.urls else "?"
    now, total = posted.posted_now, len(posted.remote_ids)
    return [f"{network}: {now} of {total} posts posted now; the thread starts at {start}"]


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def render(view: Any, fmt: str, app: App) -> str:
    """A digest in one of FORMATS, as a string."""
    if fmt == "json":
        from digests.render.json import digest_to_json

        return json.dumps(digest_to_json(view), ensure_ascii=False, indent=2)
    if fmt in THREAD_FORMATS:
        from bot.networks.registry import network_named
        from digests.render.thread import render_thread

        network = network_named(THREAD_FORMATS[fmt])
        assert network is not None, f"{fmt} names a network the registry does not have"
        from bot.jobs.publish import archive_page_url

        parts = render_thread(
            view,
            measure=network.preview_measure(app.settings),
            archive_url=archive_page_url(app.settings, view.id),
        )
        return "\n\n".join(
            f"--- part {n} of {len(parts)}"
            + (f" [CW: {p.spoiler_text}]" if p.spoiler_text else "")
            + f"\n{p.text}"
            for n, p in enumerate(parts, start=1)
        )
    if fmt == "email":
        from bot.jobs.email_preview import preview_email

        return preview_email(app, view)
    from digests.render.text import render_text

    return render_text(view)


def _int(text: str, option: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a number", param_hint=option) from None
