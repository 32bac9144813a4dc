"""Collecting from X by replaying recorded-shape API v2 responses (``responses`` intercepts requests)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import responses
from sqlalchemy import Engine, func, select

from bot.config import XSource
from bot.jobs.collect import CollectOptions, Collector
from bot.jobs.summary import SourceSummary
from bot.secrets import Secret
from storage.db import session_scope
from storage.models import Post
from tests.conftest import FakeClock

SEARCH = "https://api.twitter.com/2/tweets/search/recent"
SOURCE = XSource(bearer_token=Secret("AAAA-test-bearer"), hashtags=("fliplead",), name="x.com")


def collect_x(collector: Collector, sources: tuple[XSource, ...]) -> list[SourceSummary]:
    """One collect run over X sources only, as `exemplar collect` runs every configured source."""
    return collector.collect(sources, CollectOptions())


def tweet(tweet_id: int, text: str, author: str = "1") -> dict[str, Any]:
    return {
        "id": str(tweet_id),
        "text": text,
        "author_id": author,
        "created_at": "2026-11-18T06:43:27.000Z",
        "edit_history_tweet_ids": [str(tweet_id)],
        "lang": "en",
        "public_metrics": {"retweet_count": 1, "reply_count": 0, "like_count": 3, "quote_count": 0},
    }


def page(
    tweets: list[dict[str, Any]], next_token: str | None = None, users: list[Any] | None = None
) -> dict[str, Any]:
    meta: dict[str, Any] = {"result_count": len(tweets)}
    if tweets:
        meta |= {"newest_id": tweets[0]["id"], "oldest_id": tweets[-1]["id"]}
    if next_token:
        meta["next_token"] = next_token
    body: dict[str, Any] = {"meta": meta}
    if tweets:
        body["data"] = tweets
        body["includes"] = {"users": users or [{"id": "1", "name": "María López", "username": "MariaLeads"}]}
    return body


HEADERS = {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "449", "x-rate-limit-reset": "1731960000"}


@pytest.fixture
def api() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def stored(engine: Engine) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(Post)) or 0)


def test_pages_then_an_incremental_poll_from_since_id(
    api: responses.RequestsMock, make_collector: Callable[..., Collector], sqlite_engine: Engine
) -> None:
    first = [tweet(300 - n, f"Flipped idea {n} #fliplead") for n in range(100)]
    second = [tweet(100 - n, f"Older idea {n} #fliplead") for n in range(20)]
    api.get(SEARCH, json=page(first, next_token="b26v89c19zqg8o3"), headers=HEADERS)
    api.get(SEARCH, json=page(second), headers=HEADERS)
    collector = make_collector()

    [summary] = collect_x(collector, (SOURCE,))

    assert summary.ok, summary.errors
    assert (summary.fetched, summary.new, summary.requests) == (120, 120, 2)
    assert stored(sqlite_engine) == 120
    first_call, second_call = api.calls[0].request, api.calls[1].request
    assert "query=%23fliplead+-is%3Aretweet" in first_call.url
    assert "max_results=100" in first_call.url
    assert "expansions=author_id" in first_call.url
    assert "next_token=b26v89c19zqg8o3" in second_call.url
    assert first_call.headers["Authorization"] == "Bearer AAAA-test-bearer"

    api.get(SEARCH, json=page([]), headers=HEADERS)
    [again] = collect_x(collector, (SOURCE,))
    assert (again.fetched, again.requests) == (0, 1)
    assert "since_id=300" in api.calls[2].request.url


def test_a_rate_limit_is_waited_out_until_its_reset(
    api: responses.RequestsMock, make_collector: Callable[..., Collector], clock: FakeClock
) -> None:
    reset = int(clock.epoch()) + 40
    api.get(
        SEARCH,
        status=429,
        json={"title": "Too Many Requests"},
        headers={**HEADERS, "x-rate-limit-reset": str(reset)},
    )
    api.get(SEARCH, json=page([tweet(5, "Hello #fliplead")]), headers=HEADERS)

    [summary] = collect_x(make_collector(), (SOURCE,))

    assert summary.ok
    assert summary.new == 1
    assert clock.slept == [pytest.approx(reset - clock.epoch())]  # until the reset, by the policy's clock


def test_server_errors_and_malformed_bodies_are_retried(
    api: responses.RequestsMock, make_collector: Callable[..., Collector]
) -> None:
    api.get(SEARCH, status=503, json={"title": "Service Unavailable"})
    api.get(SEARCH, body='{"data": [ truncated', headers=HEADERS)
    api.get(SEARCH, json=page([tweet(5, "Hello #fliplead")]), headers=HEADERS)

    [summary] = collect_x(make_collector(max_retries=3), (SOURCE,))

    assert summary.ok, summary.errors
    assert (summary.new, summary.requests) == (1, 3)


def test_a_plan_that_cannot_search_is_one_clear_line(
    api: responses.RequestsMock, make_collector: Callable[..., Collector]
) -> None:
    api.get(
        SEARCH,
        status=403,
        json={
            "client_id": "123",
            "detail": "When authenticating requests to the Twitter API v2 endpoints, you must use keys and "
            "tokens from a Twitter developer App that is attached to a Project.",
            "registration_url": "https://developer.twitter.com/en/docs/projects/overview",
            "title": "Client Forbidden",
            "required_enrollment": "Appropriate Level of API Access",
            "reason": "client-not-enrolled",
            "type": "https://api.twitter.com/2/problems/client-forbidden",
        },
    )
    [summary] = collect_x(make_collector(), (SOURCE,))
    assert not summary.ok
    assert "needs the Basic tier or higher" in summary.errors[0]
    assert "\n" not in summary.errors[0]
    assert summary.requests == 1


def test_opted_out_authors_and_malformed_tweets_are_skipped(
    api: responses.RequestsMock, make_collector: Callable[..., Collector], sqlite_engine: Engine
) -> None:
    users = [
        {"id": "1", "name": "María López", "username": "MariaLeads"},
        {"id": "2", "name": "Quiet", "username": "quiet", "description": "Headteacher. #NoBot please"},
    ]
    tweets = [tweet(9, "Share me #fliplead"), tweet(8, "Leave me out #fliplead", author="2"), {"id": "7"}]
    api.get(SEARCH, json=page(tweets, users=users), headers=HEADERS)

    [summary] = collect_x(make_collector(), (SOURCE,))

    assert summary.new == 1
    assert summary.skipped["opted out"] == 1
    assert summary.skipped["malformed"] == 1
    with session_scope(sqlite_engine) as session:
        [row] = session.scalars(select(Post))
        assert row.url == "https://x.com/MariaLeads/status/9"
        assert row.source == "x"
        assert json.loads(json.dumps(row.raw))["author"]["username"] == "MariaLeads"
