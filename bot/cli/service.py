"""Running Exemplar unattended: ``run`` (the scheduler), ``serve`` (the web side)."""

from __future__ import annotations

import os
from pathlib import Path

import click
from sqlalchemy import Engine

from bot.cli.root import _Options, cli, pass_options
from bot.config import CONFIG_ENV
from bot.runtime import App, utc_now


@cli.command()
@click.option(
    "--list", "list_jobs", is_flag=True, help="Show the scheduled jobs and their next runs, then exit."
)
@pass_options
def run(options: _Options, list_jobs: bool) -> None:
    """Run the scheduler: collect every N minutes, draft weekly, publish approved digests."""
    from bot.schedule.wiring import planned_jobs
    from bot.schedule.wiring import run as run_scheduler

    if list_jobs:  # reads only: no scheduler is started, no job or schema is written
        app = options.open(check_schema=False)
        for job in planned_jobs(app.settings, _existing_database(app), utc_now()):
            when = job["next_run_time"]
            note = "" if job["stored"] else " (not yet stored: `exemplar run` schedules it)"
            click.echo(f"{job['id']:<14} {job['trigger']:<60} next: {when:%Y-%m-%d %H:%M %Z}{note}")
        return
    app = options.open()
    config_path = str(app.settings.path.resolve()) if app.settings.path else ""
    run_scheduler(app.settings, app.engine, config_path, utc_now)


def _existing_database(app: App) -> Engine | None:
    """The app's engine, or None for an SQLite file that does not exist yet (reading must not create it)."""
    url = app.engine.url
    in_a_file = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
    if in_a_file and not Path(str(url.database)).exists():
        return None
    return app.engine


UVICORN_STARTUP_FAILURE = 3


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

    from bot.listen import CannotListenError, check_can_listen

    app = options.open()  # checks the config and the schema before any worker starts
    check_can_listen(host, port)
    app.engine.dispose()
    if app.settings.path is not None:
        os.environ[CONFIG_ENV] = str(app.settings.path.resolve())  # the workers find the same config
    try:
        uvicorn.run(
            "bot.web.factory:app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level=app.settings.log_level,
        )
    except SystemExit as stopped:
        # Uvicorn exits 3 when its server does not start: binding lost a race since the check above.
        # 3 is ours for "schema needs upgrading", so say what happened and exit with 4 instead.
        if stopped.code == UVICORN_STARTUP_FAILURE:
            raise CannotListenError(f"cannot listen on {host}:{port}: the server did not start") from None
        raise
