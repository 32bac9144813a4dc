"""Collecting from Bluesky by replaying responses shaped like the real XRPC API (httpx.MockTransport)."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select

from bot.config import BlueskySource
from bot.jobs.collect import CollectOptions, Collector
from bot.jobs.summary import SourceSummary
from bot.secrets import Secret
from storage.db import session_scope
from storage.models import Post
from tests.conftest import FakeClock

SOURCE = BlueskySource(
    handle="exemplar.bsky.social",
    app_password=Secret("abcd-efgh-ijkl-mnop"),
    base_url="https://bsky.social",
    hashtags=("fliplead",),
    name="bsky.app",
)


def collect_bluesky(
    collector: Collector, sources: tuple[BlueskySource, ...], transport: httpx.BaseTransport
) -> list[SourceSummary]:
    """One collect run over Bluesky sources only, its requests answered through ``transport``."""
    collector.transport = transport
    return collector.collect(sources, CollectOptions())


def jwt(**claims: Any) -> str:
    """A token shaped like the PDS's (the client reads its expiry; nothing checks the signature)."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    now = int(time.time())
    return ".".join(
        [part({"typ": "at+jwt", "alg": "ES256K"}), part({"iat": now, "exp": now + 7200, **claims}), "c2ln"]
    )


SESSION = {
    "did": "did:plc:exemplarbot",
    "handle": "exemplar.bsky.social",
    "accessJwt": jwt(scope="com.atproto.appPass", sub="did:plc:exemplarbot"),
    "refreshJwt": jwt(scope="com.atproto.refresh", sub="did:plc:exemplarbot"),
    "active": True,
}
PROFILE = {"did": "did:plc:exemplarbot", "handle": "exemplar.bsky.social", "displayName": "Exemplar"}
HEADERS = {"RateLimit-Limit": "3000", "RateLimit-Remaining": "2999", "RateLimit-Policy": "3000;w=300"}


def post_view(
    n: int, text: str, *, handle: str = "claire.bsky.social", labels: list[Any] | None = None
) -> dict[str, Any]:
    return {
        "uri": f"at://did:plc:claire/app.bsky.feed.post/3lpk{n:08d}",
        "cid": f"bafyrei{n}",
        "author": {
            "did": "did:plc:claire",
            "handle": handle,
            "displayName": "Claire Dubois",
            "labels": labels or [],
        },
        "record": {
            "$type": "app.bsky.feed.post",
            "createdAt": f"2026-11-18T10:{n % 60:02d}:00.000Z",
            "text": text,
            "facets": [
                {
                    "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "fliplead"}],
                    "index": {"byteStart": 0, "byteEnd": 9},
                }
            ],
        },
        "replyCount": 0,
        "repostCount": 1,
        "likeCount": 2,
        "quoteCount": 0,
        "indexedAt": f"2026-11-18T10:{n % 60:02d}:01.000Z",
        "labels": [],
    }


class FakePds:
    """Answers XRPC requests from a script of responses for searchPosts; records what was asked."""

    def __init__(self, searches: list[httpx.Response]) -> None:
        self.searches = searches
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path.endswith("com.atproto.server.createSession"):
            return httpx.Response(200, json=SESSION)
        if path.endswith("app.bsky.actor.getProfile"):
            return httpx.Response(200, json=PROFILE)
        if path.endswith("app.bsky.feed.searchPosts"):
            return self.searches.pop(0)
        return httpx.Response(404, json={"error": "MethodNotImplemented"})

    def searched(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.endswith("searchPosts")]


def page(posts: list[dict[str, Any]], cursor: str | None = None) -> httpx.Response:
    body: dict[str, Any] = {"posts": posts}
    if cursor:
        body["cursor"] = cursor
    return httpx.Response(200, json=body, headers=HEADERS)


def stored(engine: Engine) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(Post)) or 0)


