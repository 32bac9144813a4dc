"""Every public route: the archive and the removal of posts by their authors."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from bot.config import Settings
from bot.jobs.store import PostStore
from bot.web.archive import archive_routes
from bot.web.mastodon_oauth import MastodonSignIn
from bot.web.removal import removal_routes

log = logging.getLogger(__name__)


def public_routes(
    engine: Engine,
    settings: Settings,
    store: PostStore,
    templates: Jinja2Templates,
    clock: Callable[[], datetime],
    sign_in: MastodonSignIn | None = None,
) -> list[Route]:
    if not settings.archive.public_url and not (settings.email and settings.email.public_url):
        log.warning(
            "[archive] public_url is not set: feeds and share cards will link to %s; set it to the "
            "address people reach this server at",
            settings.public_url,
        )
    return [
        *archive_routes(engine, settings, store, templates),
        *removal_routes(engine, settings, templates, clock, sign_in),
    ]
