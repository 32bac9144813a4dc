"""Reading Mastodon's API as plain JSON with httpx, for the calls collection makes on every run.

Mastodon.py casts every status into typed objects (about 6 ms a status), which Exemplar then turned
back into plain data: collection spent nearly half its time doing and undoing that. The hashtag
timeline is read here instead, as the JSON the server sent. What a failed request means for the retry
policy is the same as for a Mastodon.py call (:func:`bot.networks.mastodon.client.classify_mastodon_error`):
network errors and 5xx are transient, 429 is a rate limit with its reset time, 401 and 404 are fatal.
"""

from __future__ import annotations

import json
import ssl
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime
from functools import cache
from typing import Any

import httpx

from bot.retry import Failure, FailureKind

# Mastodon.py's messages for the same answers, so a log reads the same whichever client made the call.
UNAUTHORIZED = (
    "the instance refused the request (401): it needs a valid access token for this; "
    "set access_token_env for this instance, or check the token"
)
NOT_FOUND = "not found (404); is this a Mastodon-compatible instance?"


class ApiFailureError(Exception):
    """A request that failed, and what that means for retrying."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


class JsonApi:
    """GET requests to one instance's API, answered as parsed JSON (no retries: the caller's policy
    retries)."""

    def __init__(
        self,
        base_url: str,
        *,
        access_token: str | None,
        user_agent: str,
        timeout: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._clock = clock  # the epoch a rate limit's reset is read against (the retry policy's)
        headers = {"User-Agent": user_agent, "Accept": "application/json"}
        if access_token:
            headers["Authorization"] = f"Bearer {access_token}"
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers=headers,
            timeout=httpx.Timeout(timeout),
            follow_redirects=True,
            verify=_tls_context(),
        )

    def get(self, path: str, params: Mapping[str, str | int | list[str]]) -> Any:
        """The JSON answer to ``GET path?params``; raises :class:`ApiFailureError` when there is none."""
        try:
            response = self._client.get(path, params=params)
        except httpx.HTTPError as error:  # timeouts, refused or dropped connections, bad URLs
            detail = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
            raise ApiFailureError(
                Failure(FailureKind.TRANSIENT, f"network error (Could not complete request: {detail})")
            ) from error
        if response.status_code >= 400:
            raise ApiFailureError(failure_of(response, now=self._clock()))
        try:
            return json.loads(response.content)
        except ValueError as error:
            raise ApiFailureError(
                Failure(FailureKind.MALFORMED, "the response was not valid JSON")
            ) from error

    def close(self) -> None:
        self._client.close()


@cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every client in the process: reading the CA bundle costs more
    than the request a collect that finds nothing new makes."""
    return httpx.create_ssl_context()


def failure_of(response: httpx.Response, *, now: float | None = None) -> Failure:
    """What an error answer means for retrying (``now``: the epoch a rate limit's reset is read against)."""
    code = response.status_code
    if code == 429:
        reset = rate_limit_reset(response.headers, now)
        return Failure(FailureKind.RATE_LIMITED, "rate limited (429)", reset)
    if code == 401:
        return Failure(FailureKind.FATAL, UNAUTHORIZED)
    if code == 404:
        return Failure(FailureKind.FATAL, NOT_FOUND)
    if 500 <= code <= 511:
        return Failure(FailureKind.TRANSIENT, f"server error {code}")
    return Failure(FailureKind.FATAL, f"API error {code}: {_error_text(response)}")


def rate_limit_reset(headers: httpx.Headers, now: float | None = None) -> float | None:
    """When the rate limit resets, as a local epoch time, from ``X-RateLimit-Reset`` (an epoch or an
    ISO 8601 time), corrected for the server's clock (``Date``); ``None`` if unknown or passed."""
    now = time.time() if now is None else now
    value = headers.get("X-RateLimit-Reset")
    if not value:
        return None
    try:
        reset = float(int(value)) if value.strip().isdigit() else _iso_epoch(value)
        if headers.get("Date"):
            reset += now - parsedate_to_datetime(headers["Date"]).timestamp()
    except (ValueError, TypeError, OverflowError):
        return None
    return reset if reset > now else None


def _iso_epoch(value: str) -> float:
    return datetime.fromisoformat(value.strip().replace("Z", "+00:00")).timestamp()


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        body = None
    message = body.get("error") if isinstance(body, dict) else None
    return str(message or response.reason_phrase or "Mastodon API returned error")[:200]
