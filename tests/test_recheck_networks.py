"""Re-checking X and Bluesky posts before publishing, against replayed responses shaped like the real APIs.

X answers through ``responses`` (tweepy uses requests), Bluesky through ``httpx.MockTransport``. Both
fakes serve a small world of posts and profiles and answer each lookup from it, as the real endpoints
do: X lists a deleted tweet under ``errors``, Bluesky's getPosts simply leaves it out.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import responses
from requests import PreparedRequest
from sqlalchemy import Engine

from bot.config import BlueskySource, XSource, settings_from_mapping
from bot.consent.rules import opt_out_reason
from bot.jobs.digest import DigestService
from bot.jobs.imports import import_file
from bot.jobs.publish import Publisher
from bot.jobs.store import PostStore
from bot.networks.bluesky.client import BlueskyClient
from bot.networks.bluesky.recheck import recheck_bluesky
from bot.networks.recheck import Current
from bot.networks.x.client import XClient
from bot.networks.x.recheck import recheck_x
from bot.retry import RetryPolicy
from bot.secrets import Secret
from digests.lifecycle import EmptyDigestError
from tests.conftest import FakeClock
from tests.test_collect_bluesky import HEADERS as BLUESKY_HEADERS
from tests.test_collect_bluesky import PROFILE, SESSION

NOW = 1_763_450_000.0
LOOKUP = "https://api.twitter.com/2/tweets"
X_SOURCE = XSource(bearer_token=Secret("AAAA-test-bearer"), hashtags=("fliplead",), name="x.com")
BLUESKY_SOURCE = BlueskySource(
    handle="exemplar.bsky.social",
    app_password=Secret("abcd-efgh-ijkl-mnop"),
    base_url="https://bsky.social",
    hashtags=("fliplead",),
    name="bsky.app",
)
UNREACHABLE = Current(None, None, reachable=False)
DELETED = Current(None, None, reachable=True)


class Sleeps:
    """The retry policy's sleep: remembers each wait instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def policy(sleeps: Sleeps) -> RetryPolicy:
    return RetryPolicy(
        max_retries=2, backoff_seconds=2.0, max_rate_limit_wait=300.0, sleep=sleeps, clock=lambda: NOW
    )


# --- X ------------------------------------------------------------------------------------------------

X_HEADERS = {
    "api-version": "2.52",
    "x-rate-limit-limit": "300",
    "x-rate-limit-remaining": "298",
    "x-rate-limit-reset": str(int(NOW) + 900),
}
MARIA = {"id": "190740340", "name": "María López", "username": "MariaLeads", "description": "Assistant head."}
QUIET = {
    "id": "177101260",
    "name": "Quiet Head",
    "username": "QuietHead",
    "description": "Headteacher. #NoBot",
}


def tweet(tweet_id: str, text: str, author: Mapping[str, Any] = MARIA) -> dict[str, Any]:
    return {
        "author_id": author["id"],
        "conversation_id": tweet_id,
        "created_at": "2026-11-18T06:43:27.000Z",
        "edit_history_tweet_ids": [tweet_id],
        "entities": {"hashtags": [{"start": 0, "end": 9, "tag": "fliplead"}]},
        "id": tweet_id,
        "lang": "en",
        "possibly_sensitive": False,
        "public_metrics": {
            "retweet_count": 2,
            "reply_count": 1,
            "like_count": 7,
            "quote_count": 0,
            "bookmark_count": 0,
            "impression_count": 310,
        },
        "text": text,
    }


def not_found(tweet_id: str) -> dict[str, Any]:
    return {
        "value": tweet_id,
        "detail": f"Could not find tweet with ids: [{tweet_id}].",
        "title": "Not Found Error",
        "resource_type": "tweet",
        "parameter": "ids",
        "resource_id": tweet_id,
        "type": "https://api.twitter.com/2/problems/resource-not-found",
    }


