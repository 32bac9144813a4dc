"""Setting up and looking after an installation: ``init``, ``check``, ``status``, ``db backup`` and
``db restore``. Their logic lives in :mod:`bot.setup` and :mod:`bot.health`; this only registers them."""

from __future__ import annotations

from bot.cli.root import _open_from_context, cli
from bot.setup.commands import init_command, status_command

cli.add_command(init_command())
cli.add_command(status_command(_open_from_context))
