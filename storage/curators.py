"""Curator accounts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Curator


def add_curator(session: Session, email: str, password_hash: str, now: datetime) -> Curator:
    """Create a curator, or set a new password for an existing one."""
    address = email.strip().lower()
    curator = session.scalar(select(Curator).where(Curator.email == address))
    if curator is None:
        curator = Curator(email=address, password_hash=password_hash, created_at=now)
        session.add(curator)
    else:
        curator.password_hash = password_hash
    session.flush()
    return curator


def find_curator(session: Session, email: str) -> Curator | None:
    return session.scalar(select(Curator).where(Curator.email == email.strip().lower()))
