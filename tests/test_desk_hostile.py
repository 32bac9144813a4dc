"""Every desk route, asked with hostile path, query and form values, answers 4xx or a page: never 500.

The routes come from the application itself, so a route added later is attacked too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from starlette.routing import Route
from starlette.testclient import TestClient

from tests.conftest import FakeClock
from tests.desk_site import csrf_of, desk_app, fill_site, log_in

HOSTILE = [
    "",
    "0",
    "-1",
    "2147483648",
    "9223372036854775808",
    "1" * 40,
    "abc",
    "1.5",
    "١٢٣",  # digits, but not ASCII ones
    "a\x00b",
    "x" * 25_000,
    "<script>alert(1)</script>",
    "//evil.example/",
    "add:",
    "remove:dance",
    "🙂" * 50,
]
# What PostgreSQL treats differently from SQLite (NUL bytes, 32-bit ids, column lengths, encodings):
# the whole list runs on SQLite, these on PostgreSQL too.
POSTGRES_HOSTILE = ["a\x00b", "2147483648", "9223372036854775808", "1" * 40, "x" * 25_000, "١٢٣", "🙂" * 50]
PATH_VALUES = [
    "0",
    "-1",
    "2147483648",
    "9223372036854775808",
    "1" * 40,
    "abc",
    "1.5",
    "%00",
    "%C3%A9",
    "x" * 3000,
]
GET_FIELDS = ["before", "after", "since", "tag", "source", "label", "kind", "post_id", "value", "next"]
# The GET routes that read their query string; the others get one hostile parameter only.
QUERY_ROUTES = {"/desk", "/desk/exclude", "/login"}
POST_FIELDS = [
    "csrf",
    "post_id",
    "kind",
    "value",
    "label",
    "change",
    "label_change",
    "action",
    "text",
    "back",
    "confirm",
    "reason",
    "next",
    "email",
    "password",
]
# Values that make each form do something real, so that one hostile field at a time reaches the code.
BASELINE = {
    "post_id": "1",
    "kind": "domain",
    "value": "youtube.com",
    "label_change": "add:tool",
    "action": "intro",
    "text": "x",
    "confirm": "yes",
    "email": "curator@school.example",
    "password": "wrong-password",
}


@pytest.fixture
def desk(engine: Engine, clock: FakeClock) -> Iterator[tuple[TestClient, dict[str, int]]]:
    site = fill_site(engine, clock())
    app = desk_app(engine, clock)
    with TestClient(app, follow_redirects=False, raise_server_exceptions=False) as client:
        assert log_in(client).status_code == 303
        yield client, site


def desk_routes(client: TestClient) -> list[tuple[str, set[str]]]:
    found = []
    for route in client.app.routes:  # type: ignore[attr-defined]
        if isinstance(route, Route) and route.path.startswith(("/desk", "/login", "/logout")):
            found.append((route.path, set(route.methods or ()) - {"HEAD"}))
    return found


def fill(path: str, value: str) -> str:
    return re.sub(r"\{[^}]+\}", value, path)


def test_every_desk_route_is_attacked(desk: tuple[TestClient, dict[str, int]]) -> None:
    client, _site = desk
    paths = {path for path, _ in desk_routes(client)}
    # The routes this test knows to attack; a new desk route must be added to the desk, not skipped.
    assert {"/desk", "/desk/exclude", "/desk/exclusions", "/desk/posts/{post_id}/labels"} <= paths
    assert len(paths) >= 10


def test_no_hostile_value_makes_a_desk_route_fail(
    desk: tuple[TestClient, dict[str, int]], engine: Engine
) -> None:
    client, site = desk
    hostile = POSTGRES_HOSTILE if engine.dialect.name == "postgresql" else HOSTILE
    failures: list[str] = []

    def send(method: str, url: str, data: dict[str, str]) -> None:
        if method == "GET":
            response = client.get(url, params=data)
        else:
            response = client.post(url, data={"csrf": token, **data})
        if response.status_code >= 500:
            failures.append(f"{method} {url[:80]} {sorted((k, v[:30]) for k, v in data.items())}")

    token = csrf_of(client.get("/desk").text)
    routes = [(path, methods) for path, methods in desk_routes(client) if path != "/logout"]
    for path, methods in routes:
        for method in sorted(methods):
            for value in PATH_VALUES:
                if "{" in path:
                    send(method, fill(path, value), BASELINE)
            target = fill(path, str(site["draft"]) if "digest_id" in path else "1")
            fields = POST_FIELDS if method == "POST" else GET_FIELDS if path in QUERY_ROUTES else ["before"]
            for field in fields:
                for value in hostile:
                    send(method, target, {**BASELINE, field: value})
            # Unknown rows behind well-formed ids.
            send(method, fill(path, "2147483647"), BASELINE)
        token = csrf_of(client.get("/desk").text) if log_in_again(client) else token
    assert not failures, "\n".join(failures[:40])


def log_in_again(client: TestClient) -> bool:
    """Keep attacking as a curator if an action (a bad login, say) ended the session."""
    if client.get("/desk").status_code == 200:
        return True
    return bool(log_in(client).status_code == 303)


def test_hostile_logout_and_huge_pages(desk: tuple[TestClient, dict[str, int]]) -> None:
    client, _site = desk
    for cursor in ("999999999", "9223372036854775808", "-3", "two", "0", "2026-11-20T09:15:01.000000Z_0"):
        for direction in ("before", "after"):
            assert client.get("/desk", params={direction: cursor}).status_code == 400, cursor
    far = "2026-11-20T09:15:01.000000Z_2147483647"
    assert client.get("/desk", params={"before": far}).status_code == 200
    assert client.get("/desk/digests/99999999999999999999999").status_code == 404
    assert client.get("/desk/digests/abc").status_code == 404
    assert client.post("/desk/posts/abc/labels", data={"csrf": "x"}).status_code in (403, 404)
    token = csrf_of(client.get("/desk").text)
    for value in HOSTILE:
        assert client.post("/logout", data={"csrf": value}).status_code < 500
    assert client.post("/logout", data={"csrf": token, "x": "a\x00b"}).status_code == 400
