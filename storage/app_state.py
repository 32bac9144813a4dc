"""Exemplar's own small state: values it generates once and keeps (such as its signing key)."""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy.orm import Session

from storage.models import AppState

SIGNING_KEY = "signing_key"
INSTALLATION_ID = "installation_id"


def signing_key(session: Session) -> str:
    """The key that signs unsubscribe links and sessions, generated on first use and kept."""
    row = session.get(AppState, SIGNING_KEY)
    if row is None:
        row = AppState(key=SIGNING_KEY, value=secrets.token_urlsafe(32))
        session.add(row)
        session.flush()
    return row.value


def installation_id(session: Session) -> str:
    """This installation's own id, made when its database was created (migration 0014) and kept.

    Two databases (a second community, a staging copy) publishing through one account have different
    ids, so the keys of their threads never collide.
    """
    row = session.get(AppState, INSTALLATION_ID)
    if row is None:  # a schema made without the migrations
        row = AppState(key=INSTALLATION_ID, value=uuid.uuid4().hex)
        session.add(row)
        session.flush()
    return row.value
