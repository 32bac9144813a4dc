"""Running Exemplar unattended: ``run`` (the scheduler), ``serve`` (the web side), ``curator add``."""

from __future__ import annotations

import os

import click

from bot.cli.root import _Options, cli, pass_options
from bot.config import CONFIG_ENV
from bot.runtime import utc_now
from storage.db import session_scope


@cli.command()
@click.option(
    "--list", "list_jobs", is_flag=True, help="Show the scheduled jobs and their next runs, then exit."
)
@pass_options
def run(options: _Options, list_jobs: bool) -> None:
    """Run the scheduler: collect every N minutes, draft weekly, publish approved digests."""
    from apscheduler.schedulers.background import BackgroundScheduler

    from bot.schedule.wiring import build_scheduler, describe_jobs
    from bot.schedule.wiring import run as run_scheduler

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
