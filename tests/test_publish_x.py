"""Publishing digest threads to X, replaying API v2 responses shaped like the real ones (``responses``).

The fake X keeps every tweet it accepts, answers ``users/me`` and the account's own timeline, and rewrites
links to t.co as X does, so the tests can see exactly what was posted, and how often.
"""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import responses
from mastodon_mock.testing import MockServer
from sqlalchemy import Engine

from bot.cli.digest import describe_publish
from bot.errors import ExemplarError
from bot.jobs.collect import Collector
from bot.jobs.publish import Publisher, PublishReport, ThreadReport
from digests.publish.thread import PostedThread
from digests.render.measure import URL, x_length
from digests.render.twitter_text import link_count
from storage import publications
from storage.db import session_scope
from tests.conftest import FakeClock
from tests.test_publish import approved_digest, build

X_API = "https://api.twitter.com/2"
ME = {"id": "1590000000000000001", "name": "Exemplar digest", "username": "ExemplarDigest"}
X_ENV = {
    "X_CONSUMER_KEY": "xvz1evFS4wEEPTGEFPHBog",
    "X_CONSUMER_SECRET": "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
    "X_ACCESS_TOKEN": "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
    "X_ACCESS_SECRET": "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
}
X_PUBLISH = {
    "consumer_key_env": "X_CONSUMER_KEY",
    "consumer_secret_env": "X_CONSUMER_SECRET",
    "access_token_env": "X_ACCESS_TOKEN",
    "access_token_secret_env": "X_ACCESS_SECRET",
}
RATE_HEADERS = {
    "x-rate-limit-limit": "200",
    "x-rate-limit-remaining": "199",
    "x-rate-limit-reset": "1635976418",
}


@dataclass
class Fault:
    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)
    keep_the_tweet: bool = False  # X accepted the tweet, then the answer was lost


@dataclass
class FakeX:
    """The three endpoints the X publisher uses, with faults injected per request."""

    clock: Callable[[], float] = time.time
    tweets: list[dict[str, Any]] = field(default_factory=list)
    create_faults: dict[int, Fault] = field(default_factory=dict)  # by create call number
    timeline_fault: Fault | None = None
    creates: int = 0
    timeline_reads: int = 0
    auth_headers: list[str] = field(default_factory=list)

    def create(self, request: Any) -> tuple[int, dict[str, str], str]:
        self.creates += 1
        self.auth_headers.append(str(request.headers.get("Authorization", "")))
        body = json.loads(request.body)
        fault = self.create_faults.get(self.creates)
        if fault is not None and not fault.keep_the_tweet:
            return fault.status, fault.headers, fault.body
        tweet_id = str(1860000000000000000 + len(self.tweets) + 1)
        reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        stored = {
            "id": tweet_id,
            "text": html.escape(URL.sub("https://t.co/AbCdEf1234", body["text"]), quote=False),
            "sent": body["text"],
            "reply_to": reply_to,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(self.clock())),
        }
        self.tweets.append(stored)
        if fault is not None:
            return fault.status, fault.headers, fault.body
        answer = {"data": {"id": tweet_id, "text": stored["text"], "edit_history_tweet_ids": [tweet_id]}}
        return 201, RATE_HEADERS, json.dumps(answer)

    def me(self, request: Any) -> tuple[int, dict[str, str], str]:
        return 200, RATE_HEADERS, json.dumps({"data": ME})

    def timeline(self, request: Any) -> tuple[int, dict[str, str], str]:
        self.timeline_reads += 1
        if self.timeline_fault is not None:
            return self.timeline_fault.status, self.timeline_fault.headers, self.timeline_fault.body
        data = [
            {
                "id": tweet["id"],
                "text": tweet["text"],
                "created_at": tweet["created_at"],
                "edit_history_tweet_ids": [tweet["id"]],
                **(
                    {"referenced_tweets": [{"type": "replied_to", "id": tweet["reply_to"]}]}
                    if tweet["reply_to"]
                    else {}
                ),
            }
            for tweet in reversed(self.tweets)
        ]
        meta: dict[str, Any] = {"result_count": len(data)}
        if data:
            meta |= {"newest_id": data[0]["id"], "oldest_id": data[-1]["id"]}
        body: dict[str, Any] = {"meta": meta}
        if data:
            body["data"] = data
        return 200, RATE_HEADERS, json.dumps(body)


