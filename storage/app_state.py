"""Exemplar's own small state: values it generates once and keeps (such as its signing key)."""

from __future__ import annotations

import secrets
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import AppState

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql, sqlite

SIGNING_KEY = "signing_key"
INSTALLATION_ID = "installation_id"
# Changes whenever something leaves the published archive (see :func:`touch_archive`).
ARCHIVE_VERSION = "archive_version"


def signing_key(session: Session) -> str:
    """The key that signs unsubscribe links and sessions, generated on first use and kept.

    Several processes may ask at once on a fresh database (``serve --workers 4``): each offers a new
    key with an insert that does nothing if a key is already there, then all read the one that won.
    """
    found = session.scalar(select(AppState.value).where(AppState.key == SIGNING_KEY))
    if found is not None:
        return found
    return keep_first_value(session, SIGNING_KEY, secrets.token_urlsafe(32))


def _insert(session: Session) -> type[sqlite.Insert] | type[postgresql.Insert]:
    """The insert with ``ON CONFLICT`` of the database in use (the two Exemplar runs on), its dialect
    module loaded only then."""
    if session.get_bind().dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import Insert as SqliteInsert

        return SqliteInsert
    from sqlalchemy.dialects.postgresql import Insert as PostgresqlInsert

    return PostgresqlInsert


def keep_first_value(session: Session, key: str, value: str) -> str:
    """Store ``value`` under ``key`` unless a value is already stored (by anyone, at any moment),
    and return the value that is stored."""
    offer = _insert(session)(AppState).values(key=key, value=value).on_conflict_do_nothing()
    session.execute(offer)
    stored = session.scalar(select(AppState.value).where(AppState.key == key))
    assert stored is not None  # the insert above or another process put it there
    return stored


def installation_id(session: Session) -> str:
    """This installation's own id, made when its database was created (migration 0014) and kept.

    Two databases (a second community, a staging copy) publishing through one account have different
    ids, so the keys of their threads never collide.
    """
    found = session.scalar(select(AppState.value).where(AppState.key == INSTALLATION_ID))
    if found is not None:
        return found
    return keep_first_value(session, INSTALLATION_ID, uuid.uuid4().hex)  # a schema made without migrations


def touch_archive(session: Session) -> None:
    """Note that the published archive changed in a way its digests' count does not show (a post left
    it), so every process serving cached pages renders them again. A fresh random value: concurrent
    removals never write the same one back."""
    value = secrets.token_hex(8)
    upsert = _insert(session)(AppState).values(key=ARCHIVE_VERSION, value=value)
    session.execute(upsert.on_conflict_do_update(index_elements=["key"], set_={"value": value}))
