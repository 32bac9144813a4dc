"""Exemplar's own small state: values it generates once and keeps (such as its signing key)."""

from __future__ import annotations

import secrets

from sqlalchemy.orm import Session

from storage.models import AppState

SIGNING_KEY = "signing_key"


def signing_key(session: Session) -> str:
    """The key that signs unsubscribe links and sessions, generated on first use and kept."""
    row = session.get(AppState, SIGNING_KEY)
    if row is None:
        row = AppState(key=SIGNING_KEY, value=secrets.token_urlsafe(32))
        session.add(row)
        session.flush()
    return row.value
