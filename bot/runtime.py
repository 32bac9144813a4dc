"""Opening Exemplar: settings loaded, logging set up, database engine ready and its schema checked."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from bot.classify.catalogue import load_catalogue
from bot.config import Settings, find_config, load_settings
from bot.jobs.applied_catalogue import catalogue_with_applied
from bot.jobs.store import PostStore
from storage.db import create_db_engine, ensure_schema


@dataclass(frozen=True, slots=True)
class App:
    settings: Settings
    engine: Engine
    store: PostStore


def open_app(config_path: Path | None, *, check_schema: bool = True) -> App:
    """Load the config and connect; by default also make sure the schema is current."""
    settings = load_settings(find_config(config_path))
    store = PostStore(catalogue=load_catalogue(settings.tools))
    engine = create_db_engine(settings.database_url.reveal(), lock_timeout=settings.database_lock_timeout)
    if check_schema:
        try:
            ensure_schema(engine)
            # Catalogue changes curators applied from `exemplar classify --report`.
            store = PostStore(catalogue=catalogue_with_applied(engine, store.catalogue))
        except BaseException:
            engine.dispose()
            raise
    return App(settings=settings, engine=engine, store=store)


@contextmanager
def opened_app(config_path: Path) -> Iterator[App]:
    """An app for one unit of work (a scheduled job), its connections closed afterwards."""
    app = open_app(config_path)
    try:
        yield app
    finally:
        app.engine.dispose()


def utc_now() -> datetime:
    return datetime.now(UTC)


def configure_logging(level: str) -> None:
    """Plain log lines on stderr; secrets never reach them (they are :class:`bot.secrets.Secret`)."""
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
        force=True,
    )
    # Third-party chatter (one line per HTTP request, alembic's plugin set-up and migration steps) is
    # noise at our default level: `db upgrade` says what it did in one line of its own.
    for noisy in ("urllib3", "httpx", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
