"""Setting up and looking after an installation: ``init``, ``check``, ``status``, ``db backup`` and
``db restore``. Their logic lives in :mod:`bot.setup` and :mod:`bot.health`; this only registers them."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.database import db
from bot.cli.root import _Options, cli
from bot.runtime import App
from bot.setup.commands import (
    backup_command,
    check_command,
    init_command,
    restore_command,
    status_command,
)


def _open(*, check_schema: bool = True) -> App:
    options = click.get_current_context().find_object(_Options)
    assert options is not None
    return options.open(check_schema=check_schema)


def _config_path() -> Path | None:
    options = click.get_current_context().find_object(_Options)
    return options.config if options is not None else None


cli.add_command(init_command())
cli.add_command(check_command(_config_path))
cli.add_command(status_command(_open))
db.add_command(backup_command(_open))
db.add_command(restore_command(_open))
