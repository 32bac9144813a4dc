"""The desk's protections: who is logged in, CSRF tokens on every form, and login rate limiting."""

from __future__ import annotations

import hmac
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.requests import Request

SESSION_CURATOR = "curator"
SESSION_CSRF = "csrf"


def current_curator(request: Request) -> str | None:
    """The logged-in curator's email, if any."""
    value = request.session.get(SESSION_CURATOR)
    return str(value) if value else None


def csrf_token(request: Request) -> str:
    """This session's CSRF token (made on first use); every form carries it in a hidden field."""
    token = request.session.get(SESSION_CSRF)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_CSRF] = token
    return str(token)


def csrf_valid(request: Request, submitted: str | None) -> bool:
    expected = request.session.get(SESSION_CSRF)
    return bool(expected) and bool(submitted) and hmac.compare_digest(str(expected), str(submitted))


@dataclass
class LoginLimiter:
    """At most ``attempts`` failed logins per ``window`` seconds for one address or one client."""

    attempts: int = 5
    window: float = 300.0
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque[float]] = field(default_factory=dict)

    def blocked(self, *keys: str) -> bool:
        now = self.clock()
        for key in keys:
            recent = self._failures.get(key)
            while recent and now - recent[0] > self.window:
                recent.popleft()
            if recent and len(recent) >= self.attempts:
                return True
        return False

    def failed(self, *keys: str) -> None:
        now = self.clock()
        for key in keys:
            self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, *keys: str) -> None:
        for key in keys:
            self._failures.pop(key, None)
