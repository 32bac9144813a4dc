"""The web app built from ``$EXEMPLAR_CONFIG``, for uvicorn worker processes (``serve --workers N``)."""

from __future__ import annotations

import logging

from starlette.applications import Starlette

from bot.runtime import configure_logging, open_app, utc_now
from bot.web.app import create_app


def app_from_environment() -> Starlette:
    """Each worker process opens the app from the config the parent found."""
    app = open_app(None)
    if not logging.getLogger().handlers:  # a spawned worker: log as the parent does
        configure_logging(app.settings.log_level)
    email = app.settings.email
    secure = bool(email and (email.public_url or "").startswith("https://"))
    return create_app(app.engine, utc_now, app.settings, app.store, secure_cookies=secure)
