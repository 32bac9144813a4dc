"""The ``exemplar`` command: the group and its options in :mod:`bot.cli.root`, the commands in one
module per concern (collection, posts, digest, service, database, demo, desk, setup, subscribers), and
what they share: how a post is shown (:mod:`bot.cli.present`) and how a collection run reports
progress (:mod:`bot.cli.progress`).

The command modules load when a command needs them (:data:`bot.cli.root.COMMAND_MODULES`), so that
starting ``exemplar`` stays quick; ``bot.cli.posts`` and the like still work as attributes.
"""

from __future__ import annotations

import importlib
from typing import Any

from bot.cli.root import cli, main

__all__ = [
    "cli",
    "collection",
    "database",
    "demo",
    "desk",
    "main",
    "parse_since",
    "posts",
    "service",
    "setup",
    "subscribers",
]

_LAZY_MODULES = ("collection", "database", "demo", "desk", "posts", "service", "setup", "subscribers")


def __getattr__(name: str) -> Any:
    if name in _LAZY_MODULES:
        return importlib.import_module(f"bot.cli.{name}")
    if name == "parse_since":
        return importlib.import_module("bot.cli.posts").parse_since
    raise AttributeError(f"module 'bot.cli' has no attribute {name!r}")
