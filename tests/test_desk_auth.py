"""Desk logins: sessions held on the server, throttles shared by every worker, equal work for known
and unknown addresses."""

from __future__ import annotations

import hashlib
import statistics
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from bot.passwords import hash_password
from bot.web.security import DESK_COOKIE, DEVICE_COOKIE, LoginLimiter
from storage.curators import remove_curator, set_curator
from storage.db import session_scope
from storage.login_limits import Backoff
from storage.models import DeskSession
from tests.conftest import FakeClock
from tests.desk_site import CURATOR, PASSWORD, csrf_of, desk_app, fill_site, log_in

STRANGER = ("203.0.113.66", 40000)
CURATOR_DESK = ("198.51.100.7", 50000)


@pytest.fixture
def site(engine: Engine, clock: FakeClock) -> dict[str, int]:
    return fill_site(engine, clock())


def client_for(
    engine: Engine, clock: FakeClock, client: tuple[str, int] = CURATOR_DESK, **kw: object
) -> TestClient:
    return TestClient(desk_app(engine, clock, **kw), follow_redirects=False, client=client)  # type: ignore[arg-type]


@pytest.fixture
def desk(engine: Engine, clock: FakeClock, site: dict[str, int]) -> Iterator[TestClient]:
    with client_for(engine, clock) as client:
        assert log_in(client).status_code == 303
        yield client


def opens_desk(engine: Engine, clock: FakeClock, cookie: str) -> bool:
    """Whether a browser holding only this desk cookie gets the desk (another client: a copied cookie)."""
    with client_for(engine, clock, client=STRANGER) as thief:
        thief.cookies.set(DESK_COOKIE, cookie)
        return thief.get("/desk").status_code == 200


def test_the_cookie_carries_only_a_random_token_and_the_database_only_its_hash(
    desk: TestClient, engine: Engine
) -> None:
    token = desk.cookies[DESK_COOKIE]
    assert CURATOR not in token
    assert len(token) >= 40
    with session_scope(engine) as session:
        stored = session.scalars(select(DeskSession.token_hash)).all()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]
    # The signed Starlette cookie no longer says who is logged in.
    assert desk.get("/desk").status_code == 200
    desk.cookies.delete(DESK_COOKIE)
    assert desk.get("/desk").status_code == 303


def test_logout_ends_a_copied_session(desk: TestClient, engine: Engine, clock: FakeClock) -> None:
    copied = desk.cookies[DESK_COOKIE]
    assert opens_desk(engine, clock, copied)
    token = csrf_of(desk.get("/desk").text)
    assert desk.post("/logout", data={"csrf": token}).status_code == 303
    assert not opens_desk(engine, clock, copied)
    with session_scope(engine) as session:
        assert session.scalars(select(DeskSession)).all() == []


def test_a_new_password_and_removing_the_curator_end_their_sessions(
    desk: TestClient, engine: Engine, clock: FakeClock
) -> None:
    first = desk.cookies[DESK_COOKIE]
    with session_scope(engine) as session:
        change = set_curator(session, CURATOR, hash_password("another-long-password"), clock())
    assert change.sessions_ended == 1
    assert not opens_desk(engine, clock, first)

    assert log_in(desk, password="another-long-password").status_code == 303
    second = desk.cookies[DESK_COOKIE]
    assert second != first
    assert opens_desk(engine, clock, second)
    with session_scope(engine) as session:
        assert remove_curator(session, CURATOR) == 1
    assert not opens_desk(engine, clock, second)


def test_sessions_expire_after_eight_hours_and_after_two_idle_hours(
    desk: TestClient, engine: Engine, clock: FakeClock
) -> None:
    cookie = desk.cookies[DESK_COOKIE]
    start = clock.now
    for hours in (1.9, 3.8, 5.7, 7.6):
        clock.now = start + timedelta(hours=hours)
        assert opens_desk(engine, clock, cookie), hours
    clock.now = start + timedelta(hours=8)
    assert not opens_desk(engine, clock, cookie)

    assert log_in(desk).status_code == 303
    idle = desk.cookies[DESK_COOKIE]
    clock.now += timedelta(hours=2)
    assert not opens_desk(engine, clock, idle)


def test_a_login_starts_a_new_session_never_a_planted_one(
    engine: Engine, clock: FakeClock, site: dict[str, int]
) -> None:
    with client_for(engine, clock) as client:
        planted = "planted-by-an-attacker-0000000000000000000000"
        client.cookies.set(DESK_COOKIE, planted, domain="testserver.local")
        assert log_in(client).status_code == 303
        given = client.cookies.get(DESK_COOKIE, domain="testserver.local")
        assert given
        assert given != planted
        assert not opens_desk(engine, clock, planted)


def test_limits_are_shared_by_every_worker(engine: Engine, clock: FakeClock, site: dict[str, int]) -> None:
    # Two apps on one database stand for two worker processes.
    workers = [client_for(engine, clock, client=STRANGER), client_for(engine, clock, client=STRANGER)]
    statuses = [log_in(workers[n % 2], password=f"guess-{n}").status_code for n in range(10)]
    assert statuses[:5] == [401] * 5
    assert statuses[5:] == [429] * 5
    blocked = log_in(workers[0], password="guess-x")
    assert int(blocked.headers["retry-after"]) >= 1


