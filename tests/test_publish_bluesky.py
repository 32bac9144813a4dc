"""Publishing digest threads to Bluesky through a fake PDS (httpx.MockTransport) answering like the real one.

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
from sqlalchemy import Engine, select

from bot.errors import ExemplarError
from bot.jobs.collect import CollectOptions, Collector
from bot.jobs.publish import Publisher, PublishReport, ThreadReport
from digests.publish.thread import PostedThread
from digests.render.measure import BLUESKY_MEASURE, URL, graphemes, link_display
from digests.render.sanitize import link_without_mention
from digests.render.thread import render_thread
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
    raised); with ``store_first`` the PDS does the work first, as when the answer is lost on the way back."""

    method: str
    call: int
    answer: httpx.Response | httpx.TransportError
    store_first: bool = False


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
                if fault.store_first:
                    self._answer(method, request)
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
            "Staff questions on a Padlet wall: https://padlet.com/r/q #fliplead"
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


def tid_microseconds(key: str) -> int:
    """The time a TID was made at, in microseconds since the epoch."""
    value = 0
    for char in key:
        value = value * 32 + "234567abcdefghijklmnopqrstuvwxyz".index(char)
    return value >> 10


def facets_shown(record: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Each facet of a stored post as (feature type, the UTF-8 byte slice of the text it covers, its
    link or tag), in the order of the facets."""
    data = record["text"].encode("utf-8")
    shown = []
    for facet in record.get("facets", []):
        [feature] = facet["features"]
        covered = data[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode("utf-8")
        shown.append((feature["$type"], covered, feature.get("uri") or feature.get("tag")))
    return shown


def expected_facets(planned_text: str) -> list[tuple[str, str, str]]:
    """The facets a planned part should be posted with: every link shown short, every #fliplead a tag."""
    expected = []
    for match in re.finditer(r"https://\S+|#fliplead", planned_text):
        if match.group(0) == "#fliplead":
            expected.append(("app.bsky.richtext.facet#tag", "#fliplead", "fliplead"))
        else:
            url = match.group(0)
            expected.append(("app.bsky.richtext.facet#link", link_display(url), url))
    return expected


def test_a_digest_is_posted_once_as_a_reply_chain_with_link_and_tag_facets(
    network: MockServer, sqlite_engine: Engine, clock: FakeClock, make_collector: Callable[..., Collector]
) -> None:
    pds = FakePds()
    publisher = build(sqlite_engine, network, clock, pds)
    digest_id, links = approved_digest(network, clock, make_collector, publisher)
    started = time.time_ns() // 1000

    report = publisher.publish(digest_id)

    assert report.status == "published"
    rows = planned(sqlite_engine, digest_id)
    keys = [row.idempotency_key for row in rows]
    assert len(rows) == 5  # the opening and one part per post
    assert [row.text for row in rows] == [
        part.text for part in render_thread(publisher.service.view(digest_id), measure=BLUESKY_MEASURE)
    ]
    assert all(TID_SYNTAX.fullmatch(key) for key in keys), keys
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)
    assert all(0 <= tid_microseconds(key) - started < 60_000_000 for key in keys)  # made now
    assert pds.create_keys() == keys  # each part created once, in order
    assert_one_chained_record_per_part(pds, keys)

    records = [pds.records[key]["value"] for key in keys]
    for row, record in zip(rows, records, strict=True):
        assert record["$type"] == COLLECTION
        assert record["text"] == URL.sub(lambda m: link_display(m.group(0)), row.text)
        assert graphemes(record["text"]) <= 300
        assert facets_shown(record) == expected_facets(row.text)
    assert max(graphemes(record["text"]) for record in records) > 280  # the long question was cut to fit
    faceted_links = [
        uri for record in records for kind, _, uri in facets_shown(record) if kind.endswith("link")
    ]
    # The full address of every post, once, and of every video and tool the posts share.
    shared = ["https://youtu.be/Xc4ZsXq1a2Y", "https://vimeo.com/812345678", "https://padlet.com/r/q"]
    assert sorted(faceted_links) == sorted([*links.values(), *shared])
    assert [uri for _, _, uri in facets_shown(records[0])] == ["fliplead", "fliplead"]

    # Byte offsets, not character offsets: the author's name and the post's words are not ASCII.
    [maria] = [record for record in records if record["text"].startswith("María López: ")]
    shown = link_display(links["video"])
    link_facet = maria["facets"][-1]
    characters_before = maria["text"].index(shown)
    assert link_facet["index"]["byteStart"] == len(maria["text"][:characters_before].encode("utf-8"))
    assert link_facet["index"]["byteStart"] != characters_before
    assert link_facet["features"][0]["uri"] == links["video"]

    thread = posted(report)
    assert thread.posted_now == 5
    uris = tuple(f"at://{DID}/{COLLECTION}/{key}" for key in keys)
    web = tuple(f"https://bsky.app/profile/{HANDLE}/post/{key}" for key in keys)
    assert thread.remote_ids == uris
    assert thread.urls == web
    assert [(row.remote_id, row.remote_cid, row.remote_url) for row in rows] == [
        (pds.records[key]["uri"], pds.records[key]["cid"], url) for key, url in zip(keys, web, strict=True)
    ]
    assert all(row.posted_at == clock.now for row in rows)

    requests_before = len(pds.requests)
    again = publisher.publish(digest_id)
    assert posted(again).posted_now == 0
    assert posted(again).remote_ids == uris
    assert len(pds.requests) == requests_before  # nothing asked of the PDS, nothing posted
    assert sorted(pds.created) == sorted(keys)