@pytest.fixture
def x_api() -> Iterator[tuple[FakeX, responses.RequestsMock]]:
    fake = FakeX()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.POST, f"{X_API}/tweets", callback=fake.create)
        mock.add_callback(responses.GET, f"{X_API}/users/me", callback=fake.me)
        mock.add_callback(
            responses.GET, re.compile(rf"{re.escape(X_API)}/users/{ME['id']}/tweets"), callback=fake.timeline
        )
        mock.add_passthru("http://127.0.0.1")  # the mastodon_mock server the digest's posts come from
        yield fake, mock


def x_publisher(engine: Engine, server: MockServer, clock: FakeClock, *, mastodon: bool = False) -> Publisher:
    publish: dict[str, Any] = {"x": X_PUBLISH}
    if mastodon:
        publish["mastodon"] = {"base_url": server.base_url, "access_token_env": "BOT_TOKEN"}
    return build(engine, server, clock, smtp_port=None, environ=X_ENV, publish=publish)


def x_digest(
    network: MockServer,
    sqlite_engine: Engine,
    clock: FakeClock,
    make_collector: Callable[..., Collector],
    **options: Any,
) -> tuple[Publisher, int]:
    publisher = x_publisher(sqlite_engine, network, clock, **options)
    digest_id, _ = approved_digest(network, sqlite_engine, clock, make_collector, publisher)
    return publisher, digest_id


def x_thread(report: PublishReport) -> ThreadReport:
    thread = report.thread_on("x")
    assert thread is not None, "no X thread in the report"
    return thread


def posted(thread: ThreadReport) -> PostedThread:
    assert thread.thread is not None, "the X thread was not posted"
    return thread.thread


def assert_one_chain(fake: FakeX, parts: int) -> None:
    """Exactly ``parts`` tweets, each replying to the one before."""
    assert len(fake.tweets) == parts
    assert fake.tweets[0]["reply_to"] is None
    for parent, child in zip(fake.tweets, fake.tweets[1:], strict=False):
        assert child["reply_to"] == parent["id"]


def test_a_digest_is_posted_to_x_as_a_self_reply_thread_once(
    network: MockServer,
    sqlite_engine: Engine,
    clock: FakeClock,
    make_collector: Callable[..., Collector],
    x_api: tuple[FakeX, responses.RequestsMock],
) -> None:
    fake, _ = x_api
    publisher, digest_id = x_digest(network, sqlite_engine, clock, make_collector)

    report = publisher.publish(digest_id)

    thread = x_thread(report)
    assert report.thread_on("mastodon") is None  # only what is configured
    assert posted(thread).posted_now == len(thread.parts) == 5
    assert_one_chain(fake, 5)
    assert all(header.startswith("OAuth ") for header in fake.auth_headers)  # user context
    sent = [tweet["sent"] for tweet in fake.tweets]
    assert sent == [part.text for part in thread.parts]
    assert all(x_length(text) <= 280 for text in sent)
    assert "#fliplead" in sent[0]
    assert all("@" not in URL.sub("", text) for text in sent)  # credited by name, never @-mentioned
    # Links as X finds them: the video or tool each of three posts shares. The links to the posts are
    # on school.example, whose ".example" is no top-level domain X knows, so X sees no link there.
    assert len([link for text in sent for link in URL.findall(text)]) == 4 + 3
    assert thread.links == sum(link_count(text) for text in sent) == 3
    assert posted(thread).urls[0] == f"https://x.com/ExemplarDigest/status/{fake.tweets[0]['id']}"
    with session_scope(sqlite_engine) as session:
        rows = publications.thread_parts(session, digest_id, "x")
        assert [row.remote_id for row in rows] == [tweet["id"] for tweet in fake.tweets]

    again = publisher.publish(digest_id)

    assert posted(x_thread(again)).posted_now == 0
    assert fake.creates == 5


