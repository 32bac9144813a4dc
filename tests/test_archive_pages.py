"""Archive pages read in SQL, on a real SQLite file and on PostgreSQL: whichever way a page is read
(``since`` from the posts' dates or from the newest digest, a search ranked in the index), every page
holds exactly what the whole ordered list holds there, and says truly whether another page follows."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select

from bot.jobs.store import PostStore
from bot.web.archive_index import ArchiveIndex
from storage import archive_queries as queries
from storage.db import session_scope
from storage.models import Digest, DigestItemRow, Post, table_of
from tests.archive_site import archive_settings, flipped_week_posts, post, publish_week, week_start

WEEKS = 6
FIRST = week_start(WEEKS + 1)


def week_posts(week: int) -> list[dict[str, Any]]:
    return flipped_week_posts(FIRST, week)


LATE = FIRST + timedelta(weeks=WEEKS - 1, days=3)  # a post no draft chose, written after the others


@pytest.fixture
def published(engine: Engine) -> list[int]:
    """Six published weeks, and a late addition: a post from the last week that no draft chose, put
    into the oldest digest (as a curator's edit of an old draft would)."""
    settings = archive_settings()
    late = post("999", "Good morning, everyone", user="lee", name="Lee Chan", created=LATE)
    ids = [
        publish_week(
            engine,
            settings,
            week_posts(week) + ([late] if week == WEEKS - 1 else []),
            start=FIRST + timedelta(weeks=week),
            published_at=FIRST + timedelta(weeks=week + 1, days=1),
        )
        for week in range(WEEKS)
    ]
    with session_scope(engine) as session:
        late_id = session.scalars(select(Post.id).where(Post.created_at == LATE)).one()
        assert not session.scalars(select(DigestItemRow.id).where(DigestItemRow.post_id == late_id)).all()
        session.execute(
            insert(table_of(DigestItemRow)).values(
                digest_id=ids[0], post_id=late_id, section="video", position=9, score=1.0, pinned=False,
                curated=True, removed=False, blurb="",
            )
        )  # fmt: skip
    ArchiveIndex(engine, PostStore()).refresh()
    return ids


def every_page(engine: Engine, filters: queries.ItemFilters, size: int) -> list[queries.Page[int]]:
    pages = []
    with session_scope(engine) as session:
        for number in range(1, 50):
            page = queries.items(session, filters, number, size)
            pages.append(queries.Page([row.id for row in page.rows], number, page.has_next))
            if not page.has_next:
                return pages
    raise AssertionError("the pages never end")


def expected_since(engine: Engine, since: datetime, section: str | None) -> list[int]:
    """The items a ``since`` page lists, worked out from every row: each post's latest appearance
    among live items of published digests, newest digest first."""
    with session_scope(engine) as session:
        rows = session.execute(
            select(DigestItemRow, Digest.period_start, Post.created_at)
            .join(Digest, Digest.id == DigestItemRow.digest_id)
            .join(Post, Post.id == DigestItemRow.post_id)
            .where(Digest.status == "published", DigestItemRow.removed.is_(False))
        ).all()
        shown = [
            (item, start, created) for item, start, created in rows if not section or item.section == section
        ]
        latest: dict[int, int] = {}
        for item, _start, _created in shown:
            latest[item.post_id] = max(latest.get(item.post_id, 0), item.digest_id)
        kept = [
            (item, start)
            for item, start, created in shown
            if created >= since and latest[item.post_id] == item.digest_id
        ]
        kept.sort(
            key=lambda entry: (-entry[1].timestamp(), -entry[0].digest_id, entry[0].position, entry[0].id)
        )
        return [item.id for item, _start in kept]  # fmt: skip


@pytest.mark.parametrize("section", [None, "video"])
@pytest.mark.parametrize(
    "since",
    [
        LATE - timedelta(hours=1),
        LATE + timedelta(hours=1),
        FIRST + timedelta(weeks=4),
        FIRST - timedelta(weeks=40),
    ],
)
def test_since_pages_are_the_same_read_from_posts_or_from_digests(
    engine: Engine,
    published: list[int],
    monkeypatch: pytest.MonkeyPatch,
    section: str | None,
    since: datetime,
) -> None:
    filters = queries.ItemFilters(section=section, since=since)
    expected = expected_since(engine, since, section)
    by_posts = every_page(engine, filters, 3)
    monkeypatch.setattr(queries, "SINCE_BY_POSTS", 0)  # too many posts: walk the digests instead
    by_digests = every_page(engine, filters, 3)
    assert by_posts == by_digests
    assert [item for page in by_posts for item in page.rows] == expected
    assert [page.has_next for page in by_posts] == [True] * (len(by_posts) - 1) + [False]
    if since == LATE - timedelta(hours=1):
        # Only the late addition was written that recently: found, though its digest is the oldest.
        [[late]] = [page.rows for page in by_posts]
        with session_scope(engine) as session:
            assert session.get(DigestItemRow, late).digest_id == published[0]  # type: ignore[union-attr]
    if since == LATE + timedelta(hours=1):
        assert expected == []
    if since < FIRST:
        assert len(expected) > 12


@pytest.mark.parametrize("query", ["flipped", "video", "flipped video", "padlet", "week"])
def test_search_pages_cut_one_ranked_list(engine: Engine, published: list[int], query: str) -> None:
    whole = every_page(engine, queries.ItemFilters(query=query), 1000)
    assert len(whole) == 1
    assert whole[0].rows
    pages = every_page(engine, queries.ItemFilters(query=query), 4)
    assert [item for page in pages for item in page.rows] == whole[0].rows
    assert [page.has_next for page in pages] == [True] * (len(pages) - 1) + [False]
    assert all(len(page.rows) == 4 for page in pages[:-1])
    with session_scope(engine) as session:
        assert queries.items(session, queries.ItemFilters(query=query), len(pages) + 1, 4).rows == []


def test_a_query_of_no_words_matches_nothing(engine: Engine, published: list[int]) -> None:
    with session_scope(engine) as session:
        page = queries.items(session, queries.ItemFilters(query="¡¿ *"), 1, 20)
    assert page.rows == []
    assert not page.has_next