class FakeX:
    """GET /2/tweets over a set of live tweets; ``failures`` are answered first, one per request."""

    def __init__(self, tweets: list[dict[str, Any]], users: list[dict[str, Any]]) -> None:
        self.tweets = {t["id"]: t for t in tweets}
        self.users = {u["id"]: u for u in users}
        self.failures: list[tuple[int, dict[str, Any], dict[str, str]]] = []
        self.asked: list[list[str]] = []

    def __call__(self, request: PreparedRequest) -> tuple[int, dict[str, str], str]:
        if self.failures:
            status, body, headers = self.failures.pop(0)
            return status, headers, json.dumps(body)
        ids = parse_qs(urlsplit(str(request.url)).query)["ids"][0].split(",")
        self.asked.append(ids)
        found = [self.tweets[i] for i in ids if i in self.tweets]
        body: dict[str, Any] = {}
        if found:
            authors = dict.fromkeys(t["author_id"] for t in found)
            body["data"] = found
            body["includes"] = {"users": [self.users[a] for a in authors if a in self.users]}
        if missing := [i for i in ids if i not in self.tweets]:
            body["errors"] = [not_found(i) for i in missing]
        return 200, X_HEADERS, json.dumps(body)


@pytest.fixture
def api() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def serve(api: responses.RequestsMock, fake: FakeX) -> FakeX:
    api.add_callback(responses.GET, LOOKUP, callback=fake, content_type="application/json")
    return fake


def x_uri(tweet_id: str) -> str:
    return f"https://x.com/i/status/{tweet_id}"


def test_x_live_deleted_and_opted_out_tweets(api: responses.RequestsMock, policy: RetryPolicy) -> None:
    x = serve(
        api,
        FakeX(
            [
                tweet("1788459752172744762", "#fliplead Staff meeting flipped"),
                tweet("1788446299613806934", "#fliplead hi", QUIET),
            ],
            [MARIA, QUIET],
        ),
    )
    client = XClient(X_SOURCE, policy, request_timeout=5.0)
    live, gone, quiet = (
        x_uri(i) for i in ("1788459752172744762", "1456012973835788293", "1788446299613806934")
    )

    current = recheck_x(client, [live, gone, quiet])

    assert list(current) == [live, gone, quiet]
    assert current[gone] == DELETED
    post = current[live].post
    assert post is not None
    assert (post.uri, post.url, post.author.acct, post.text, post.hashtags, post.favourites_count) == (
        live,
        "https://x.com/MariaLeads/status/1788459752172744762",
        "marialeads@x.com",
        "#fliplead Staff meeting flipped",
        ("fliplead",),
        7,
    )
    assert current[live].profile == {"note": "Assistant head.", "fields": []}
    assert current[live].reachable is True
    quiet_profile = current[quiet].profile
    assert quiet_profile == {"note": "Headteacher. #NoBot", "fields": []}
    assert opt_out_reason(quiet_profile) == "profile says #nobot"
    assert x.asked == [["1788459752172744762", "1456012973835788293", "1788446299613806934"]]
    [call] = api.calls
    query = parse_qs(urlsplit(str(call.request.url)).query)
    assert query["expansions"] == ["author_id,attachments.media_keys,referenced_tweets.id"]
    assert query["user.fields"] == ["name,username,description"]
    assert call.request.headers["Authorization"] == "Bearer AAAA-test-bearer"
    assert client.requests_made == 1


def test_x_looks_up_at_most_100_ids_a_call(api: responses.RequestsMock, policy: RetryPolicy) -> None:
    ids = [str(1788459752172744762 + n) for n in range(150)]
    x = serve(api, FakeX([tweet(i, f"#fliplead idea {i}") for i in ids], [MARIA]))
    client = XClient(X_SOURCE, policy, request_timeout=5.0)

    current = recheck_x(client, [x_uri(i) for i in ids])

    assert [len(batch) for batch in x.asked] == [100, 50]
    assert x.asked[0] + x.asked[1] == ids
    assert [c.post.remote_id if c.post else None for c in current.values()] == ids
    assert all(c.reachable for c in current.values())
    with pytest.raises(ValueError, match="1 to 100 tweets"):
        client.lookup_page(ids[:101])