def test_a_rate_limited_post_waits_until_the_reset(
    network: MockServer,
    sqlite_engine: Engine,
    clock: FakeClock,
    make_collector: Callable[..., Collector],
    x_api: tuple[FakeX, responses.RequestsMock],
) -> None:
    fake, _ = x_api
    reset = int(clock.epoch()) + 30
    fake.create_faults[2] = Fault(
        429,
        json.dumps(
            {
                "title": "Too Many Requests",
                "detail": "Too Many Requests",
                "type": "about:blank",
                "status": 429,
            }
        ),
        {"x-rate-limit-limit": "200", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)},
    )
    publisher, digest_id = x_digest(network, sqlite_engine, clock, make_collector)

    report = publisher.publish(digest_id)

    assert report.status == "published"
    assert_one_chain(fake, 5)
    assert fake.creates == 6
    assert sum(clock.slept) == pytest.approx(
        reset - clock.epoch()
    )  # by the publisher's clock, not the wall's


def test_after_a_crash_between_posting_and_recording_the_part_is_found_not_posted_again(
    network: MockServer,
    sqlite_engine: Engine,
    clock: FakeClock,
    make_collector: Callable[..., Collector],
    x_api: tuple[FakeX, responses.RequestsMock],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake, _ = x_api
    publisher, digest_id = x_digest(network, sqlite_engine, clock, make_collector)
    record = publications.mark_part_posted
    calls: list[int] = []

    def die_while_recording_part_three(*args: Any, **kwargs: Any) -> None:
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt  # the process is killed after X accepted part 3
        record(*args, **kwargs)

    monkeypatch.setattr(publications, "mark_part_posted", die_while_recording_part_three)
    with pytest.raises(KeyboardInterrupt):
        publisher.publish(digest_id)
    monkeypatch.undo()
    assert len(fake.tweets) == 3

    report = publisher.publish(digest_id)

    thread = posted(x_thread(report))
    assert thread.posted_now == 2  # part 3 was found on the account, parts 4 and 5 posted
    assert fake.timeline_reads == 1
    assert_one_chain(fake, 5)
    assert list(thread.remote_ids) == [tweet["id"] for tweet in fake.tweets]


@pytest.mark.parametrize("posted_before_failing", [True, False])
def test_a_server_error_while_posting_is_never_retried_blindly(
    network: MockServer,
    sqlite_engine: Engine,
    clock: FakeClock,
    make_collector: Callable[..., Collector],
    x_api: tuple[FakeX, responses.RequestsMock],
    posted_before_failing: bool,
) -> None:
    fake, _ = x_api
    fake.create_faults[2] = Fault(
        503,
        json.dumps({"title": "Service Unavailable", "detail": "Service Unavailable", "status": 503}),
        keep_the_tweet=posted_before_failing,
    )
    publisher, digest_id = x_digest(network, sqlite_engine, clock, make_collector)

    with pytest.raises(ExemplarError, match="may or may not have been posted"):
        publisher.publish(digest_id)
    assert fake.creates == 2  # no second try in the same run

    report = publisher.publish(digest_id)

    assert report.status == "published"
    assert_one_chain(fake, 5)
    assert fake.timeline_reads == 1
    assert fake.creates == (5 if posted_before_failing else 6)


def test_a_malformed_answer_to_a_post_is_treated_as_maybe_posted(
    network: MockServer,
    sqlite_engine: Engine,
    clock: FakeClock,
    make_collector: Callable[..., Collector],
    x_api: tuple[FakeX, responses.RequestsMock],
) -> None:
    fake, _ = x_api
    fake.create_faults[1] = Fault(201, json.dumps({"data": {"text": "no id here"}}), keep_the_tweet=True)
    publisher, digest_id = x_digest(network, sqlite_engine, clock, make_collector)

    with pytest.raises(ExemplarError, match=r"part 1: .*may or may not have been posted"):
        publisher.publish(digest_id)
    publisher.publish(digest_id)

    assert_one_chain(fake, 5)
    assert fake.creates == 5


def test_when_the_account_cannot_be_read_back_the_curator_decides(
    network: MockServer,
    sqlite_engine: Engine,
    clock: FakeClock,
    make_collector: Callable[..., Collector],
    x_api: tuple[FakeX, responses.RequestsMock],
) -> None:
    fake, _ = x_api
    fake.create_faults[3] = Fault(503, json.dumps({"title": "Service Unavailable", "status": 503}))
    fake.timeline_fault = Fault(
        403,
        json.dumps(
            {
                "client_id": "28436583",
                "detail": "When authenticating requests to the Twitter API v2 endpoints, you must use "
                "keys and tokens from a Twitter developer App that is attached to a Project.",
                "registration_url": "https://developer.twitter.com/en/docs/projects/overview",
                "title": "Client Forbidden",
                "required_enrollment": "Appropriate Level of API Access",
                "reason": "client-not-enrolled",
                "type": "https://api.twitter.com/2/problems/client-forbidden",
            }
        ),
    )
    publisher, digest_id = x_digest(network, sqlite_engine, clock, make_collector)
    with pytest.raises(ExemplarError):
        publisher.publish(digest_id)

    with pytest.raises(ExemplarError, match="--retry-unconfirmed") as refused:
        publisher.publish(digest_id)
    assert "digest 1 stays approved" in str(refused.value)
    assert len(fake.tweets) == 2

    report = publisher.publish(digest_id, retry_unconfirmed=True)

    assert report.status == "published"
    assert_one_chain(fake, 5)


def test_refused_credentials_are_one_clear_line_and_nothing_is_posted(
    network: MockServer,
    sqlite_engine: Engine,
    clock: FakeClock,
    make_collector: Callable[..., Collector],
    x_api: tuple[FakeX, responses.RequestsMock],
) -> None:
    fake, mock = x_api
    mock.replace(
        responses.GET,
        f"{X_API}/users/me",
        status=401,
        json={"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"},
    )
    publisher, digest_id = x_digest(network, sqlite_engine, clock, make_collector)

    with pytest.raises(ExemplarError, match=r"X refused the credentials \(401\).*\[publish.x\]") as refused:
        publisher.publish(digest_id)

    assert "\n" not in str(refused.value)
    assert all(secret not in str(refused.value) for secret in X_ENV.values())
    assert fake.creates == 0
    assert publisher.service.view(digest_id).status == "approved"


def test_a_dry_run_counts_the_posts_and_links_and_calls_nothing(
    network: MockServer,
    sqlite_engine: Engine,
    clock: FakeClock,
    make_collector: Callable[..., Collector],
    x_api: tuple[FakeX, responses.RequestsMock],
) -> None:
    fake, mock = x_api
    publisher, digest_id = x_digest(network, sqlite_engine, clock, make_collector)

    report = publisher.publish(digest_id, dry_run=True)

    thread = x_thread(report)
    assert thread.thread is None
    assert (len(thread.parts), thread.links) == (5, 3)  # .example links are no links to X
    assert "X: would post a thread of 5 posts with 3 links:" in describe_publish(report).splitlines()
    assert not [call for call in mock.calls if "twitter.com" in call.request.url]
    assert fake.creates == 0


def test_x_is_off_unless_configured(
    network: MockServer,
    sqlite_engine: Engine,
    clock: FakeClock,
    make_collector: Callable[..., Collector],
    x_api: tuple[FakeX, responses.RequestsMock],
) -> None:
    _, mock = x_api
    publisher = build(sqlite_engine, network, clock, smtp_port=None, environ=X_ENV)
    digest_id, _ = approved_digest(network, sqlite_engine, clock, make_collector, publisher)

    report = publisher.publish(digest_id)

    assert [thread.channel for thread in report.threads] == ["mastodon"]
    assert not [call for call in mock.calls if "twitter.com" in call.request.url]
