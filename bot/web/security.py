"""The desk's protections: who is logged in (sessions held on the server), CSRF tokens on every
form, and login throttling shared by every worker process.

A logged-in browser holds one cookie, ``exemplar_desk``, with a random token; the database holds
its hash, the curator and the CSRF token for that session. Logging out, a new password and removing
the curator delete the row, so a copy of the cookie taken earlier opens nothing. Pages for visitors
who are not logged in (the login form itself) keep their CSRF token in Starlette's signed session.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import Response

from bot.passwords import hash_password, verify_password
from storage import login_limits
from storage import sessions as session_repo
from storage.app_state import signing_key
from storage.db import session_scope
from storage.login_limits import Backoff
from storage.models import Curator
from storage.sessions import ActiveSession

SESSION_CSRF = "csrf"
DESK_COOKIE = "exemplar_desk"
# A browser a curator has logged in with: signed, it names the curator and a random nonce, and only
# changes which login throttle counts that browser's attempts (OWASP's "device cookies").
DEVICE_COOKIE = "exemplar_device"
DEVICE_LIFETIME = timedelta(days=365)
_RESOLVED = "desk_session"
# Five tries of one account from one client network, then 1 s, 2 s, 4 s... up to 5 minutes between.
ACCOUNT_CLIENT_BACKOFF = Backoff(free=5, base_seconds=1.0, max_seconds=300.0)
# Twenty tries from one client network, whatever the accounts, then the same doubling up to 15 minutes.
CLIENT_BACKOFF = Backoff(free=20, base_seconds=1.0, max_seconds=900.0)


@dataclass(frozen=True, slots=True)
class LoginLimiter:
    """How failed logins slow down, kept in the database for every worker.

    Two keys count each attempt: the account tried *from one client network* (a stranger guessing
    a curator's password slows only their own guesses, so the curator, elsewhere, still logs in),
    and the client network alone (one address cannot try many accounts quickly). Waits double
    after the free attempts, up to a cap: an attacker is slowed, nobody is locked out for good.
    """

    per_account_client: Backoff = ACCOUNT_CLIENT_BACKOFF
    per_client: Backoff = CLIENT_BACKOFF
    per_device: Backoff = ACCOUNT_CLIENT_BACKOFF

    def keys(self, email: str, client: str) -> tuple[str, str]:
        network = client_network(client)
        pair = hashlib.sha256(f"{email.strip().lower()}\n{network}".encode("utf-8", "replace")).hexdigest()
        alone = hashlib.sha256(network.encode("utf-8", "replace")).hexdigest()
        return f"account-client:{pair}", f"client:{alone}"

    def policies(self, email: str, client: str, device: str | None) -> dict[str, Backoff]:
        """The keys one attempt counts against: a known device's own, or the client's two."""
        if device:
            return {f"device:{hashlib.sha256(device.encode()).hexdigest()}": self.per_device}
        pair, alone = self.keys(email, client)
        return {pair: self.per_account_client, alone: self.per_client}

    def reserve(
        self, engine: Engine, email: str, client: str, now: datetime, device: str | None = None
    ) -> float:
        """0 if this attempt may check a password (it is counted now), else the seconds to wait.

        ``device`` is the nonce of a valid device cookie for ``email`` (a browser this curator logged
        in with before): its attempts count apart, so guesses by anyone else, even from the same
        address, never make the curator wait.
        """
        with session_scope(engine) as session:
            return login_limits.reserve_attempt(session, self.policies(email, client, device), now)

    def succeeded(self, engine: Engine, email: str, client: str, device: str | None = None) -> None:
        policies = self.policies(email, client, device)
        first, *others = policies
        with session_scope(engine) as session:
            login_limits.settle_success(session, forget=first, refund={key: policies[key] for key in others})


def client_network(host: str) -> str:
    """The unit a client is counted by: its IPv4 address, or its IPv6 /64 (one host's usual share)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:256]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)


@dataclass(slots=True)
class DeskAuth:
    """Server-held desk sessions: start, look up (once per request), end. Shared by the request
    threads: each call opens its own database session."""

    engine: Engine
    clock: Callable[[], datetime]
    secure_cookies: bool = False
    lifetime: timedelta = timedelta(hours=8)
    idle_timeout: timedelta = timedelta(hours=2)
    limiter: LoginLimiter = field(default_factory=LoginLimiter)
    _key: str = field(default="", init=False, repr=False)
    _key_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def signing_key(self) -> str:
        """The installation's signing key, read once: it is generated once and never changes."""
        with self._key_lock:  # request threads share this object
            if not self._key:
                with session_scope(self.engine) as session:
                    self._key = signing_key(session)
            return self._key

    def _device_signature(self, email: str, nonce: str) -> str:
        message = f"device\n{email.strip().lower()}\n{nonce}".encode("utf-8", "replace")
        return hmac.new(self.signing_key().encode(), message, hashlib.sha256).hexdigest()

    def device_of(self, request: Request, email: str) -> str | None:
        """The nonce of this browser's device cookie if it was issued for ``email``; else None."""
        nonce, _, signature = request.cookies.get(DEVICE_COOKIE, "")[:200].partition(".")
        if not nonce or not signature:
            return None
        expected = self._device_signature(email, nonce)
        return nonce if hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")) else None

    def remember_device(self, response: Response, email: str) -> None:
        nonce = secrets.token_urlsafe(16)
        response.set_cookie(
            DEVICE_COOKIE,
            f"{nonce}.{self._device_signature(email, nonce)}",
            max_age=int(DEVICE_LIFETIME.total_seconds()),
            path="/login",
            secure=self.secure_cookies,
            httponly=True,
            samesite="strict",
        )

    def session_of(self, request: Request) -> ActiveSession | None:
        """The live session this request's cookie names, looked up once per request."""
        if _RESOLVED in request.scope:
            found: ActiveSession | None = request.scope[_RESOLVED]
            return found
        token = request.cookies.get(DESK_COOKIE, "")
        found = None
        if token:
            with session_scope(self.engine) as session:
                found = session_repo.find_session(
                    session, token, now=self.clock(), idle_timeout=self.idle_timeout
                )
        request.scope[_RESOLVED] = found
        return found

    def start(self, request: Request, response: Response, curator_id: int) -> None:
        """Log in: a new session (never a reused one) and its cookie on ``response``."""
        client = request.client.host if request.client else ""
        with session_scope(self.engine) as session:
            curator = session.get(Curator, curator_id)
            if curator is None:
                return
            now = self.clock()
            curator.last_login_at = now
            token = session_repo.start_session(
                session, curator, now=now, lifetime=self.lifetime, client=client
            )
        response.set_cookie(
            DESK_COOKIE,
            token,
            max_age=int(self.lifetime.total_seconds()),
            path="/",
            secure=self.secure_cookies,
            httponly=True,
            samesite="lax",
        )

    def end(self, request: Request, response: Response) -> None:
        """Log out: the session is deleted on the server, and the cookie in the browser."""
        token = request.cookies.get(DESK_COOKIE, "")
        with session_scope(self.engine) as session:
            session_repo.end_session(session, token)
        request.scope[_RESOLVED] = None
        response.delete_cookie(
            DESK_COOKIE, path="/", secure=self.secure_cookies, httponly=True, samesite="lax"
        )


def _auth(request: Request) -> DeskAuth | None:
    auth = getattr(request.app.state, "desk_auth", None)
    return auth if isinstance(auth, DeskAuth) else None


def current_session(request: Request) -> ActiveSession | None:
    auth = _auth(request)
    return auth.session_of(request) if auth else None


def current_curator(request: Request) -> str | None:
    """The logged-in curator's email, if any."""
    found = current_session(request)
    return found.email if found else None


def csrf_token(request: Request) -> str:
    """The token every form carries: the desk session's, or (before login) the signed session's."""
    found = current_session(request)
    if found is not None:
        return found.csrf
    token = request.session.get(SESSION_CSRF)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_CSRF] = token
    return str(token)


def csrf_valid(request: Request, submitted: str | None) -> bool:
    found = current_session(request)
    expected = found.csrf if found is not None else request.session.get(SESSION_CSRF)
    if not expected or not submitted:
        return False
    return hmac.compare_digest(str(expected).encode(), str(submitted).encode("utf-8", "replace"))


@cache
def _dummy_hash() -> str:
    """A hash of a random password, made with the same cost as real ones, checked for unknown
    addresses so that a wrong address takes as long as a wrong password."""
    return hash_password(secrets.token_urlsafe(16))


def check_password(password: str, stored_hash: str | None) -> bool:
    """Whether ``password`` matches; with no account (``None``) a dummy hash is checked all the same."""
    if stored_hash is None:
        verify_password(password, _dummy_hash())
        return False
    return verify_password(password, stored_hash)
