"""Publishing digest threads to Bluesky through a fake PDS (httpx.MockTransport) answering like the real one.

Only what the real PDS (test_publish_bluesky_pds.py) cannot be made to do is tested here: a rate limit,
an access token that expires, an account with email 2FA on. The digest and its helpers serve both.

The fake PDS keeps the records it is asked to create, by record key, and answers ``getRecord`` from them,
so each test can count what really went out: every part once, chained by root and parent references.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import pytest
from mastodon_mock.config import DatabaseConfig, MastodonMockConfig, SeedAccount, SeedConfig
from mastodon_mock.testing import MockServer
from sqlalchemy import Engine

from bot.errors import ExemplarError
from bot.jobs.collect import CollectOptions, Collector
from bot.jobs.publish import Publisher, PublishReport, ThreadReport
from digests.publish.thread import PostedThread
from digests.render.measure import graphemes
from digests.render.sanitize import link_without_mention
from storage import publications
from storage.db import session_scope
from storage.models import Digest as DigestRow
from storage.models import Publication
from tests.conftest import FakeClock, source_for
from tests.test_publish import build as build_publisher

PDS_URL = "https://pds.example"
DID = "did:plc:exemplarbot"
HANDLE = "exemplar.bsky.social"
# Fixture values for a fake PDS, not credentials.
APP_PASSWORD = "abcd-efgh-ijkl-mnop"
MAIN_PASSWORD = "correct horse battery staple"
PASSWORD_ENV = "EXEMPLAR_BLUESKY_APP_PASSWORD"
COLLECTION = "app.bsky.feed.post"
# A TID: 13 base32-sortable characters, the first one keeping the top bit clear.
TID_SYNTAX = re.compile(r"[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}")
RATE_HEADERS = {"RateLimit-Limit": "5000", "RateLimit-Remaining": "4990", "RateLimit-Policy": "5000;w=3600"}
PROFILE = {"did": DID, "handle": HANDLE, "displayName": "Exemplar", "labels": []}

SEED = SeedConfig(
    accounts=[
        # Tokens for a mock server, not credentials.
        SeedAccount(username="maria", display_name="María López", access_token="maria_token"),
        SeedAccount(username="sam", display_name="Sam Okafor 🌍", access_token="sam_token"),
        SeedAccount(username="lee", display_name="Lee Chen", access_token="lee_token"),
    ]
)


def jwt(**claims: Any) -> str:
    """A token shaped like the PDS's (the SDK reads its expiry; nothing checks the signature)."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    now = int(time.time())
    return ".".join([part({"typ": "at+jwt", "alg": "ES256K"}), part({"iat": now, **claims}), "c2ln"])


def cid_of(data: Any) -> str:
    """A CID-looking content hash (``bafyrei`` and 52 base32 characters), stable for the same content."""
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).digest()
    return "bafyrei" + base64.b32encode(digest).decode().lower().rstrip("=")[:52]


def xrpc_error(status: int, error: str, message: str) -> httpx.Response:
    return httpx.Response(status, json={"error": error, "message": message}, headers=RATE_HEADERS)


@dataclass
class Fault:
    """The ``call``-th request (from 1) to ``method`` gets ``answer`` (a response, or a transport error
    raised) instead of the PDS's."""

    method: str
    call: int
    answer: httpx.Response | httpx.TransportError


