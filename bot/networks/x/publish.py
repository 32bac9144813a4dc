"""Digest threads on X: self-replies posted with user-context (OAuth 1.0a) auth through tweepy.

X has no idempotency key, so posting is never retried blindly: a 429 (nothing was posted) is waited
out, but a timeout or a 5xx leaves the part *attempted*; the next run reads the account's own recent
tweets for it before posting it again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

import requests
import tweepy

from bot.config import XPublisher
from bot.errors import MalformedResponseError
from bot.networks.publishing import CLOCK_SLACK, Channel, Publishing, part_key
from bot.networks.x.client import rate_limited
from bot.retry import CountedCalls, Failure, FailureKind, RetryPolicy
from digests.publish.thread import PlannedPart, PostedPart, looks_like_part
from digests.render.measure import X_MEASURE

X_WEB = "https://x.com"


def channel(context: Publishing) -> Channel | None:
    """Threads as the ``[publish.x]`` account, measured as X counts a tweet."""
    publisher = context.settings.publish_x
    if publisher is None:
        return None
    return Channel(
        X_MEASURE,
        XThreadPoster(publisher, context.policy, context.timeout, installation=context.installation),
    )


@dataclass(slots=True)
class XThreadPoster:
    """Posts parts as the account whose access token is configured."""

    publisher: XPublisher
    policy: RetryPolicy
    request_timeout: float
    channel: str = "x"
    installation: str = ""
    _client: tweepy.Client = field(init=False, repr=False)
    _calls: CountedCalls = field(init=False, repr=False)
    _me: dict[str, Any] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._calls = CountedCalls(self.policy, _lookup)
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
        return part_key(digest_id, self.channel, number, self.installation)

    def me(self) -> dict[str, Any]:
        """The account the access token posts as (``id``, ``username``)."""
        if self._me is None:

            def fetch() -> dict[str, Any]:
                answer = self._client.get_me(user_auth=True)
                data = answer.get("data") if isinstance(answer, dict) else None
                if not isinstance(data, dict) or not data.get("id") or not data.get("username"):
                    raise MalformedResponseError("users/me answered without the account's id and username")
                return data

            self._me = self._calls(fetch, "X account")
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

        return self._calls(create, f"X thread part {part.number}", classify=classify_x_post_error)

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

        for tweet in self._calls(fetch, f"X own tweets (looking for part {part.number})", classify=_lookup):
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

    @property
    def requests_made(self) -> int:
        return self._calls.made


def _posted(tweet_id: str, username: str) -> PostedPart:
    return PostedPart(tweet_id, f"{X_WEB}/{username}/status/{tweet_id}")


def _lookup(error: Exception) -> Failure:
    """Reads are safe to retry: what went wrong decides only how long to wait."""
    if isinstance(error, tweepy.TooManyRequests):
        return rate_limited(error)
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
        return rate_limited(error)
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
