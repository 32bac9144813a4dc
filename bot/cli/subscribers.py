"""``exemplar subscribers ...``: the digest list as the curator sees it. Each command opens the app,
calls one storage function, prints."""

from __future__ import annotations

from collections.abc import Callable

import click
from sqlalchemy.orm import Session

from bot.runtime import App, utc_now
from storage import deliveries
from storage import subscriptions as subs
from storage.db import session_scope


def subscribers_group(open_app: Callable[[], App]) -> click.Group:
    """The ``subscribers`` command group; ``open_app`` opens the configured app."""

    @click.group()
    def subscribers() -> None:
        """The digest list: who gets digest emails, who left, who is suspended and why."""

    @subscribers.command("list")
    @click.option("--status", type=click.Choice(subs.STATUSES), help="Only addresses in this state.")
    def list_(status: str | None) -> None:
        """List every address on the digest list with its state (config addresses are added first)."""
        app = open_app()
        with session_scope(app.engine) as session:
            if app.settings.email is not None:
                subs.seed(session, app.settings.email.recipients, utc_now())
            rows = subs.listing(session, status)
            unsure = deliveries.unconfirmed(session)
            if not rows:
                click.echo("no addresses yet: add [email] recipients or share the /subscribe page")
            for row in rows:
                reason = f"  {row.suspended_reason}" if row.suspended_reason else ""
                failures = f"  {row.soft_failures} soft failures" if row.soft_failures else ""
                click.echo(
                    f"{row.email}  {row.status}  (from {row.source}, since {row.updated_at:%Y-%m-%d})"
                    f"{failures}{reason}"
                )
            for pending in unsure:
                click.echo(
                    f"unconfirmed: digest {pending.digest_id} to {pending.recipient}: "
                    f"{pending.last_error or 'no answer'}; "
                    f"check, then `exemplar digest publish {pending.digest_id} --retry-unconfirmed`"
                )

    @subscribers.command()
    @click.argument("email")
    def resume(email: str) -> None:
        """Put a suspended address back on the list (once its mail problem is fixed)."""
        app = open_app()
        with session_scope(app.engine) as session:
            resumed = subs.resume(session, email, utc_now())
        if not resumed:
            raise click.ClickException(f"{email} is not suspended; `exemplar subscribers list` shows them")
        click.echo(f"{subs.normalise_address(email)} will receive digests again")

    @subscribers.command()
    @click.argument("email")
    def remove(email: str) -> None:
        """Take an address off the list, as if it had unsubscribed (it may subscribe again)."""
        app = open_app()
        with session_scope(app.engine) as session:
            subs.unsubscribe(session, email, utc_now())
        click.echo(f"{subs.normalise_address(email)} will not receive digests any more")

    return subscribers


def describe_deliveries(app: App, digest_id: int) -> list[str]:
    """The digest's emails for the curator: counts by state, and each one that needs a check."""
    with session_scope(app.engine) as session:
        states = deliveries.states(session, digest_id)
    if not states:
        return []
    counts: dict[str, int] = {}
    for state in states.values():
        shown = deliveries.UNCONFIRMED if state.status == deliveries.DELIVERING else state.status
        counts[shown] = counts.get(shown, 0) + 1
    lines = ["emails: " + ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))]
    for state in sorted(states.values(), key=lambda s: s.recipient):
        if state.status in (deliveries.UNCONFIRMED, deliveries.DELIVERING):
            lines.append(
                f"  unconfirmed: {state.recipient}: {state.last_error or 'no answer yet'}; check with them, "
                f"then `exemplar digest publish {digest_id} --retry-unconfirmed` resends it"
            )
        elif state.status in (deliveries.FAILED, deliveries.REFUSED):
            lines.append(f"  {state.status}: {state.recipient}: {state.last_error or ''}")
    return lines


def unconfirmed_summary(session: Session) -> list[str]:
    """For ``exemplar status``: emails waiting for the curator's check, per digest."""
    per_digest: dict[int, int] = {}
    for row in deliveries.unconfirmed(session):
        per_digest[row.digest_id] = per_digest.get(row.digest_id, 0) + 1
    return [
        f"digest {digest_id}: {count} unconfirmed email{'s' if count != 1 else ''}; "
        f"`exemplar digest show {digest_id}` lists them"
        for digest_id, count in sorted(per_digest.items())
    ]


def _register() -> None:
    from bot.cli.root import _open_from_context, cli

    cli.add_command(subscribers_group(_open_from_context), "subscribers")


_register()
