"""Recent search and tweet lookup on X (API v2) through tweepy, with our retry policy around each call.

tweepy runs with ``wait_on_rate_limit=False`` and answers raw JSON (``return_type=dict``), so there is
one retry policy (ours) and the raw payload is what the API sent.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, TypeVar

import requests
import tweepy

from bot.config import XSource
from bot.errors import MalformedResponseError
from bot.retry import Failure, FailureKind, RetryPolicy

T = TypeVar("T")

PAGE_SIZE = 100
LOOKUP_LIMIT = 100
EXPANSIONS = ["author_id", "attachments.media_keys", "referenced_tweets.id"]
TWEET_FIELDS = [
    "created_at",
    "lang",
    "public_metrics",
    "entities",
    "possibly_sensitive",
    "referenced_tweets",
    "attachments",
    "conversation_id",
]
USER_FIELDS = ["name", "username", "description"]
MEDIA_FIELDS = ["type", "url", "preview_image_url", "variants", "duration_ms", "alt_text"]

# Every read asks for the same expansions, so a looked-up tweet normalises like a searched one.
_EXPANDED: dict[str, Any] = {
    "expansions": EXPANSIONS,
    "tweet_fields": TWEET_FIELDS,
    "user_fields": USER_FIELDS,
    "media_fields": MEDIA_FIELDS,
}


def _object(answer: object, what: str) -> dict[str, Any]:
    if not isinstance(answer, dict):
        raise MalformedResponseError(f"expected a {what} object, got {type(answer).__name__}")
    return answer


class XClient:
    """The calls Exemplar makes to X, each counted and retried by one policy."""

    def __init__(self, source: XSource, policy: RetryPolicy, request_timeout: float) -> None:
        self.source = source
        self.policy = policy
        self.requests_made = 0
        self._client = tweepy.Client(
            bearer_token=source.bearer_token.reveal(), return_type=dict, wait_on_rate_limit=False
        )
        # tweepy sets no timeout of its own; every request gets ours.
        self._client.session.request = partial(self._client.session.request, timeout=request_timeout)

    def search_page(self, tag: str, *, since_id: str | None, next_token: str | None) -> dict[str, Any]:
        """One page (up to 100) of recent public tweets with ``#tag``, retweets excluded, newest first."""

        def fetch() -> dict[str, Any]:
            page = self._client.search_recent_tweets(
                f"#{tag} -is:retweet",
                since_id=since_id,
                next_token=next_token,
                max_results=PAGE_SIZE,
                **_EXPANDED,
            )
            return _object(page, "page")

        return self._call(fetch, f"{self.source.name} #{tag}")

    def lookup_page(self, ids: Sequence[str]) -> dict[str, Any]:
        """The tweets with these ids (1 to 100), with their authors and media, as ``GET /2/tweets`` answers.

        A tweet that is gone is not in ``data`` but in ``errors`` (``resource-not-found``).
        """
        if not 0 < len(ids) <= LOOKUP_LIMIT:
            raise ValueError(f"look up 1 to {LOOKUP_LIMIT} tweets at a time, not {len(ids)}")

        def fetch() -> dict[str, Any]:
            return _object(self._client.get_tweets(ids=list(ids), **_EXPANDED), "lookup")

        return self._call(fetch, f"{self.source.name} lookup of {len(ids)} tweets")

    def _call(self, operation: Callable[[], T], what: str) -> T:
        def attempt() -> T:
            self.requests_made += 1
            return operation()

        return self.policy.call(attempt, classify_x_error, what)


def classify_x_error(error: Exception) -> Failure:
    """What a tweepy (or requests) exception means for the retry policy."""
    if isinstance(error, MalformedResponseError):
        return Failure(FailureKind.MALFORMED, str(error))
    if isinstance(error, tweepy.TooManyRequests):
        reset = error.response.headers.get("x-rate-limit-reset") if error.response is not None else None
        return Failure(FailureKind.RATE_LIMITED, "rate limited (429)", float(reset) if reset else None)
    if isinstance(error, tweepy.TwitterServerError):
        return Failure(FailureKind.TRANSIENT, f"server error {error.response.status_code}")
    if isinstance(error, tweepy.Unauthorized | tweepy.Forbidden):
        return Failure(FailureKind.FATAL, _access_message(error))
    if isinstance(error, requests.Timeout | requests.ConnectionError):
        return Failure(FailureKind.TRANSIENT, f"network error ({type(error).__name__})")
    if isinstance(error, json.JSONDecodeError | requests.JSONDecodeError):
        return Failure(FailureKind.MALFORMED, "the response was not valid JSON")
    if isinstance(error, tweepy.HTTPException):
        return Failure(FailureKind.FATAL, f"X answered {error.response.status_code}: {error}")
    return Failure(FailureKind.FATAL, f"{type(error).__name__}: {error}")


def _access_message(error: tweepy.HTTPException) -> str:
    """One line saying which access is needed, from X's problem details."""
    try:
        detail = error.response.json()
    except ValueError:
        detail = {}
    reason = str(detail.get("reason") or detail.get("title") or "")
    if error.response.status_code == 401:
        return "X refused the bearer token (401): check the variable named by x.bearer_token_env"
    if reason == "client-not-enrolled" or "access level" in str(detail).lower():
        return (
            "X refused recent search (403, client-not-enrolled): this app's access level cannot search; "
            "recent search needs the Basic tier or higher, with the app attached to a Project"
        )
    return f"X refused recent search (403{', ' + reason if reason else ''}): check the app's access level"