class ProcessKilledError(Exception):
    """Stands for the process being killed."""


def test_a_part_posted_just_before_a_crash_is_found_and_not_posted_again(
    network: MockServer,
    sqlite_engine: Engine,
    clock: FakeClock,
    make_collector: Callable[..., Collector],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pds = FakePds()
    publisher = build(sqlite_engine, network, clock, pds)
    digest_id, _ = approved_digest(network, clock, make_collector, publisher)
    record_part = publications.mark_part_posted
    recorded: list[int] = []

    def die_before_recording_part_two(*args: Any, **kwargs: Any) -> None:
        recorded.append(1)
        if len(recorded) == 2:  # part 2 is on Bluesky; the process dies before writing that down
            raise ProcessKilledError
        record_part(*args, **kwargs)

    monkeypatch.setattr(publications, "mark_part_posted", die_before_recording_part_two)
    with pytest.raises(ProcessKilledError):
        publisher.publish(digest_id)
    monkeypatch.undo()
    rows = planned(sqlite_engine, digest_id)
    keys = [row.idempotency_key for row in rows]
    assert [row.remote_id is not None for row in rows] == [True, False, False, False, False]
    assert [row.attempted_at is not None for row in rows] == [True, True, False, False, False]
    assert pds.created == keys[:2]
    assert status_of(sqlite_engine, digest_id) == "approved"

    restarted = build(sqlite_engine, network, clock, pds)
    report = restarted.publish(digest_id)

    assert report.status == "published"
    assert posted(report).posted_now == 3  # part 2 was found, not posted
    assert [r.url.params["rkey"] for r in pds.calls("com.atproto.repo.getRecord")] == [keys[1]]
    assert pds.create_keys() == keys  # each part created once over both runs
    assert_one_chained_record_per_part(pds, keys)
    rows = planned(sqlite_engine, digest_id)
    assert [(row.remote_id, row.remote_cid) for row in rows] == [
        (pds.records[key]["uri"], pds.records[key]["cid"]) for key in keys
    ]
    assert rows[1].remote_url == f"https://bsky.app/profile/{HANDLE}/post/{keys[1]}"


@pytest.mark.parametrize(
    "lost_answer",
    [
        httpx.Response(502, text="<html><body><h1>502 Bad Gateway</h1></body></html>"),
        httpx.ReadTimeout("timed out"),
    ],
    ids=["bad-gateway", "read-timeout"],
)
def test_a_part_the_pds_stored_before_its_answer_was_lost_is_not_posted_twice(
    network: MockServer,
    sqlite_engine: Engine,
    clock: FakeClock,
    make_collector: Callable[..., Collector],
    lost_answer: httpx.Response | httpx.TransportError,
) -> None:
    pds = FakePds(faults=[Fault("com.atproto.repo.createRecord", 2, lost_answer, store_first=True)])
    publisher = build(sqlite_engine, network, clock, pds)
    digest_id, _ = approved_digest(network, clock, make_collector, publisher)

    report = publisher.publish(digest_id)

    keys = [row.idempotency_key for row in planned(sqlite_engine, digest_id)]
    assert posted(report).posted_now == 5
    assert pds.create_keys() == keys  # part 2 was not sent again: the retry looked first
    assert [r.url.params["rkey"] for r in pds.calls("com.atproto.repo.getRecord")] == [keys[1]]
    assert_one_chained_record_per_part(pds, keys)
    assert clock.slept == [0.0]  # one retry, after the configured backoff


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


@pytest.mark.parametrize(
    ("password", "two_factor", "refusal"),
    [
        ("wxyz-wxyz-wxyz-wxyz", False, "AuthenticationRequired"),  # a revoked or mistyped app password
        (MAIN_PASSWORD, True, "AuthFactorTokenRequired"),  # the account password, with email 2FA on
    ],
)
def test_a_refused_login_names_the_setting_and_posts_nothing(
    network: MockServer,
    sqlite_engine: Engine,
    clock: FakeClock,
    make_collector: Callable[..., Collector],
    password: str,
    two_factor: bool,
    refusal: str,
) -> None:
    pds = FakePds(two_factor=two_factor)
    publisher = build(sqlite_engine, network, clock, pds, password=password)
    digest_id, _ = approved_digest(network, clock, make_collector, publisher)

    with pytest.raises(ExemplarError) as refused:
        publisher.publish(digest_id)

    message = str(refused.value)
    assert "Bluesky refused the login" in message
    assert "publish.bluesky.app_password_env" in message
    assert f"digest {digest_id} stays approved" in message
    assert password not in message
    assert [r.url.path for r in pds.requests] == ["/xrpc/com.atproto.server.createSession"]  # not retried
    assert pds.created == []
    assert status_of(sqlite_engine, digest_id) == "approved"
    assert all(row.remote_id is None for row in planned(sqlite_engine, digest_id))

    fixed = build(sqlite_engine, network, clock, pds)  # the curator puts the app password in place
    report = fixed.publish(digest_id)
    keys = [row.idempotency_key for row in planned(sqlite_engine, digest_id)]
    assert posted(report).posted_now == 5
    assert pds.create_keys() == keys
    assert_one_chained_record_per_part(pds, keys)


def test_a_dry_run_asks_nothing_of_the_pds_and_shows_the_parts(
    network: MockServer, sqlite_engine: Engine, clock: FakeClock, make_collector: Callable[..., Collector]
) -> None:
    pds = FakePds()
    publisher = build(sqlite_engine, network, clock, pds)
    digest_id, links = approved_digest(network, clock, make_collector, publisher)

    dry = publisher.publish(digest_id, dry_run=True)

    assert pds.requests == []
    thread = bluesky_thread(dry)
    assert thread.thread is None
    assert thread.error is None
    expected = render_thread(publisher.service.view(digest_id), measure=BLUESKY_MEASURE)
    assert thread.parts == expected
    assert len(thread.parts) == 5
    assert len(links) == 4
    assert thread.links == 4 + 3  # each post's link, and the video or tool each of three shares
    assert all(BLUESKY_MEASURE.length(part.text) <= 300 for part in thread.parts)
    assert dry.status == "approved"
    with session_scope(sqlite_engine) as session:
        assert session.scalars(select(Publication)).first() is None  # nothing planned either

    report = publisher.publish(digest_id)
    keys = [row.idempotency_key for row in planned(sqlite_engine, digest_id)]
    assert [pds.records[key]["value"]["text"] for key in keys] == [
        URL.sub(lambda m: link_display(m.group(0)), part.text) for part in expected
    ]
    assert posted(report).posted_now == 5
