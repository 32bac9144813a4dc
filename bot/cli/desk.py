"""``exemplar curator ...`` and ``exemplar exclude ...``: who may use the desk, and what digests leave
out. Each command parses, calls one storage function, prints one line per result."""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from bot.errors import ExemplarError
from storage import curators as curator_repo
from storage import digests as digest_repo
from storage import exclusions as exclusion_repo
from storage import repository as repo
from storage.db import session_scope

if TYPE_CHECKING:
    from bot.runtime import App

MIN_PASSWORD = 10
UNDO_KINDS = (*digest_repo.EXCLUSION_KINDS, "suppressed")


def _now() -> datetime:
    return datetime.now(UTC)


def curator_group(open_app: Callable[[], App]) -> click.Group:
    @click.group()
    def curator() -> None:
        """Curators of the web desk: add, list, remove."""

    @curator.command("add")
    @click.argument("email")
    @click.option(
        "--password-file",
        type=click.File("r", encoding="utf-8"),
        help="Read the password from the first line of FILE ('-' for standard input) instead of asking.",
    )
    def add(email: str, password_file: Any) -> None:
        """Add a curator, or give one a new password (which ends their desk sessions).

        The password is asked for twice, or read from --password-file; it is never taken on the
        command line, where other users and the shell history would see it. It is stored as a
        scrypt hash.
        """
        from bot.passwords import hash_password

        address = email.strip().lower()
        if "@" not in address or len(address) > 320:
            raise click.BadParameter("give the curator's email address", param_hint="EMAIL")
        if password_file is not None:
            password = password_file.readline().rstrip("\r\n")
        else:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        if len(password) < MIN_PASSWORD:
            raise click.BadParameter(f"use at least {MIN_PASSWORD} characters", param_hint="password")
        app = open_app()
        with session_scope(app.engine) as session:
            change = curator_repo.set_curator(session, address, hash_password(password), _now())
        if change.created:
            click.echo(f"curator {address} can now log in to /desk")
        else:
            click.echo(f"new password for {address}; {_plural(change.sessions_ended, 'desk session')} ended")

    @curator.command("list")
    @click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
    def list_(as_json: bool) -> None:
        """List curators, with when they last logged in and how many desk sessions are open."""
        app = open_app()
        with session_scope(app.engine) as session:
            listing = curator_repo.list_curators(session, _now())
        if not listing and not as_json:
            click.echo("no curators yet: `exemplar curator add EMAIL` adds one")
        for row in listing:
            last = _when(row.last_login_at) if row.last_login_at else "never logged in"
            if as_json:
                click.echo(
                    json.dumps(
                        {
                            "email": row.email,
                            "created_at": row.created_at.isoformat(),
                            "last_login_at": row.last_login_at.isoformat() if row.last_login_at else None,
                            "live_sessions": row.live_sessions,
                        }
                    )
                )
            else:
                click.echo(
                    f"{row.email}  added {_when(row.created_at)}  last login: {last}  "
                    f"{_plural(row.live_sessions, 'open session')}"
                )

    @curator.command("remove")
    @click.argument("email")
    def remove(email: str) -> None:
        """Remove a curator: they can no longer log in, and their open desk sessions end now."""
        app = open_app()
        with session_scope(app.engine) as session:
            ended = curator_repo.remove_curator(session, email)
        if ended is None:
            raise ExemplarError(f"no curator {email.strip().lower()}; `exemplar curator list` shows them")
        click.echo(f"removed curator {email.strip().lower()}; {_plural(ended, 'desk session')} ended")

    return curator


