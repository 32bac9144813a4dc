"""Signing an author in with their own Mastodon account (OAuth 2 authorization code, with PKCE), only
to learn who they are: Exemplar asks for ``read:accounts``, reads the account once, and revokes the
token at once.

Exemplar registers itself as an app on each instance the first time someone from there signs in
(``POST /api/v1/apps``) and keeps the registration (:class:`storage.models.OAuthClient`).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import ipaddress
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
from sqlalchemy import Engine

from bot.errors import ExemplarError
from bot.networks.mastodon.client import USER_AGENT
from storage.db import session_scope
from storage.models import OAuthClient

SCOPE = "read:accounts"
TIMEOUT = httpx.Timeout(10.0)


class SignInError(ExemplarError):
    """The instance did not let the author sign in (or answered something Exemplar cannot use)."""


@dataclass(frozen=True, slots=True)
class Authorization:
    """Where to send the author's browser, and what to keep until they come back."""

    url: str
    state: str
    code_verifier: str


@dataclass(frozen=True, slots=True)
class SignedIn:
    """The account the instance vouches for: its username there and its profile URL."""

    username: str
    url: str


def instance_of(profile_url: str) -> str | None:
    """The instance that holds the account at ``profile_url``: its origin, or ``None`` when it cannot
    be signed in to (not https; plain http only on a loopback address, for local servers). Pure.

    >>> instance_of("https://School.example/@maria")
    'https://school.example'
    >>> instance_of("http://school.example/@maria") is None
    True
    """
    try:
        parts = urlsplit(profile_url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host or parts.scheme not in ("http", "https"):
        return None
    if parts.scheme == "http" and not _loopback(host):
        return None
    if _private_address(host):
        return None  # a profile URL from federated data must not aim Exemplar at a private network
    netloc = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{netloc}{f':{port}' if port else ''}"


def _private_address(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_loopback and not address.is_global


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(slots=True)
class MastodonSignIn:
    """The sign-in flow against any instance; ``redirect_uri`` is Exemplar's callback page."""

    engine: Engine
    redirect_uri: str
    clock: Callable[[], datetime]
    client_name: str = "Exemplar archive"
    website: str | None = None
    transport: httpx.BaseTransport | None = None

    def authorization(self, instance: str) -> Authorization:
        """Register with ``instance`` if need be; the URL that asks the author to sign in there."""
        try:
            client_id, _secret = self._client(instance)
        except httpx.HTTPError as error:
            raise SignInError(f"could not reach {instance} ({type(error).__name__})") from error
        state = secrets.token_urlsafe(24)
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        query = urlencode(
            {
                "client_id": client_id,
                "redirect_uri": self.redirect_uri,
                "response_type": "code",
                "scope": SCOPE,
                "state": state,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        return Authorization(f"{instance}/oauth/authorize?{query}", state, verifier)

    def account(self, instance: str, code: str, code_verifier: str) -> SignedIn:
        """Trade the code the author came back with for a token, read whose it is, revoke it."""
        try:
            return self._account(instance, code, code_verifier)
        except httpx.HTTPError as error:
            raise SignInError(f"could not reach {instance} ({type(error).__name__})") from error

    def _account(self, instance: str, code: str, code_verifier: str) -> SignedIn:
        client_id, client_secret = self._client(instance)
        with self._http() as http:
            token_answer = self._json(
                http.post(
                    f"{instance}/oauth/token",
                    data={
                        "grant_type": "authorization_code",
                        "code": code,
                        "client_id": client_id,
                        "client_secret": client_secret,
                        "redirect_uri": self.redirect_uri,
                        "scope": SCOPE,
                        "code_verifier": code_verifier,
                    },
                ),
                "sign-in",
            )
            token = token_answer.get("access_token")
            if not isinstance(token, str) or not token:
                raise SignInError(f"{instance} gave no access token")
            try:
                account = self._json(
                    http.get(
                        f"{instance}/api/v1/accounts/verify_credentials",
                        headers={"Authorization": f"Bearer {token}"},
                    ),
                    "account lookup",
                )
            finally:
                self._revoke(http, instance, token, client_id, client_secret)
        username, url = account.get("username") or account.get("acct"), account.get("url")
        if not isinstance(username, str) or not isinstance(url, str) or not username:
            raise SignInError(f"{instance} did not say which account signed in")
        return SignedIn(username=username.split("@")[0], url=url)

    def _client(self, instance: str) -> tuple[str, str]:
        with session_scope(self.engine) as session:
            known = session.get(OAuthClient, (instance, self.redirect_uri))
            if known is not None:
                return known.client_id, known.client_secret
        with self._http() as http:
            answer = self._json(
                http.post(
                    f"{instance}/api/v1/apps",
                    data={
                        "client_name": self.client_name,
                        "redirect_uris": self.redirect_uri,
                        "scopes": SCOPE,
                        **({"website": self.website} if self.website else {}),
                    },
                ),
                "app registration",
            )
        client_id, client_secret = answer.get("client_id"), answer.get("client_secret")
        if not isinstance(client_id, str) or not isinstance(client_secret, str) or not client_id:
            raise SignInError(f"{instance} did not register Exemplar as an app")
        with session_scope(self.engine) as session:
            session.merge(
                OAuthClient(
                    instance_url=instance,
                    redirect_uri=self.redirect_uri,
                    client_id=client_id,
                    client_secret=client_secret,
                    created_at=self.clock(),
                )
            )
        return client_id, client_secret

    def _revoke(self, http: httpx.Client, instance: str, token: str, client_id: str, secret: str) -> None:
        # The token can read one profile only; an instance that cannot revoke it now expires it later.
        with contextlib.suppress(httpx.HTTPError):
            http.post(
                f"{instance}/oauth/revoke",
                data={"token": token, "client_id": client_id, "client_secret": secret},
            )

    def _http(self) -> httpx.Client:
        return httpx.Client(
            timeout=TIMEOUT,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            follow_redirects=False,
            transport=self.transport,
        )

    @staticmethod
    def _json(response: httpx.Response, step: str) -> dict[str, Any]:
        if response.status_code >= 400:
            raise SignInError(f"the instance refused the {step} (HTTP {response.status_code})")
        try:
            body = response.json()
        except ValueError as error:
            raise SignInError(f"the instance's {step} answer is not JSON") from error
        if not isinstance(body, dict):
            raise SignInError(f"the instance's {step} answer is not an object")
        return body
