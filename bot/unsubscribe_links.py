"""Signed unsubscribe links: anyone holding the link for an address may take that address off the list."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlencode


def unsubscribe_token(key: str, email: str) -> str:
    """A signature of ``email`` under ``key``: the link's proof that it was sent to that address."""
    digest = hmac.new(key.encode(), email.strip().lower().encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode().rstrip("=")


def token_matches(key: str, email: str, token: str) -> bool:
    return hmac.compare_digest(unsubscribe_token(key, email), token)


def unsubscribe_url(public_url: str, key: str, email: str) -> str:
    """E.g. ``https://exemplar.example.org/unsubscribe?email=leader%40school.org&token=...``."""
    query = urlencode({"email": email.strip().lower(), "token": unsubscribe_token(key, email)})
    return f"{public_url.rstrip('/')}/unsubscribe?{query}"