def test_x_server_errors_that_outlast_the_retries_leave_that_batch_unreachable(
    api: responses.RequestsMock, policy: RetryPolicy, sleeps: Sleeps, caplog: pytest.LogCaptureFixture
) -> None:
    ids = [str(1788459752172744762 + n) for n in range(101)]
    x = serve(api, FakeX([tweet(i, "#fliplead") for i in ids], [MARIA]))
    unavailable = {
        "title": "Service Unavailable",
        "detail": "Service Unavailable",
        "type": "about:blank",
        "status": 503,
    }
    x.failures = [(503, unavailable, {})] * 3
    client = XClient(X_SOURCE, policy, request_timeout=5.0)

    with caplog.at_level(logging.WARNING, logger="bot.networks.x.recheck"):
        current = recheck_x(client, [x_uri(i) for i in ids])

    assert [current[x_uri(i)] for i in ids[:100]] == [UNREACHABLE] * 100
    last = current[x_uri(ids[100])]
    assert last.reachable
    assert last.post is not None
    assert last.post.remote_id == ids[100]
    assert sleeps.waits == [2.0, 4.0]
    assert client.requests_made == 4
    assert (
        "could not re-check 100 X posts: x.com lookup of 100 tweets: server error 503 "
        "(gave up after 3 attempts)" in caplog.text
    )


