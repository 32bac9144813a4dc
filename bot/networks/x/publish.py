"""Digest threads on X: self-replies posted with user-context (OAuth 1.0a) auth through tweepy.

X has no idempotency key, so posting is never retried blindly: a 429 (nothing was posted) is waited
out, but a timeout or a 5xx leaves the part *attempted*; the next run reads the account's own recent
tweets for it before posting it again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, TypeVar

import requests
import tweepy

from bot.config import XPublisher
from bot.errors import MalformedResponseError
from bot.retry import Failure, FailureKind, RetryPolicy
from digests.publish.thread import PlannedPart, PostedPart, looks_like_part

T = TypeVar("T")

CLOCK_SLACK = timedelta(minutes=10)
X_WEB = "https://x.com"


@dataclass(slots=True)
class XThreadPoster:
    """Posts parts as the account whose access token is configured."""

    publisher: XPublisher
    policy: RetryPolicy
    request_timeout: float
    channel: str = "x"
    requests_made: int = 0
    _client: tweepy.Client = field(init=False, repr=False)
    _me: dict[str, Any] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._client = tweepy.Client(
            consumer_key=self.publisher.consumer_key.reveal(),
            consumer_secret=self.publisher.consumer_secret.reveal(),
            access_token=self.publisher.access_token.reveal(),
            access_token_secret=self.publisher.access_token_secret.reveal(),
            return_type=dict,
            wait_on_rate_limit=False,
        )
        self._client.session.request = partial(self._client.session.request, timeout=self.request_timeout)

    def part_key(self, digest_id: int, number: int) -> str:
        return f"exemplar-{digest_id}-{self.channel}-{number}"

    def me(self) -> dict[str, Any]:
        """The account the access token posts as (``id``, ``username``)."""
        if self._me is None:

            def fetch() -> dict[str, Any]:
                answer = self._client.get_me(user_auth=True)
                data = answer.get("data") if isinstance(answer, dict) else None
                if not isinstance(data, dict) or not data.get("id") or not data.get("username"):
                    raise MalformedResponseError("users/me answered without the account's id and username")
                return data

            self._me = self._call(fetch, "X account")
        return self._me

    def post(self, part: PlannedPart, *, root: PostedPart | None, parent: PostedPart | None) -> PostedPart:
        username = self.me()["username"]

        def create() -> PostedPart:
            answer = self._client.create_tweet(
                text=part.text,
                in_reply_to_tweet_id=parent.remote_id if parent else None,
                user_auth=True,
            )
            data = answer.get("data") if isinstance(answer, dict) else None
            if not isinstance(data, dict) or not data.get("id"):
                raise MalformedResponseError("posting answered without a tweet id")
            return _posted(str(data["id"]), username)

        return self._call(create, f"X thread part {part.number}", classify=classify_x_post_error)

    def find(
        self, part: PlannedPart, *, root: PostedPart | None, parent: PostedPart | None, since: datetime
    ) -> PostedPart | None:
        me = self.me()
        start = (since - CLOCK_SLACK).astimezone(UTC).replace(microsecond=0)

        def fetch() -> list[dict[str, Any]]:
            page = self._client.get_users_tweets(
                me["id"],
                start_time=start.isoformat().replace("+00:00", "Z"),
                max_results=100,
                tweet_fields=["created_at", "referenced_tweets"],
                exclude=["retweets"],
                user_auth=True,
            )
            tweets = page.get("data") if isinstance(page, dict) else None
            if tweets is None:
                return []
            if not isinstance(tweets, list):
                raise MalformedResponseError("the user's tweets came back as something other than a list")
            return [tweet for tweet in tweets if isinstance(tweet, dict)]

        for tweet in self._call(fetch, f"X own tweets (looking for part {part.number})", classify=_lookup):
            replies_to = next(
                (
                    str(ref.get("id"))
                    for ref in tweet.get("referenced_tweets") or []
                    if isinstance(ref, dict) and ref.get("type") == "replied_to"
                ),
                None,
            )
            if looks_like_part(part, str(tweet.get("text") or ""), replies_to=replies_to, parent=parent):
                return _posted(str(tweet["id"]), me["username"])
        return None

    def _call(
        self, operation: Callable[[], T], what: str, classify: Callable[[Exception], Failure] | None = None
    ) -> T:
        def attempt() -> T:
            self.requests_made += 1
            return operation()

        return self.policy.call(attempt, classify or _lookup, what)


def _posted(tweet_id: str, username: str) -> PostedPart:
    return PostedPart(tweet_id, f"{X_WEB}/{username}/status/{tweet_id}")


def _lookup(error: Exception) -> Failure:
    """Reads are safe to retry: what went wrong decides only how long to wait."""
    if isinstance(error, tweepy.TooManyRequests):
        return _rate_limited(error)
    if isinstance(error, tweepy.TwitterServerError):
        return Failure(FailureKind.TRANSIENT, f"server error {error.response.status_code}")
    if isinstance(error, requests.Timeout | requests.ConnectionError):
        return Failure(FailureKind.TRANSIENT, f"network error ({type(error).__name__})")
    if isinstance(error, tweepy.Forbidden):
        return Failure(
            FailureKind.FATAL,
            "X refused to let us read the account's own tweets (403), so whether the part went out before "
            "the interruption cannot be checked: look at the account, and if the part is not there run "
            "`exemplar digest publish DIGEST_ID --retry-unconfirmed`",
        )
    return _fatal(error)


def classify_x_post_error(error: Exception) -> Failure:
    """Posting is retried only when X cannot have posted anything (a 429, a refused connection)."""
    if isinstance(error, tweepy.TooManyRequests):
        return _rate_limited(error)
    if isinstance(error, requests.ConnectionError) and not isinstance(error, requests.ReadTimeout):
        return Failure(FailureKind.TRANSIENT, f"could not connect ({type(error).__name__})")
    if isinstance(error, tweepy.TwitterServerError | requests.Timeout | MalformedResponseError):
        what = (
            f"server error {error.response.status_code}"
            if isinstance(error, tweepy.TwitterServerError)
            else type(error).__name__
        )
        return Failure(
            FailureKind.FATAL,
            f"{what}: the part may or may not have been posted; run the publish again, it looks for the "
            "part on the account before posting it",
        )
    return _fatal(error)


def _rate_limited(error: tweepy.TooManyRequests) -> Failure:
    reset = error.response.headers.get("x-rate-limit-reset") if error.response is not None else None
    return Failure(FailureKind.RATE_LIMITED, "rate limited (429)", float(reset) if reset else None)


def _fatal(error: Exception) -> Failure:
    if isinstance(error, tweepy.Unauthorized):
        return Failure(
            FailureKind.FATAL,
            "X refused the credentials (401): check the four variables named in [publish.x] "
            "(consumer key and secret, access token and secret)",
        )
    if isinstance(error, tweepy.Forbidden):
        return Failure(FailureKind.FATAL, _forbidden(error))
    if isinstance(error, json.JSONDecodeError | requests.JSONDecodeError):
        return Failure(FailureKind.FATAL, "X answered with something that is not JSON")
    if isinstance(error, tweepy.HTTPException):
        return Failure(FailureKind.FATAL, f"X answered {error.response.status_code}: {error}")
    return Failure(FailureKind.FATAL, f"{type(error).__name__}: {error}")


def _forbidden(error: tweepy.Forbidden) -> str:
    try:
        detail = error.response.json()
    except ValueError:
        detail = {}
    said = str(detail.get("detail") or detail.get("title") or "")
    if "duplicate" in said.lower():
        return (
            "X refused a part as a duplicate of a tweet the account already posted; check its recent tweets"
        )
    if (
        detail.get("reason") == "client-not-enrolled"
        or "oauth1" in said.lower()
        or "permission" in said.lower()
    ):
        return (
            f"X refused to post (403{': ' + said if said else ''}): the app needs Read and Write permission "
            "and access tokens generated after that was set, with the app attached to a Project"
        )
    return f"X refused to post (403{': ' + said if said else ''})"