def test_pages_then_searches_only_since_the_newest_post(
    make_collector: Callable[..., Collector], sqlite_engine: Engine
) -> None:
    pds = FakePds(
        [
            page(
                [post_view(n, f"#fliplead idea {n}") for n in range(30, 10, -1)],
                cursor="1731960000000::bafyrei11",
            ),
            page([post_view(n, f"#fliplead idea {n}") for n in range(10, 0, -1)]),
            page([]),
        ]
    )
    collector = make_collector()

    [summary] = collect_bluesky(collector, (SOURCE,), httpx.MockTransport(pds))

    assert summary.ok, summary.errors
    assert (summary.fetched, summary.new) == (30, 30)
    assert stored(sqlite_engine) == 30
    first, second = pds.searched()
    assert first.url.params["tag"] == "fliplead"
    assert first.url.params["sort"] == "latest"
    assert second.url.params["cursor"] == "1731960000000::bafyrei11"
    assert first.headers["Authorization"].startswith("Bearer ")

    [again] = collect_bluesky(collector, (SOURCE,), httpx.MockTransport(pds))
    assert again.fetched == 0
    assert pds.searched()[-1].url.params["since"] == "2026-11-18T10:30:01.000Z"


def test_a_rate_limit_is_waited_out_until_its_reset(
    make_collector: Callable[..., Collector], clock: FakeClock
) -> None:
    reset = int(clock.epoch()) + 30
    pds = FakePds(
        [
            httpx.Response(
                429,
                json={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                headers={**HEADERS, "RateLimit-Remaining": "0", "RateLimit-Reset": str(reset)},
            ),
            page([post_view(1, "#fliplead")]),
        ]
    )
    [summary] = collect_bluesky(make_collector(), (SOURCE,), httpx.MockTransport(pds))
    assert summary.ok, summary.errors
    assert summary.new == 1
    assert clock.slept == [pytest.approx(reset - clock.epoch())]  # until the reset, by the policy's clock


def test_gateway_errors_are_retried_and_a_refused_login_is_one_clear_line(
    make_collector: Callable[..., Collector],
) -> None:
    pds = FakePds([httpx.Response(502, text="Bad Gateway"), page([post_view(1, "#fliplead")])])
    [summary] = collect_bluesky(make_collector(max_retries=2), (SOURCE,), httpx.MockTransport(pds))
    assert summary.ok, summary.errors
    assert summary.new == 1

    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            401, json={"error": "AuthenticationRequired", "message": "Invalid identifier or password"}
        )

    [refused] = collect_bluesky(make_collector(), (SOURCE,), httpx.MockTransport(refuse))
    assert not refused.ok
    assert "Bluesky refused the login" in refused.errors[0]


def test_an_expired_session_is_refreshed(make_collector: Callable[..., Collector]) -> None:
    expired = {**SESSION, "accessJwt": jwt(scope="com.atproto.appPass", exp=int(time.time()) - 60)}
    calls: list[str] = []

    def pds(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path.rsplit("/", 1)[-1])
        if request.url.path.endswith("createSession"):
            return httpx.Response(200, json=expired)
        if request.url.path.endswith("refreshSession"):
            return httpx.Response(200, json=SESSION)
        if request.url.path.endswith("getProfile"):
            return httpx.Response(200, json=PROFILE)
        return page([post_view(1, "#fliplead")])

    [summary] = collect_bluesky(make_collector(), (SOURCE,), httpx.MockTransport(pds))
    assert summary.ok, summary.errors
    assert "com.atproto.server.refreshSession" in calls
    assert summary.new == 1


def test_authors_who_opted_out_are_skipped(
    make_collector: Callable[..., Collector], sqlite_engine: Engine
) -> None:
    label = {
        "src": "did:plc:q",
        "uri": "at://did:plc:q/app.bsky.actor.profile/self",
        "val": "!no-unauthenticated",
        "cts": "2024-11-13T02:13:44.288Z",
    }
    posts = [
        post_view(1, "#fliplead share me"),
        post_view(2, "#fliplead not me", handle="quiet.bsky.social", labels=[label]),
    ]
    pds = FakePds([page(posts)])
    [summary] = collect_bluesky(make_collector(), (SOURCE,), httpx.MockTransport(pds))
    assert summary.new == 1
    assert summary.skipped["opted out"] == 1
    assert stored(sqlite_engine) == 1
