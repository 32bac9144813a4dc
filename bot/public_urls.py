"""Absolute links: every address that leaves this machine (in an email, a feed, a thread) is built
here, from ``[archive] public_url`` (else ``[email] public_url``: :attr:`Settings.configured_public_url`).

Without ``public_url`` (emails only go to the outbox, or none are configured), the web app uses the
address it was reached at, and everything else :data:`LOCAL_URL`, where ``exemplar serve`` listens
by default. Sending by SMTP requires ``public_url`` (the config refuses to load without it).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from bot.config import Settings

LOCAL_URL = "http://127.0.0.1:8000"


def public_base(settings: Settings | None, fallback: str | None = None) -> str:
    """Where people reach ``exemplar serve``, without a trailing slash.

    ``fallback`` (e.g. a request's base URL) is used only when ``public_url`` is not configured.
    """
    configured = settings.configured_public_url if settings is not None else None
    return (configured or fallback or LOCAL_URL).rstrip("/")


def absolute_url(base: str, path: str) -> str:
    """``absolute_url("https://x.example/", "/feed.atom")`` → ``"https://x.example/feed.atom"``."""
    return f"{base.rstrip('/')}/{path.lstrip('/')}"


@dataclass(frozen=True, slots=True)
class PublicUrls:
    """The public addresses of the archive's pages and of the subscription links."""

    base: str

    @classmethod
    def of(cls, settings: Settings | None, fallback: str | None = None) -> PublicUrls:
        return cls(public_base(settings, fallback))

    @property
    def index(self) -> str:
        return absolute_url(self.base, "/")

    def digest(self, digest_id: int) -> str:
        return absolute_url(self.base, f"/digests/{digest_id}")

    @property
    def feed(self) -> str:
        return absolute_url(self.base, "/feed.atom")

    @property
    def subscribe(self) -> str:
        return absolute_url(self.base, "/subscribe")

    def unsubscribe(self, token: str) -> str:
        """Short on purpose (``/u/`` and a 22-character token): it fits a header line unfolded."""
        return absolute_url(self.base, f"/u/{token}")

    def confirm_subscription(self, token: str) -> str:
        return absolute_url(self.base, "/subscribe/confirm?" + urlencode({"token": token}))