def exclude_command(open_app: Callable[[], App]) -> click.Command:
    @click.command("exclude")
    @click.argument("kind", required=False, type=click.Choice(UNDO_KINDS))
    @click.argument("value", required=False)
    @click.option("--list", "list_all", is_flag=True, help="Show every exclusion and opt-out, then exit.")
    @click.option("--remove", "remove", is_flag=True, help="Undo the exclusion KIND VALUE.")
    @click.option("--json", "as_json", is_flag=True, help="With --list: one JSON object per line.")
    @click.option("--reason", default="", help="Why (kept with the exclusion).")
    @click.option("--by", help="Who is excluding (default: the login name).")
    def exclude(
        kind: str | None,
        value: str | None,
        list_all: bool,
        remove: bool,
        as_json: bool,
        reason: str,
        by: str | None,
    ) -> None:
        """Exclude a post (id), an author (user@instance) or a domain from digests, for good.

        `exemplar exclude --list` shows every exclusion, suppressed author and email unsubscribe, with
        who made it and when; `exemplar exclude --remove KIND VALUE` undoes one (KIND `suppressed`
        lifts a suppression a curator made).
        """
        if list_all:
            if kind or value or remove:
                raise click.UsageError("--list takes no KIND, VALUE or --remove")
            _print_list(open_app(), as_json)
            return
        if not kind or not value:
            raise click.UsageError("give KIND and VALUE (or --list)")
        if remove:
            _remove(open_app(), kind, value)
            return
        if kind == "suppressed":
            raise click.UsageError("to suppress an author use `exemplar optout ACCT`")
        app = open_app()
        with session_scope(app.engine) as session:
            if kind == "post":
                post_id = repo.find_post_id(session, value)
                if post_id is None:
                    raise ExemplarError(f"no stored post {value!r}; `exemplar posts` lists their ids")
                value = str(post_id)
            else:
                value = exclusion_repo.normalise_value(kind, value)
            matches = exclusion_repo.matching_posts(session, kind, value)
            digest_repo.add_exclusion(
                session, kind, value, by=by or getpass.getuser(), reason=reason, now=_now()
            )
        click.echo(
            f"excluded {kind} {value} from digests ({_plural(matches.count, 'stored post')} match); "
            f"undo: exemplar exclude --remove {kind} {value}"
        )

    return exclude


def _remove(app: App, kind: str, value: str) -> None:
    value = exclusion_repo.normalise_value("author" if kind == "suppressed" else kind, value)
    with session_scope(app.engine) as session:
        if kind == "suppressed":
            try:
                done = exclusion_repo.lift_suppression(session, value)
            except PermissionError as refusal:
                raise ExemplarError(str(refusal)) from None
        else:
            done = exclusion_repo.remove_exclusion(session, kind, value)
    if not done:
        raise ExemplarError(f"{kind} {value} is not on the list; `exemplar exclude --list` shows it")
    click.echo(f"{kind} {value} is no longer {'suppressed' if kind == 'suppressed' else 'excluded'}")


def _print_list(app: App, as_json: bool) -> None:
    with session_scope(app.engine) as session:
        excluded = exclusion_repo.list_exclusions(session)
        suppressed = exclusion_repo.list_suppressions(session)
        unsubscribed = exclusion_repo.list_unsubscribes(session)
    if as_json:
        for e in excluded:
            _json_line(kind=e.kind, value=e.value, by=e.created_by, at=e.created_at, reason=e.reason)
        for s in suppressed:
            _json_line(
                kind="suppressed",
                value=s.acct,
                by=exclusion_repo.who_suppressed(s),
                at=s.recorded_at,
                reason=s.reason,
            )
        for u in unsubscribed:
            _json_line(kind="unsubscribed", value=u.email, by="the leader", at=u.updated_at, reason="")
        return
    click.echo(f"Excluded from digests ({len(excluded)}):")
    for e in excluded:
        why = f"  ({e.reason})" if e.reason else ""
        click.echo(f"  {e.kind:<7} {e.value}  by {e.created_by}, {_when(e.created_at)}{why}")
    click.echo(f"Authors left out, opt-outs ({len(suppressed)}):")
    for s in suppressed:
        why = f"  ({s.reason})" if s.reason else ""
        click.echo(f"  {s.acct}  by {exclusion_repo.who_suppressed(s)}, {_when(s.recorded_at)}{why}")
    click.echo(f"Unsubscribed from the email ({len(unsubscribed)}):")
    for u in unsubscribed:
        click.echo(f"  {u.email}  {_when(u.updated_at)}")
    if excluded:
        click.echo("Undo one with: exemplar exclude --remove KIND VALUE")


def _json_line(*, kind: str, value: str, by: str, at: datetime, reason: str) -> None:
    record = {"kind": kind, "value": value, "by": by, "at": at.isoformat(), "reason": reason}
    click.echo(json.dumps(record, ensure_ascii=False))


def _when(moment: datetime) -> str:
    return exclusion_repo.describe_time(moment)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _register() -> None:
    from bot.cli.root import _open_from_context, cli

    cli.add_command(curator_group(_open_from_context))
    cli.add_command(exclude_command(_open_from_context))


_register()