@dataclass
class FakePds:
    """A PDS with one account: sessions (expiring access tokens, rotating refresh tokens), and a repo
    of ``app.bsky.feed.post`` records created and read by record key."""

    # How long the access tokens issued by createSession stay valid (negative: already expired).
    login_token_lifetime: int = 7200
    two_factor: bool = False
    faults: list[Fault] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)  # rkeys, in the order the records were stored
    sessions: list[dict[str, Any]] = field(default_factory=list)  # as answered, logins and refreshes
    _access: dict[str, int] = field(default_factory=dict)  # token → expiry
    _refresh: set[str] = field(default_factory=set)
    _issued: itertools.count[int] = field(default_factory=itertools.count)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        method = request.url.path.removeprefix("/xrpc/")
        if method == "com.atproto.server.createSession":
            return self._create_session(request)
        if method == "com.atproto.server.refreshSession":
            return self._refresh_session(request)
        refused = self._check_access(request)
        if refused is not None:
            return refused
        calls = sum(1 for r in self.requests if r.url.path == request.url.path)
        for fault in self.faults:
            if fault.method == method and fault.call == calls:
                if isinstance(fault.answer, httpx.TransportError):
                    raise fault.answer
                return fault.answer
        return self._answer(method, request)

    def calls(self, method: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path == f"/xrpc/{method}"]

    def create_keys(self) -> list[str]:
        """The rkey of every createRecord request, in the order they were made."""
        return [json.loads(r.content)["rkey"] for r in self.calls("com.atproto.repo.createRecord")]

    def _answer(self, method: str, request: httpx.Request) -> httpx.Response:
        if method == "app.bsky.actor.getProfile":
            return httpx.Response(200, json=PROFILE, headers=RATE_HEADERS)
        if method == "com.atproto.repo.createRecord":
            return self._create_record(json.loads(request.content))
        if method == "com.atproto.repo.getRecord":
            return self._get_record(request.url.params)
        return xrpc_error(501, "MethodNotImplemented", "Method Not Implemented")

    def _create_session(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body["identifier"] != HANDLE or body["password"] not in (APP_PASSWORD, MAIN_PASSWORD):
            return xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
        if body["password"] == MAIN_PASSWORD and self.two_factor and not body.get("authFactorToken"):
            return xrpc_error(
                401, "AuthFactorTokenRequired", "A sign in code has been sent to your email address"
            )
        return self._session(self.login_token_lifetime)

    def _refresh_session(self, request: httpx.Request) -> httpx.Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self._refresh:
            return xrpc_error(400, "ExpiredToken", "Token has been revoked")
        self._refresh.discard(token)  # refresh tokens rotate
        return self._session(7200)

    def _session(self, lifetime: int) -> httpx.Response:
        serial = next(self._issued)
        expiry = int(time.time()) + lifetime
        access = jwt(scope="com.atproto.appPass", sub=DID, exp=expiry, jti=f"a{serial}")
        refresh = jwt(
            scope="com.atproto.refresh", sub=DID, exp=int(time.time()) + 7_776_000, jti=f"r{serial}"
        )
        self._access[access] = expiry
        self._refresh.add(refresh)
        body = {"did": DID, "handle": HANDLE, "accessJwt": access, "refreshJwt": refresh, "active": True}
        self.sessions.append(body)
        return httpx.Response(200, json=body, headers=RATE_HEADERS)

    def _check_access(self, request: httpx.Request) -> httpx.Response | None:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self._access:
            return xrpc_error(401, "AuthenticationRequired", "Authentication Required")
        if self._access[token] <= time.time():
            return xrpc_error(400, "ExpiredToken", "Token has expired")
        return None

    def _create_record(self, body: dict[str, Any]) -> httpx.Response:
        rkey, record = body.get("rkey"), body["record"]
        if body["repo"] not in (DID, HANDLE) or body["collection"] != COLLECTION:
            return xrpc_error(400, "InvalidRequest", f"Invalid repo or collection: {body['repo']}")
        if not isinstance(rkey, str) or not TID_SYNTAX.fullmatch(rkey):
            return xrpc_error(400, "InvalidRequest", f"Invalid record key: {rkey}")
        if graphemes(record["text"]) > 300:
            return xrpc_error(
                400,
                "InvalidRecord",
                "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes",
            )
        if rkey in self.records:
            return xrpc_error(400, "InvalidRequest", "Record already exists")
        uri = f"at://{DID}/{COLLECTION}/{rkey}"
        self.records[rkey] = {"uri": uri, "cid": cid_of(record), "value": record}
        self.created.append(rkey)
        answer = {
            "uri": uri,
            "cid": self.records[rkey]["cid"],
            "commit": {"cid": cid_of([uri, len(self.created)]), "rev": rkey},
            "validationStatus": "valid",
        }
        return httpx.Response(200, json=answer, headers=RATE_HEADERS)

    def _get_record(self, params: httpx.QueryParams) -> httpx.Response:
        rkey = params["rkey"]
        if (
            params["repo"] not in (DID, HANDLE)
            or params["collection"] != COLLECTION
            or rkey not in self.records
        ):
            return xrpc_error(
                400,
                "RecordNotFound",
                f"Could not locate record: at://{params['repo']}/{params['collection']}/{rkey}",
            )
        return httpx.Response(200, json=self.records[rkey], headers=RATE_HEADERS)


@pytest.fixture
def network() -> Iterator[MockServer]:
    """The Mastodon instance the digest's posts come from."""
    config = MastodonMockConfig(domain="school.example", database=DatabaseConfig(path=":memory:"), seed=SEED)
    with MockServer(config=config) as server:
        yield server


def build(
    engine: Engine, server: MockServer, clock: FakeClock, pds: FakePds, *, password: str = APP_PASSWORD
) -> Publisher:
    """A Publisher configured to post to Bluesky only, its requests answered by ``pds``."""
    publisher = build_publisher(
        engine,
        server,
        clock,
        smtp_port=None,
        environ={PASSWORD_ENV: password},
        publish={"bluesky": {"handle": HANDLE, "app_password_env": PASSWORD_ENV, "base_url": PDS_URL}},
        email=None,
    )
    publisher.bluesky_transport = httpx.MockTransport(pds)
    return publisher


def approved_digest(
    server: MockServer, clock: FakeClock, make_collector: Callable[..., Collector], publisher: Publisher
) -> tuple[int, dict[str, str]]:
    """An approved digest of four posts; returns its id and the link to each post as threads show it."""
    posts = {
        "video": server.client("maria").status_post(
            "Nuestra reunión «flipped» en vídeo 🎬 https://youtu.be/Xc4ZsXq1a2Y #fliplead"
        ),
        "video2": server.client("sam").status_post(
            "Parents' explainer https://vimeo.com/812345678 #fliplead"
        ),
        "tool": server.client("lee").status_post(
            "Staff questions (h/t @lee.bsky.social) on a Padlet wall: https://padlet.com/r/q #fliplead"
        ),
        "question": server.client("sam").status_post(
            "Anyone tried flipping a whole INSET day? "
            + "Tips welcome, even half-formed ones 🙏 " * 8
            + "#fliplead"
        ),
    }
    make_collector().collect((source_for(server),), CollectOptions())
    report = publisher.service.draft((clock.now - timedelta(days=7), clock.now + timedelta(minutes=1)))
    publisher.service.transition(report.digest_id, "approve")
    links = {name: link_without_mention(post.url, post.uri) for name, post in posts.items()}
    return report.digest_id, {name: link for name, link in links.items() if link is not None}


def bluesky_thread(report: PublishReport) -> ThreadReport:
    thread = report.thread_on("bluesky")
    assert thread is not None, "no Bluesky thread in the report"
    return thread


def posted(report: PublishReport) -> PostedThread:
    thread = bluesky_thread(report).thread
    assert thread is not None, "the Bluesky thread was not posted"
    return thread


def planned(engine: Engine, digest_id: int) -> list[Publication]:
    with session_scope(engine) as session:
        rows = publications.thread_parts(session, digest_id, "bluesky")
        session.expunge_all()
    return rows


def status_of(engine: Engine, digest_id: int) -> str:
    with session_scope(engine) as session:
        row = session.get(DigestRow, digest_id)
        assert row is not None
        return row.status


def strong_ref(ref: dict[str, Any]) -> dict[str, Any]:
    """A com.atproto.repo.strongRef without its optional ``$type``."""
    return {key: value for key, value in ref.items() if key != "$type"}


def assert_one_chained_record_per_part(pds: FakePds, keys: list[str]) -> None:
    """Each key holds exactly one record; the first is not a reply, each later one replies to the
    first (root) and to the one before it (parent), by URI and CID."""
    assert sorted(pds.created) == sorted(keys)
    assert len(set(pds.created)) == len(pds.created)
    records = [pds.records[key] for key in keys]
    first = records[0]
    assert "reply" not in first["value"]
    for previous, record in itertools.pairwise(records):
        reply = record["value"]["reply"]
        assert strong_ref(reply["root"]) == {"uri": first["uri"], "cid": first["cid"]}
        assert strong_ref(reply["parent"]) == {"uri": previous["uri"], "cid": previous["cid"]}


def test_a_rate_limit_is_waited_out_and_the_part_posted_once(
    network: MockServer, sqlite_engine: Engine, clock: FakeClock, make_collector: Callable[..., Collector]
) -> None:
    reset = int(clock.epoch()) + 20
    limited = httpx.Response(
        429,
        json={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
        headers={**RATE_HEADERS, "RateLimit-Remaining": "0", "RateLimit-Reset": str(reset)},
    )
    pds = FakePds(faults=[Fault("com.atproto.repo.createRecord", 3, limited)])
    publisher = build(sqlite_engine, network, clock, pds)
    digest_id, _ = approved_digest(network, clock, make_collector, publisher)

    report = publisher.publish(digest_id)

    keys = [row.idempotency_key for row in planned(sqlite_engine, digest_id)]
    assert posted(report).posted_now == 5
    assert len(clock.slept) == 1
    assert clock.slept[0] == pytest.approx(reset - clock.epoch())  # by the publisher's clock
    assert [r.url.params["rkey"] for r in pds.calls("com.atproto.repo.getRecord")] == [keys[2]]  # not found
    assert pds.create_keys() == [*keys[:3], keys[2], *keys[3:]]  # part 3 asked twice...
    assert pds.created == keys  # ...and stored once
    assert_one_chained_record_per_part(pds, keys)


def test_an_expired_session_is_refreshed_and_publishing_continues(
    network: MockServer, sqlite_engine: Engine, clock: FakeClock, make_collector: Callable[..., Collector]
) -> None:
    pds = FakePds(login_token_lifetime=-60)  # the PDS answers a token that has already expired
    publisher = build(sqlite_engine, network, clock, pds)
    digest_id, _ = approved_digest(network, clock, make_collector, publisher)

    report = publisher.publish(digest_id)

    keys = [row.idempotency_key for row in planned(sqlite_engine, digest_id)]
    assert posted(report).posted_now == 5
    login, refreshed = pds.sessions
    assert [r.url.path.removeprefix("/xrpc/") for r in pds.requests[:3]] == [
        "com.atproto.server.createSession",
        "com.atproto.server.refreshSession",
        "com.atproto.repo.createRecord",
    ]
    assert pds.requests[1].headers["Authorization"] == f"Bearer {login['refreshJwt']}"
    # Everything after the refresh carries the new token (the PDS refuses the expired one).
    assert {r.headers["Authorization"] for r in pds.requests[2:]} == {f"Bearer {refreshed['accessJwt']}"}
    assert_one_chained_record_per_part(pds, keys)


def test_the_account_password_with_two_factor_on_is_refused_naming_the_setting_and_posts_nothing(
    network: MockServer, sqlite_engine: Engine, clock: FakeClock, make_collector: Callable[..., Collector]
) -> None:
    # The dev PDS cannot turn on email 2FA (it needs a confirmed email), so the fake answers as Bluesky
    # does. A wrong app password is tested against the dev PDS (test_publish_bluesky_pds.py).
    pds = FakePds(two_factor=True)
    publisher = build(sqlite_engine, network, clock, pds, password=MAIN_PASSWORD)
    digest_id, _ = approved_digest(network, clock, make_collector, publisher)

    with pytest.raises(ExemplarError) as refused:
        publisher.publish(digest_id)

    message = str(refused.value)
    assert "Bluesky refused the login" in message
    assert "publish.bluesky.app_password_env" in message
    assert f"digest {digest_id} stays approved" in message
    assert MAIN_PASSWORD not in message
    assert [r.url.path for r in pds.requests] == ["/xrpc/com.atproto.server.createSession"]  # not retried
    assert pds.created == []
    assert status_of(sqlite_engine, digest_id) == "approved"
    assert all(row.remote_id is None for row in planned(sqlite_engine, digest_id))

    fixed = build(sqlite_engine, network, clock, pds)  # the curator puts an app password in place
    report = fixed.publish(digest_id)
    keys = [row.idempotency_key for row in planned(sqlite_engine, digest_id)]
    assert posted(report).posted_now == 5
    assert pds.create_keys() == keys
    assert_one_chained_record_per_part(pds, keys)