def test_a_stranger_slows_only_themselves_and_waits_grow_but_end(
    engine: Engine, clock: FakeClock, site: dict[str, int]
) -> None:
    stranger = client_for(engine, clock, client=STRANGER)
    checked = 0
    for n in range(30):
        response = log_in(stranger, password=f"guess-{n}")
        assert response.status_code in (401, 429)
        checked += response.status_code == 401
    assert checked == 5
    # The curator, from their own address, is not locked out by the stranger's guesses.
    with client_for(engine, clock) as curator:
        assert log_in(curator).status_code == 303
    # The stranger's waits double, and end: no attempt is refused for good.
    waits = []
    for n in range(4):
        refused = log_in(stranger, password=f"later-{n}")
        assert refused.status_code == 429
        waits.append(int(refused.headers["retry-after"]))
        clock.now += timedelta(seconds=waits[-1])
        assert log_in(stranger, password=f"after-wait-{n}").status_code == 401
    assert waits == sorted(waits)
    assert waits[-1] > waits[0]
    clock.now += timedelta(seconds=301)
    assert log_in(stranger).status_code == 303  # even from here, the right password works after the wait


def test_one_address_cannot_try_many_accounts_quickly(
    engine: Engine, clock: FakeClock, site: dict[str, int]
) -> None:
    limiter = LoginLimiter(per_client=Backoff(free=8, base_seconds=60, max_seconds=60))
    stranger = client_for(engine, clock, client=STRANGER, limiter=limiter)
    statuses = [log_in(stranger, email=f"user{n}@school.example").status_code for n in range(12)]
    assert statuses.count(401) == 8
    assert statuses[8:] == [429] * 4


def test_an_unknown_address_costs_a_password_check_like_a_known_one(
    engine: Engine, clock: FakeClock, site: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.passwords

    calls: list[int] = []
    real_scrypt = hashlib.scrypt

    def counting_scrypt(*args: object, **kwargs: object) -> bytes:
        calls.append(1)
        return real_scrypt(*args, **kwargs)  # type: ignore[arg-type]

    with client_for(engine, clock) as client:
        client.get("/login")
        monkeypatch.setattr(bot.passwords.hashlib, "scrypt", counting_scrypt)
        assert log_in(client, email="nobody@school.example", password="wrong-password").status_code == 401
        unknown_checks = len(calls)
        calls.clear()
        assert log_in(client, email=CURATOR, password="wrong-password").status_code == 401
        assert unknown_checks == len(calls) == 1


def test_wrong_passwords_take_as_long_for_unknown_addresses(
    engine: Engine, clock: FakeClock, site: dict[str, int]
) -> None:
    limiter = LoginLimiter(per_account_client=Backoff(free=100), per_client=Backoff(free=100))

    def timed(email: str) -> float:
        with client_for(engine, clock, limiter=limiter) as client:
            token = csrf_of(client.get("/login").text)
            started = time.perf_counter()
            client.post("/login", data={"email": email, "password": "wrong-password", "csrf": token})
            return time.perf_counter() - started

    timed("warm-up@school.example")
    known = statistics.median(timed(CURATOR) for _ in range(5))
    unknown = statistics.median(timed(f"nobody{n}@school.example") for n in range(5))
    # Before, 133 ms against 2 ms; now both pay one scrypt check (a busy machine gets room).
    assert 0.4 < unknown / known < 2.5, (known, unknown)


def test_the_login_form_still_needs_its_csrf_token(
    engine: Engine, clock: FakeClock, site: dict[str, int]
) -> None:
    with client_for(engine, clock) as client:
        client.get("/login")
        assert client.post("/login", data={"email": CURATOR, "password": PASSWORD}).status_code == 403


def test_a_browser_the_curator_used_before_is_never_slowed_by_strangers_at_the_same_address(
    engine: Engine, clock: FakeClock, site: dict[str, int]
) -> None:
    shared_address = ("192.0.2.10", 40000)  # a school's one public address, say
    with client_for(engine, clock, client=shared_address) as curator:
        assert log_in(curator).status_code == 303
        assert curator.cookies.get(DEVICE_COOKIE)
        stranger = client_for(engine, clock, client=shared_address)
        statuses = [log_in(stranger, password=f"guess-{n}").status_code for n in range(12)]
        assert statuses.count(401) == 5
        # The stranger waits; the curator's own browser logs straight in.
        assert log_in(stranger).status_code == 429
        assert log_in(curator).status_code == 303


def test_a_device_cookie_is_signed_and_bound_to_its_curator(
    engine: Engine, clock: FakeClock, site: dict[str, int]
) -> None:
    other = "other@school.example"
    with session_scope(engine) as session:
        set_curator(session, other, hash_password("other-long-password"), clock())
    with client_for(engine, clock, client=STRANGER) as curator:
        assert log_in(curator).status_code == 303
        issued = curator.cookies[DEVICE_COOKIE]
    nonce, _, _signature = issued.partition(".")
    stranger = client_for(engine, clock, client=STRANGER)
    for email in (CURATOR, other):
        statuses = [log_in(stranger, email=email, password=f"guess-{n}").status_code for n in range(6)]
        assert statuses == [401] * 5 + [429]

    def with_device(value: str) -> TestClient:
        browser = client_for(engine, clock, client=STRANGER)
        browser.cookies.set(DEVICE_COOKIE, value, domain="testserver.local", path="/login")
        return browser

    # A forged cookie, or a real one offered for another curator, counts like no cookie: it waits.
    assert log_in(with_device(f"{nonce}.{'0' * 64}")).status_code == 429
    assert log_in(with_device(issued), email=other, password="other-long-password").status_code == 429
    # The real one, for its own curator, logs in at once.
    assert log_in(with_device(issued)).status_code == 303
