"""``exemplar db``: the database schema's status and upgrades."""

from __future__ import annotations

import click

from bot.cli.root import _Options, cli, pass_options
from bot.cli.subscribers import unconfirmed_summary
from storage import repository as repo
from storage.db import schema_status, session_scope, upgrade_schema


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
            lines = unconfirmed_summary(session)
        for line in lines:
            click.echo(line)
    else:
        click.echo("run `exemplar db upgrade` to bring the schema up to date")
