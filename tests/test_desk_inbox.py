"""The desk inbox pages by keyset: every post once, in order, forwards and back, with any filter.

Checked against the repository's own listing (``iter_posts``, newest first) on SQLite and PostgreSQL,
with posts that share a creation time (the id breaks the tie) and curator label corrections.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, update
from starlette.testclient import TestClient

from bot.networks.mastodon.normalise import normalise_status
from storage import inbox
from storage import labels as label_repo
from storage import repository as repo
from storage.db import session_scope
from storage.models import Post as PostRow
from tests.conftest import FakeClock
from tests.desk_site import desk_app, fill_site, log_in
from tests.payloads import status

START = datetime(2026, 11, 2, 8, tzinfo=UTC)
LABELS = ("video", "tool", "question")


@dataclass(frozen=True)
class RuleLabel:
    name: str
    confidence: float = 0.9
    reason: str = "a rule"


def store_posts(engine: Engine, count: int = 23) -> list[int]:
    """``count`` posts, three at a time sharing a creation time; labels, tags and sources mixed."""
    posts = [
        normalise_status(
            status(
                str(500 + n),
                tags=["fliplead"] if n % 4 else ["edchat"],
                created_at=(START + timedelta(hours=n // 3)).isoformat().replace("+00:00", "Z"),
            )
        )
        for n in range(count)
    ]
    with session_scope(engine) as session:
        ids = repo.save_posts(session, posts, seen=None, now=START + timedelta(days=9)).written
        by_n = [ids[post.uri] for post in posts]
        label_repo.replace_rule_labels(
            session,
            {post_id: [RuleLabel(LABELS[n % 3])] for n, post_id in enumerate(by_n) if n % 5},
            START,
        )
        # A curator takes a rule's label away, and gives one no rule gave.
        label_repo.set_curator_label(session, by_n[1], "tool", False, by="kim", now=START)
        label_repo.set_curator_label(session, by_n[5], "video", True, by="kim", now=START)
        bluesky = [post_id for n, post_id in enumerate(by_n) if n % 3 == 1]
        session.execute(update(PostRow).where(PostRow.id.in_(bluesky)).values(source="bluesky"))
    return by_n


def expected(engine: Engine, **query: object) -> list[int]:
    with session_scope(engine) as session:
        return [row.id for row in repo.iter_posts(session, repo.PostQuery(**query), with_tags=False)]  # type: ignore[arg-type]


def walk(engine: Engine, filters: inbox.InboxFilters, size: int) -> Iterator[inbox.InboxPage]:
    """Every page from the newest, following the older cursors."""
    cursor = None
    while True:
        with session_scope(engine) as session:
            page = inbox.inbox_page(session, filters, size=size, before=cursor)
        yield page
        if page.older is None:
            return
        cursor = page.older


FILTERS = {
    "none": ({}, {}),
    "tag": ({"tag": "#FlipLead"}, {"tag": "#FlipLead"}),
    "label": ({"label": "tool"}, {"label": "tool"}),
    "corrected label": ({"label": "video"}, {"label": "video"}),
    "source": ({"source": "bluesky"}, {"source": "bluesky"}),
    "since": ({"since": START + timedelta(hours=3)}, {"since": START + timedelta(hours=3)}),
    "all": (
        {"tag": "fliplead", "label": "question", "source": "mastodon", "since": START + timedelta(hours=1)},
        {"tag": "fliplead", "label": "question", "source": "mastodon", "since": START + timedelta(hours=1)},
    ),
}


@pytest.mark.parametrize("name", FILTERS)
@pytest.mark.parametrize("size", [1, 4])
@pytest.mark.parametrize("rare", [0, 10**6], ids=["walk-first", "index-first"])
def test_pages_list_every_matching_post_once_in_order(
    engine: Engine, name: str, size: int, rare: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A window of three posts: each page is found by walking the posts in order (matches are
    # common), or from the tag's or the label's index (they are rare); the last pages, near the
    # end, by the walk alone. Index-first: every tag and label counts as rare, so no walk is tried.
    monkeypatch.setattr(inbox, "WINDOW", 3)
    monkeypatch.setattr(inbox, "RARE", rare)
    store_posts(engine)
    filters, query = FILTERS[name]
    want = expected(engine, **query)
    assert want, "the test data matches every filter"

    pages = list(walk(engine, inbox.InboxFilters(**filters), size))  # type: ignore[arg-type]
    assert [row.id for page in pages for row in page.rows] == want
    assert all(len(page.rows) == size for page in pages[:-1])
    assert 1 <= len(pages[-1].rows) <= size
    assert pages[0].newer is None  # the first page has nothing newer
    assert all(page.newer is not None for page in pages[1:])

    # Back from the last page, following the newer cursors, the same pages come in reverse.
    back = []
    cursor = pages[-1].newer
    while cursor is not None:
        with session_scope(engine) as session:
            page = inbox.inbox_page(session, inbox.InboxFilters(**filters), size=size, after=cursor)  # type: ignore[arg-type]
        back.append([row.id for row in page.rows])
        cursor = page.newer
    assert back[::-1] == [[row.id for row in page.rows] for page in pages[:-1]]


def test_no_match_and_a_cursor_past_the_end(engine: Engine) -> None:
    ids = store_posts(engine, 8)
    with session_scope(engine) as session:
        empty = inbox.inbox_page(session, inbox.InboxFilters(tag="nothing"), size=3)
        oldest = inbox.inbox_page(session, inbox.InboxFilters(), size=8).rows[-1]
        past = inbox.inbox_page(
            session, inbox.InboxFilters(), size=3, before=inbox.Cursor(oldest.created_at, oldest.id)
        )
        newest = session.get(PostRow, max(ids))
        assert newest is not None
        above = inbox.inbox_page(
            session,
            inbox.InboxFilters(),
            size=3,
            after=inbox.Cursor(newest.created_at + timedelta(hours=9), 1),
        )
    assert (list(empty.rows), empty.older, empty.newer) == ([], None, None)
    assert (list(past.rows), past.older) == ([], None)
    assert (list(above.rows), above.newer) == ([], None)


def test_a_cursor_is_read_back_exactly_and_nothing_else_is_one() -> None:
    cursor = inbox.Cursor(datetime(2026, 11, 20, 9, 15, 1, 250, tzinfo=UTC), 1234)
    assert inbox.Cursor.parse(cursor.token(), max_id=2**31 - 1) == cursor
    for junk in (
        "",
        "1234",
        "2026-11-20T09:15:01.000250Z",
        "2026-11-20T09:15:01.000250Z_",
        "2026-11-20T09:15:01.000250Z_0",
        "2026-11-20T09:15:01.000250Z_2147483648",
        "2026-11-20T09:15:01.000250Z_-3",
        "2026-11-20T09:15:01.000250Z_١٢",
        "2026-11-20T09:15:01.000250_12",
        "2026-13-20T09:15:01.000250Z_12",
        "yesterday_12",
    ):
        assert inbox.Cursor.parse(junk, max_id=2**31 - 1) is None, junk


def test_the_desk_follows_its_own_links_through_the_pages(engine: Engine, clock: FakeClock) -> None:
    ids = store_posts(engine, 120)
    fill_site(engine, clock())  # the curator, and five posts of this week on top
    want = expected(engine, tag="fliplead")
    with TestClient(desk_app(engine, clock), follow_redirects=False) as client:
        assert log_in(client).status_code == 303
        seen: list[int] = []
        page = client.get("/desk", params={"tag": "fliplead"}).text
        assert "Newest posts" not in page
        assert "Newer posts" not in page
        while True:
            seen += [int(n) for n in re.findall(r'<article class="item" id="post-(\d+)">', page)]
            older = re.search(r'<a href="\?([^"]+)">Older posts', page)
            if older is None:
                break
            link = older.group(1).replace("&amp;", "&")
            assert "tag=fliplead" in link  # the filter travels with the page
            page = client.get(f"/desk?{link}").text
            assert "Newest posts" in page
            assert "Newer posts" in page
        assert seen == want
        assert set(ids) & set(seen)

        for bad in ("junk", "2026-11-20T09:15:01.000250Z_0", "2026-11-20T09:15:01Z_12"):
            for direction in ("before", "after"):
                assert client.get("/desk", params={direction: bad}).status_code == 400
