"""The inbox's rendered rows, kept per worker (bot/web/inbox_rows.py): a kept row never shows
anything stale (labels changed, the post edited or its author renamed, by the desk or by any other
process) and never carries one session's CSRF token to another. On a SQLite file and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from markupsafe import Markup
from sqlalchemy import Engine, update
from starlette.testclient import TestClient

from bot.passwords import hash_password
from bot.web.inbox_rows import RowCache
from storage import labels as label_repo
from storage.curators import add_curator
from storage.db import session_scope
from storage.models import Post as PostRow
from tests.conftest import FakeClock
from tests.desk_site import csrf_of, desk_app, fill_site, log_in

SECOND = "second@school.example"
SECOND_PASSWORD = "another-long-password-2026"


@pytest.fixture
def app(engine: Engine, clock: FakeClock) -> object:
    fill_site(engine, clock())
    with session_scope(engine) as session:
        add_curator(session, SECOND, hash_password(SECOND_PASSWORD), clock())
    return desk_app(engine, clock)


@pytest.fixture
def desk(app: object) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as client:  # type: ignore[arg-type]
        assert log_in(client).status_code == 303
        yield client


@dataclass(frozen=True)
class _Label:
    name: str
    confidence: float
    reason: str


def tokens_on(page: str) -> set[str]:
    return set(re.findall(r'name="csrf" value="([^"]+)"', page))


def article(page: str, post_id: int) -> str:
    found = re.search(rf'<article class="item" id="post-{post_id}">.*?</article>', page, re.S)
    assert found, f"post {post_id} is not on the page"
    return found.group(0)


def test_each_session_sees_only_its_own_token_in_every_form_of_kept_rows(app: object) -> None:
    with (
        TestClient(app, follow_redirects=False) as first,  # type: ignore[arg-type]
        TestClient(app, follow_redirects=False) as second,  # type: ignore[arg-type]
    ):
        assert log_in(first).status_code == 303
        assert log_in(second, SECOND, SECOND_PASSWORD).status_code == 303
        pages = {
            "first": first.get("/desk").text,
            "second": second.get("/desk").text,  # every row now comes from what the first kept
            "first again": first.get("/desk").text,
        }
        own = {"first": csrf_of(pages["first"]), "second": csrf_of(pages["second"])}
        assert own["first"] != own["second"]
        assert pages["first"].count('name="csrf"') == 1 + 2 * 5  # logout, then two forms a post
        assert tokens_on(pages["first"]) == tokens_on(pages["first again"]) == {own["first"]}
        assert tokens_on(pages["second"]) == {own["second"]}
        assert "csrf-" not in pages["second"]  # the placeholder never shows

        # The token each page carried is the one its session's forms accept, and only there.
        refused = second.post("/desk/posts/4/labels", data={"label_change": "add:tool", "csrf": own["first"]})
        assert refused.status_code == 403
        accepted = second.post(
            "/desk/posts/4/labels", data={"label_change": "add:tool", "csrf": own["second"]}
        )
        assert accepted.status_code == 303

        # A session that ended gets no rows at all; its next session has a token of its own.
        assert first.post("/logout", data={"csrf": own["first"]}).status_code == 303
        assert first.get("/desk").status_code == 303
        assert log_in(first).status_code == 303
        renewed = first.get("/desk").text
        assert tokens_on(renewed) == {csrf_of(renewed)}
        assert csrf_of(renewed) not in (own["first"], own["second"])


def test_a_label_changed_at_the_desk_shows_at_once(desk: TestClient) -> None:
    before = article(desk.get("/desk").text, 4)
    assert "no label" in before
    token = csrf_of(desk.get("/desk").text)
    assert (
        desk.post("/desk/posts/4/labels", data={"label_change": "add:question", "csrf": token}).status_code
        == 303
    )
    added = article(desk.get("/desk").text, 4)
    assert "question ✎" in added
    assert "no label" not in added
    assert 'value="remove:question"' in added
    assert 'value="add:question"' not in added
    assert (
        desk.post("/desk/posts/4/labels", data={"label_change": "remove:question", "csrf": token}).status_code
        == 303
    )
    removed = article(desk.get("/desk").text, 4)
    assert "no label" in removed
    assert 'value="add:question"' in removed


def test_a_post_changed_by_another_process_shows_as_it_is_now(desk: TestClient, engine: Engine) -> None:
    kept = article(desk.get("/desk").text, 3)
    assert "Staff questions on Padlet" in kept
    assert "Sam Okafor" in kept
    with session_scope(engine) as session:  # as a refresh from the source would, in another process
        session.execute(
            update(PostRow)
            .where(PostRow.id == 3)
            .values(
                html='<p>Edited: staff questions <a href="https://example.org/q">here</a><script>x()</script></p>',
                author_name="Sam O.",
                links=["https://example.org/q"],
            )
        )
    edited = article(desk.get("/desk").text, 3)
    assert "Edited: staff questions" in edited
    assert "Staff questions on Padlet" not in edited
    assert "Sam O." in edited
    assert "Sam Okafor" not in edited
    assert "Exclude example.org…" in edited
    assert "Exclude padlet.com" not in edited
    assert "<script>" not in edited  # sanitised as it is kept, by nh3


def test_a_rule_label_rewritten_elsewhere_shows_on_the_next_page(
    desk: TestClient, engine: Engine, clock: FakeClock
) -> None:
    kept = article(desk.get("/desk").text, 4)
    assert "no label" in kept
    with session_scope(engine) as session:
        label_repo.replace_rule_labels(session, {4: [_Label("tool", 0.8, "mentions a tool")]}, clock())
    relabelled = article(desk.get("/desk").text, 4)
    assert "mentions a tool" in relabelled
    assert "no label" not in relabelled


def test_the_cache_is_bounded_and_renders_only_what_it_does_not_hold() -> None:
    cache = RowCache(max_rows=2)
    rendered: list[int] = []

    def render(i: int, placeholder: str) -> str:
        rendered.append(i)
        return f"<p>{i} {placeholder}</p>"

    keys = [("", 1), ("", 2), ("", 3)]
    first = cache.rows(keys, render, "tok")
    assert first == Markup("<p>0 tok</p><p>1 tok</p><p>2 tok</p>")
    assert rendered == [0, 1, 2]
    assert len(cache) == 2
    again = cache.rows(keys[1:], render, 'a"b')
    assert again == Markup("<p>1 a&#34;b</p><p>2 a&#34;b</p>")  # kept rows, the token escaped
    assert rendered == [0, 1, 2]
    assert RowCache(max_rows=0).rows(keys[:1], render, "t") == Markup("<p>0 t</p>")
    small = RowCache()
    small.max_chars = 2 * len(render(0, small.placeholder))
    small.rows(keys, render, "tok")
    assert len(small) == 2  # bounded in characters too
