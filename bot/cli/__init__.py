"""The ``exemplar`` command: the group and its options in :mod:`bot.cli.root`, the commands in one
module per concern (collection, posts, digest, service, database, demo, desk), and what they share: how a
post is shown (:mod:`bot.cli.present`) and how a collection run reports progress
(:mod:`bot.cli.progress`)."""

from bot.cli import collection, database, demo, desk, posts, service, setup, subscribers
from bot.cli.posts import parse_since
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
