"""Unsubscribe links: signed, confirmed on GET, done on POST (also RFC 8058 one-click)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from bot.unsubscribe_links import unsubscribe_token, unsubscribe_url
from bot.web.app import create_app
from storage import subscriptions
from storage.app_state import signing_key
from storage.db import session_scope

LEADER = "Leader@School.example"


@pytest.fixture
def client(engine: Engine) -> TestClient:
    return TestClient(create_app(engine, lambda: datetime(2026, 11, 24, tzinfo=UTC)))


def link_for(engine: Engine, email: str) -> str:
    with session_scope(engine) as session:
        return unsubscribe_url("http://testserver", signing_key(session), email)


def unsubscribed(engine: Engine) -> set[str]:
    with session_scope(engine) as session:
        return {row.email for row in subscriptions.listing(session, subscriptions.UNSUBSCRIBED)}


def test_get_asks_for_confirmation_and_changes_nothing(client: TestClient, engine: Engine) -> None:
    page = client.get(link_for(engine, LEADER))
    assert page.status_code == 200
    assert "Stop sending the weekly digest to leader@school.example?" in page.text
    assert '<form method="post"' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert unsubscribed(engine) == set()


def test_confirming_unsubscribes(client: TestClient, engine: Engine) -> None:
    link = link_for(engine, LEADER)
    query = dict(part.split("=", 1) for part in link.split("?", 1)[1].split("&"))
    token = query["token"]
    done = client.post("/unsubscribe", data={"email": "leader@school.example", "token": token})
    assert done.status_code == 200
    assert "will not receive Exemplar digests" in done.text
    assert unsubscribed(engine) == {"leader@school.example"}


def test_one_click_post_to_the_link_itself(client: TestClient, engine: Engine) -> None:
    response = client.post(link_for(engine, LEADER), data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert unsubscribed(engine) == {"leader@school.example"}


@pytest.mark.parametrize("token", ["", "forged", unsubscribe_token("another key", LEADER)])
def test_a_forged_or_altered_link_does_nothing(client: TestClient, engine: Engine, token: str) -> None:
    response = client.post("/unsubscribe", data={"email": LEADER, "token": token})
    assert response.status_code == 400
    assert client.get(f"/unsubscribe?email=someone@else.example&token={token}").status_code == 400
    assert unsubscribed(engine) == set()


def test_the_email_in_a_page_is_escaped(client: TestClient, engine: Engine) -> None:
    hostile = '"><script>alert(1)</script>@x.example'
    page = client.get(link_for(engine, hostile))
    assert "<script>alert(1)" not in page.text