def test_x_rate_limit_that_outlasts_the_retries_is_unreachable(
    api: responses.RequestsMock, policy: RetryPolicy, sleeps: Sleeps
) -> None:
    x = serve(api, FakeX([tweet("5", "#fliplead")], [MARIA]))
    limited = {
        "title": "Too Many Requests",
        "detail": "Too Many Requests",
        "type": "about:blank",
        "status": 429,
    }
    x.failures = [
        (429, limited, {**X_HEADERS, "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(NOW) + 30)})
    ] * 3
    client = XClient(X_SOURCE, policy, request_timeout=5.0)

    assert recheck_x(client, [x_uri("5")]) == {x_uri("5"): UNREACHABLE}
    assert sleeps.waits == [30.0, 30.0]
    assert x.asked == []


def test_x_tweet_without_its_author_is_unreachable_not_deleted(
    api: responses.RequestsMock, policy: RetryPolicy
) -> None:
    # The author's user object is missing from includes (as when X withholds it): unreadable, not gone.
    serve(api, FakeX([tweet("7", "#fliplead", QUIET)], [MARIA]))
    client = XClient(X_SOURCE, policy, request_timeout=5.0)
    assert recheck_x(client, [x_uri("7")]) == {x_uri("7"): UNREACHABLE}


def test_x_without_a_client_everything_is_unreachable() -> None:
    uris = [x_uri("1"), x_uri("2")]
    assert recheck_x(None, uris) == {uris[0]: UNREACHABLE, uris[1]: UNREACHABLE}


# --- Bluesky ------------------------------------------------------------------------------------------

NO_UNAUTHENTICATED = "!no-unauthenticated"


def self_label(did: str, value: str = NO_UNAUTHENTICATED) -> dict[str, Any]:
    return {
        "src": did,
        "uri": f"at://{did}/app.bsky.actor.profile/self",
        "cid": "bafyreibuhffhcfip5r6gpoion4wzy2z24p2hnjuupq2znrsejfk5d4ui7a",
        "val": value,
        "cts": "2024-11-13T02:13:44.288Z",
    }


def author_view(did: str, handle: str, labels: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "did": did,
        "handle": handle,
        "displayName": handle.split(".")[0].title(),
        "avatar": f"https://cdn.bsky.app/img/avatar/plain/{did}/bafkreihv2u6zfksev7jnfsd65t3hbzajmw7kw2s22gcxajyynekc4cljpi@jpeg",
        "associated": {"chat": {"allowIncoming": "following"}},
        "viewer": {"muted": False, "blockedBy": False},
        "labels": labels or [],
        "createdAt": "2024-09-04T11:55:00.863Z",
    }


def profile_view(
    did: str, handle: str, description: str, labels: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        **author_view(did, handle, labels),
        "description": description,
        "banner": f"https://cdn.bsky.app/img/banner/plain/{did}/bafkreib@jpeg",
        "followersCount": 812,
        "followsCount": 390,
        "postsCount": 1204,
        "indexedAt": "2025-01-02T10:00:00.000Z",
    }


def bsky_post(
    did: str, handle: str, rkey: str, text: str, labels: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "uri": f"at://{did}/app.bsky.feed.post/{rkey}",
        "cid": f"bafyrei{rkey}",
        "author": author_view(did, handle, labels),
        "record": {
            "$type": "app.bsky.feed.post",
            "createdAt": "2025-05-19T17:10:09.561858Z",
            "facets": [
                {
                    "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "fliplead"}],
                    "index": {"byteEnd": 9, "byteStart": 0},
                }
            ],
            "langs": ["en"],
            "text": text,
        },
        "replyCount": 0,
        "repostCount": 3,
        "likeCount": 4,
        "quoteCount": 0,
        "indexedAt": "2025-05-19T17:10:09.813Z",
        "viewer": {"threadMuted": False, "embeddingDisabled": False},
        "labels": [],
    }


CLAIRE = "did:plc:kkergqgbhb56ptpwj2wenkje"
QUIET_DID = "did:plc:s7savtl25cqhm3ddqc7jeljx"
LOCKED = "did:plc:koh6ega53iul5n6qomu6e7an"
PRIVATE = "did:plc:7nagdvjqrzaquzkfdq3ezw5m"


class FakeBluesky:
    """A PDS with some posts and profiles; getPosts and getProfiles answer only what exists."""

    def __init__(self, posts: list[dict[str, Any]], profiles: list[dict[str, Any]]) -> None:
        self.posts = {p["uri"]: p for p in posts}
        self.profiles = {p["did"]: p for p in profiles}
        self.failures: list[httpx.Response] = []
        self.asked_posts: list[list[str]] = []
        self.asked_profiles: list[list[str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        method = request.url.path.rsplit("/", 1)[-1]
        if method == "com.atproto.server.createSession":
            return httpx.Response(200, json=SESSION)
        if method == "app.bsky.actor.getProfile":
            return httpx.Response(200, json=PROFILE)
        if self.failures:
            return self.failures.pop(0)
        if method == "app.bsky.feed.getPosts":
            uris = request.url.params.get_list("uris")
            self.asked_posts.append(uris)
            found = [self.posts[u] for u in uris if u in self.posts]
            return httpx.Response(200, json={"posts": found}, headers=BLUESKY_HEADERS)
        if method == "app.bsky.actor.getProfiles":
            actors = request.url.params.get_list("actors")
            self.asked_profiles.append(actors)
            found = [self.profiles[a] for a in actors if a in self.profiles]
            return httpx.Response(200, json={"profiles": found}, headers=BLUESKY_HEADERS)
        return httpx.Response(
            501, json={"error": "MethodNotImplemented", "message": "Method Not Implemented"}
        )


def bluesky_client(pds: FakeBluesky, policy: RetryPolicy) -> BlueskyClient:
    return BlueskyClient(BLUESKY_SOURCE, policy, request_timeout=5.0, transport=httpx.MockTransport(pds))


def test_bluesky_live_deleted_opted_out_and_self_labelled_posts(policy: RetryPolicy) -> None:
    live = bsky_post(CLAIRE, "claire.bsky.social", "3lpk2u6qo222m", "#fliplead staff meetings")
    bio = bsky_post(QUIET_DID, "quiet.bsky.social", "3lpk2r5h5ec2j", "#fliplead quiet")
    labelled = bsky_post(
        LOCKED, "locked.bsky.social", "3lpjqrblspk2n", "#fliplead locked", [self_label(LOCKED)]
    )
    private = bsky_post(PRIVATE, "private.bsky.social", "3lpjqmiends2v", "#fliplead private")
    pds = FakeBluesky(
        [live, bio, labelled, private],
        [
            profile_view(CLAIRE, "claire.bsky.social", "Teacher in Lyon."),
            profile_view(QUIET_DID, "quiet.bsky.social", "Headteacher. #nobot"),
            profile_view(LOCKED, "locked.bsky.social", "", [self_label(LOCKED)]),
            # The label only on the full profile view still counts.
            profile_view(PRIVATE, "private.bsky.social", "Maths.", [self_label(PRIVATE)]),
        ],
    )
    gone = f"at://{CLAIRE}/app.bsky.feed.post/3lpk2aaaaaa2x"
    uris = [live["uri"], gone, bio["uri"], labelled["uri"], private["uri"]]

    current = recheck_bluesky(bluesky_client(pds, policy), uris)

    assert list(current) == uris
    assert current[gone] == DELETED
    post = current[live["uri"]].post
    assert post is not None
    assert (post.uri, post.url, post.author.acct, post.text, post.hashtags) == (
        live["uri"],
        "https://bsky.app/profile/claire.bsky.social/post/3lpk2u6qo222m",
        "claire.bsky.social",
        "#fliplead staff meetings",
        ("fliplead",),
    )
    profiles = {uri: current[uri].profile for uri in uris}
    assert profiles == {
        live["uri"]: {"note": "Teacher in Lyon.", "fields": [], "noindex": False},
        gone: None,
        bio["uri"]: {"note": "Headteacher. #nobot", "fields": [], "noindex": False},
        labelled["uri"]: {"note": "", "fields": [], "noindex": True},
        private["uri"]: {"note": "Maths.", "fields": [], "noindex": True},
    }
    assert [opt_out_reason(p) if p else None for p in profiles.values()] == [
        None,
        None,
        "profile says #nobot",
        "noindex is set",
        "noindex is set",
    ]
    assert all(c.reachable for c in current.values())
    assert pds.asked_posts == [uris]
    assert pds.asked_profiles == [[CLAIRE, QUIET_DID, LOCKED, PRIVATE]]


def test_bluesky_looks_up_at_most_25_posts_and_profiles_a_call(policy: RetryPolicy) -> None:
    posts = [
        bsky_post(CLAIRE, "claire.bsky.social", f"3lpk2u6qo{n:04d}", f"#fliplead {n}") for n in range(30)
    ]
    pds = FakeBluesky(posts, [profile_view(CLAIRE, "claire.bsky.social", "Teacher.")])
    client = bluesky_client(pds, policy)

    current = recheck_bluesky(client, [p["uri"] for p in posts])

    assert [len(batch) for batch in pds.asked_posts] == [25, 5]
    assert pds.asked_profiles == [[CLAIRE], [CLAIRE]]
    assert [c.post.uri if c.post else None for c in current.values()] == [p["uri"] for p in posts]
    with pytest.raises(ValueError, match="1 to 25 posts"):
        client.posts_page([p["uri"] for p in posts[:26]])
    with pytest.raises(ValueError, match="1 to 25 profiles"):
        client.profiles_page([CLAIRE] * 26)


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(502, text="Bad Gateway"),
        httpx.Response(
            429,
            json={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
            headers={**BLUESKY_HEADERS, "RateLimit-Remaining": "0", "RateLimit-Reset": str(int(NOW) + 20)},
        ),
    ],
    ids=["502", "429"],
)
def test_bluesky_errors_that_outlast_the_retries_are_unreachable(
    failure: httpx.Response, policy: RetryPolicy, sleeps: Sleeps, caplog: pytest.LogCaptureFixture
) -> None:
    posts = [bsky_post(CLAIRE, "claire.bsky.social", f"3lpk2u6qo{n:04d}", "#fliplead") for n in range(26)]
    pds = FakeBluesky(posts, [profile_view(CLAIRE, "claire.bsky.social", "Teacher.")])
    pds.failures = [failure] * 3

    with caplog.at_level(logging.WARNING, logger="bot.networks.bluesky.recheck"):
        current = recheck_bluesky(bluesky_client(pds, policy), [p["uri"] for p in posts])

    assert [current[p["uri"]] for p in posts[:25]] == [UNREACHABLE] * 25
    last = current[posts[25]["uri"]]
    assert last.reachable
    assert last.post is not None
    assert last.post.uri == posts[25]["uri"]
    assert pds.asked_posts == [[posts[25]["uri"]]]
    assert sleeps.waits == ([2.0, 4.0] if failure.status_code == 502 else [20.0, 20.0])
    assert "could not re-check 25 Bluesky posts: bsky.app lookup of 25 posts" in caplog.text


def test_bluesky_a_missing_profile_or_an_unreadable_post_is_unreachable(policy: RetryPolicy) -> None:
    orphan = bsky_post(QUIET_DID, "quiet.bsky.social", "3lpk2r5h5ec2j", "#fliplead")
    unreadable = bsky_post(CLAIRE, "claire.bsky.social", "3lpk2u6qo222m", "#fliplead")
    unreadable["author"]["handle"] = ""
    pds = FakeBluesky([orphan, unreadable], [profile_view(CLAIRE, "claire.bsky.social", "Teacher.")])

    current = recheck_bluesky(bluesky_client(pds, policy), [orphan["uri"], unreadable["uri"]])

    assert current == {orphan["uri"]: UNREACHABLE, unreadable["uri"]: UNREACHABLE}


def test_bluesky_without_a_client_everything_is_unreachable() -> None:
    uri = f"at://{CLAIRE}/app.bsky.feed.post/3lpk2u6qo222m"
    assert recheck_bluesky(None, [uri]) == {uri: UNREACHABLE}


# --- through the publisher ----------------------------------------------------------------------------


def twarc2_archive(path: Path, tweets: list[dict[str, Any]], users: list[dict[str, Any]]) -> Path:
    page = {"data": tweets, "includes": {"users": users}, "meta": {"result_count": len(tweets)}}
    path.write_text(json.dumps(page) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("x_access", [True, False])
def test_tweets_in_a_digest_are_rechecked_on_x_before_publishing(
    api: responses.RequestsMock, sqlite_engine: Engine, tmp_path: Path, x_access: bool
) -> None:
    video = tweet("1788459752172744762", "#fliplead Our flipped briefing https://t.co/AbCdEf1234")
    video["entities"]["urls"] = [
        {
            "start": 33,
            "end": 56,
            "url": "https://t.co/AbCdEf1234",
            "expanded_url": "https://youtu.be/Xc4ZsXq1a2Y",
            "display_url": "youtu.be/Xc4ZsXq1a2Y",
        }
    ]
    question = tweet("1788446299613806934", "#fliplead Anyone flipped a whole INSET day? Tips?", QUIET)
    clock = FakeClock()
    clock.now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    quiet_then = {**QUIET, "description": "Headteacher."}  # opts out only after being collected
    archive = twarc2_archive(tmp_path / "tweets.jsonl", [video, question], [MARIA, quiet_then])
    imported = import_file(
        sqlite_engine, archive, hashtags=("fliplead",), clock=clock, store=PostStore(), fmt="twarc2"
    )
    assert imported.new == 2
    serve(api, FakeX([video, question], [MARIA, QUIET]))
    settings = settings_from_mapping(
        {
            "hashtags": ["fliplead"],
            "collect": {"request_timeout": 2, "backoff_seconds": 0, "max_retries": 0},
            **({"x": [{"bearer_token_env": "X_BEARER"}]} if x_access else {}),
        },
        path=tmp_path / "exemplar.toml",
        environ={"X_BEARER": "AAAA-test-bearer"},
    )
    service = DigestService(sqlite_engine, settings, PostStore(), clock, actor="curator@school.example")
    draft = service.draft((datetime(2026, 11, 16, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC)))
    assert {item.source for item in service.view(draft.digest_id).items} == {"x"}
    service.transition(draft.digest_id, "approve")
    publisher = Publisher(service=service, home=None, transport=None, clock=clock, sleep=clock.sleep)

    if not x_access:
        # Both items are dropped, and an empty digest is never published: it says why, and stays approved.
        reason = "could not be re-checked: no \\[\\[x\\]\\] bearer token is configured"
        with pytest.raises(EmptyDigestError, match=rf"has no items.*post 1: {reason}; post 2: {reason}"):
            publisher.publish(draft.digest_id)
        assert not api.calls
        assert service.view(draft.digest_id).items == ()
        assert service.view(draft.digest_id).status == "approved"
        return
    report = publisher.publish(draft.digest_id)

    reasons = {drop.url: drop.reason for drop in report.dropped}
    quiet_url = "https://x.com/QuietHead/status/1788446299613806934"
    assert reasons == {quiet_url: "the author now opts out (profile says #nobot)"}
    assert [item.author_acct for item in service.view(draft.digest_id).items] == ["marialeads@x.com"]
