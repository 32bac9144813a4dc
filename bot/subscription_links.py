"""Signed, expiring confirmation tokens for subscribing by double opt-in.

A token names the address and a single-use nonce kept in the database, signed with Exemplar's
signing key and timestamped, so it works only for the address it was sent to, only once, and only
for a while. Pure apart from the injected clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer

SALT = "exemplar-subscribe-confirm"


def _serializer(key: str, now: Callable[[], datetime]) -> URLSafeTimedSerializer:
    class ClockSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(now().timestamp())

    return URLSafeTimedSerializer(key, salt=SALT, signer=ClockSigner)


def confirmation_token(key: str, email: str, nonce: str, now: datetime) -> str:
    """E.g. ``eyJlIjoibGVhZGVyQHNjaG9vbC5vcmciLCJuIjoi...``: goes in the confirmation link."""
    return str(_serializer(key, lambda: now).dumps({"e": email, "n": nonce}))


def read_confirmation(
    key: str, token: str, now: datetime, *, max_age_seconds: float
) -> tuple[str, str] | None:
    """The (address, nonce) a token was made for, or ``None`` if it was altered or has expired."""
    try:
        value = _serializer(key, lambda: now).loads(token, max_age=int(max_age_seconds))
    except BadData:
        return None
    if not isinstance(value, dict):
        return None
    email, nonce = value.get("e"), value.get("n")
    if not isinstance(email, str) or not isinstance(nonce, str):
        return None
    return email, nonce
