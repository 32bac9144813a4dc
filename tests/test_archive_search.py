"""Archive search in archive order, on a real SQLite file and on PostgreSQL: walked by key, a search
visits every match once, newest first, in the order the archive lists items; a digest for an older
period published late takes its period's place; a removed post leaves search at once; workers
indexing at once index each item once; the migration fills the index from the old one; the pages
link by key, and old ``page=N`` links still work."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, insert, select, text
from starlette.testclient import TestClient

from bot.jobs.store import PostStore
from bot.web.app import create_app
from bot.web.archive_index import ArchiveIndex
from storage import archive_queries as queries
from storage import repository as repo
from storage import search
from storage.db import _alembic_config, create_db_engine, session_scope, upgrade_schema
from storage.models import Digest, DigestItemRow, Post, table_of
from tests.archive_site import archive_settings, post, publish_week, week_start

WEEKS = 6
FIRST = week_start(WEEKS + 2)
QUERIES = ["week", "flipped", "video", "flipped video", "vid", "padlet", "ana", "pérez week 3", "zebra"]
SECTIONS = [None, "video", "tool", "question"]


def week_posts(week: int) -> list[dict[str, Any]]:
    at = FIRST + timedelta(weeks=week, days=2)
    return [
        post(f"{week}01", f"Our flipped staff video, week {week}", user="ana", name="Ana Pérez",
             created=at, link=f"https://youtu.be/Wk{week:02d}vid0001"),
        post(f"{week}02", f"A flipped video on feedback, week {week}", user="ben", name="Ben Ode",
             created=at + timedelta(hours=3), link=f"https://youtu.be/Wk{week:02d}vid0002"),
        post(f"{week}03", f"Questions on a Padlet wall before meetings, week {week}", user="sam",
             name="Sam Okafor", created=at + timedelta(hours=5), link=f"https://padlet.com/s/w{week}"),
        post(f"{week}04", f"How do you keep flipped video meetings short, week {week}? Any advice?",
             user="kim", name="Kim Park", created=at + timedelta(hours=7)),
    ]  # fmt: skip


def publish_archive(engine: Engine) -> dict[str, Any]:
    """Weeks 1 to 5 published in turn, then week 0's digest, for the oldest period, published last;
    and week 1's first post featured again, as a tool, in week 4's digest. Not indexed yet."""
    config = archive_settings()

    def publish(week: int, published_at: datetime) -> int:
        start = FIRST + timedelta(weeks=week)
        return publish_week(engine, config, week_posts(week), start=start, published_at=published_at)

    ids = {week: publish(week, FIRST + timedelta(weeks=week + 1, days=1)) for week in range(1, WEEKS)}
    ids[0] = publish(0, FIRST + timedelta(weeks=WEEKS, days=2))
    with session_scope(engine) as session:
        again = session.scalars(select(Post.id).where(Post.uri.like("%/101"))).one()
        session.execute(
            insert(table_of(DigestItemRow)).values(
                digest_id=ids[4], post_id=again, section="tool", position=7, score=1.0, pinned=False,
                curated=True, removed=False, blurb="",
            )
        )  # fmt: skip
    return {"digests": ids, "again": again}


@pytest.fixture
def archive(engine: Engine) -> dict[str, Any]:
    built = publish_archive(engine)
    ArchiveIndex(engine, PostStore()).refresh()
    return built


def expected(engine: Engine, query: str, section: str | None, since: datetime | None = None) -> list[int]:
    """The items a search lists, from the archive's own listing (not the index): every item that the
    browse pages list, in their order, whose post's words start with each of the query's words."""
    words = search.query_words(query)
    index = ArchiveIndex(engine, PostStore())
    with session_scope(engine) as session:
        listed = queries.items(session, queries.ItemFilters(section=section, since=since), 1, 10_000).rows
        return [
            row.id
            for row in listed
            if words
            and all(
                any(found.startswith(word) for found in search.fold(index.document(row.post)).split())
                for word in words
            )
        ]


def page(
    engine: Engine,
    query: str,
    section: str | None,
    size: int,
    window: queries.Window,
    since: datetime | None = None,
) -> Any:
    filters = queries.ItemFilters(section=section, query=query, since=since)
    with session_scope(engine) as session:
        return queries.items(session, filters, 1, size, window=window)


def walk_forward(
    engine: Engine, query: str, section: str | None, size: int, since: datetime | None = None
) -> list[int]:
    found: list[int] = []
    current = page(engine, query, section, size, queries.Window(), since)
    while True:
        found.extend(row.id for row in current.rows)
        if not current.has_next:
            return found
        current = page(engine, query, section, size, queries.Window(before=current.keys[-1]), since)


def test_the_archive_is_in_its_listing_order_and_each_post_listed_once(
    engine: Engine, archive: dict[str, Any]
) -> None:
    """The oracle itself: the late digest for the oldest period comes last, and the post featured
    twice is listed once (at the newer digest), or once in each of its sections."""
    week = expected(engine, "week", None)
    with session_scope(engine) as session:
        digests = [session.get(DigestItemRow, item).digest_id for item in week]  # type: ignore[union-attr]
        tools = [session.get(DigestItemRow, item).post_id for item in expected(engine, "week", "tool")]  # type: ignore[union-attr]
    ids = archive["digests"]
    assert digests == sorted(digests, key=[ids[w] for w in reversed(range(WEEKS))].index)
    assert ids[0] == max(ids.values())
    assert len(week) == 4 * WEEKS  # the post featured twice is listed once
    assert tools.count(archive["again"]) == 1


@pytest.mark.parametrize("query", QUERIES)
def test_a_search_lists_what_the_archive_lists_in_its_order(
    engine: Engine, archive: dict[str, Any], query: str
) -> None:
    for section in SECTIONS:
        assert walk_forward(engine, query, section, 1000) == expected(engine, query, section)
    assert expected(engine, query, None) or query == "zebra"


@pytest.mark.parametrize("weeks", [-1, 2, 4, WEEKS + 1])
def test_a_search_since_a_day_lists_what_the_archive_lists(
    engine: Engine, archive: dict[str, Any], monkeypatch: pytest.MonkeyPatch, weeks: int
) -> None:
    since = FIRST + timedelta(weeks=weeks)
    for section in (None, "video"):
        whole = expected(engine, "week", section, since)
        assert walk_forward(engine, "week", section, 2, since) == whole
        monkeypatch.setattr(queries, "SINCE_BY_POSTS", 0)  # too many posts since: looked up one by one
        assert walk_forward(engine, "week", section, 2, since) == whole
        monkeypatch.undo()
        assert len(whole) < len(expected(engine, "week", section)) or weeks < 0
        assert whole or weeks > WEEKS


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    query=st.sampled_from(QUERIES),
    section=st.sampled_from(SECTIONS),
    size=st.integers(min_value=1, max_value=6),
    moves=st.lists(st.booleans(), max_size=16),
)
def test_walking_by_key_visits_every_match_once_in_order(
    engine: Engine, archive: dict[str, Any], query: str, section: str | None, size: int, moves: list[bool]
) -> None:
    whole = expected(engine, query, section)
    assert walk_forward(engine, query, section, size) == whole
    # Back and forth by the pages' own keys: each page is the slice of the whole list where it sits.
    offset, current = 0, page(engine, query, section, size, queries.Window())
    for older in [*moves, *[False] * len(moves)]:
        assert [row.id for row in current.rows] == whole[offset : offset + size]
        assert current.has_next == (offset + size < len(whole))
        assert current.has_previous == (offset > 0)
        assert current.keys == sorted(current.keys, reverse=True)
        if older and current.has_next:
            offset, current = (
                offset + size,
                page(engine, query, section, size, queries.Window(before=current.keys[-1])),
            )
        elif not older and current.has_previous:
            offset, current = (
                offset - size,
                page(engine, query, section, size, queries.Window(after=current.keys[0])),
            )
    numbered = page(engine, query, section, size, queries.Window(number=2))
    assert [row.id for row in numbered.rows] == whole[size : 2 * size]


def test_a_late_digest_for_an_older_period_takes_its_period_place(
    engine: Engine, archive: dict[str, Any]
) -> None:
    late = archive["digests"][0]
    with session_scope(engine) as session:
        rows = session.execute(
            select(search.entries.c.key, search.entries.c.digest_id, Digest.period_start).join(
                Digest, Digest.id == search.entries.c.digest_id
            )
        ).all()
    by_key = [digest_id for _key, digest_id, _start in sorted(rows, reverse=True)]
    assert by_key[-4:] == [late] * 4  # indexed last, listed last: the oldest period
    starts = [start for _key, _digest, start in sorted(rows, reverse=True)]
    assert starts == sorted(starts, reverse=True)
    found = walk_forward(engine, "week 0", None, 2)
    with session_scope(engine) as session:
        assert {session.get(DigestItemRow, item).digest_id for item in found} == {late}  # type: ignore[union-attr]


def test_archive_keys_order_period_then_digest_then_place() -> None:
    day = datetime(2026, 11, 30, tzinfo=UTC)
    ordered = [
        search.archive_key(day + timedelta(days=7), 1, 5),
        search.archive_key(day, 9, 0),
        search.archive_key(day, 8, 0),
        search.archive_key(day, 8, 1),
        search.archive_key(day - timedelta(minutes=1), 10**6, 0),
    ]
    assert ordered == sorted(ordered, reverse=True)
    assert min(ordered) > 0
    assert max(ordered) <= search.MAX_KEY
    for bad in [(day, 2**22, 0), (day, 1, 2**14), (day, 0, 0)]:
        with pytest.raises(ValueError, match="too many to place"):
            search.archive_key(*bad)
    with pytest.raises(ValueError, match="cannot be placed"):
        search.archive_key(datetime(1969, 12, 31, tzinfo=UTC), 1, 0)


def matches_in_index(engine: Engine, word: str) -> int:
    """How many rows the backend's own full-text index finds for ``word`` (FTS5 or tsvector)."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            statement = "SELECT count(*) FROM archive_search WHERE document @@ to_tsquery('simple', :word)"
        else:
            statement = "SELECT count(*) FROM archive_search_fts WHERE archive_search_fts MATCH :word"
        return int(connection.execute(text(statement), {"word": word}).scalar_one())


def test_a_removed_post_leaves_search_at_once(engine: Engine, archive: dict[str, Any]) -> None:
    ana = expected(engine, "ana", None)
    assert len(ana) == WEEKS
    assert matches_in_index(engine, "ana") == WEEKS + 1  # and once more in week 4, as a tool
    with session_scope(engine) as session:
        first = session.get(DigestItemRow, ana[0])
        assert first is not None
        queries.record_removal(session, first.post, via="mastodon sign-in", now=datetime.now(UTC))
    assert walk_forward(engine, "ana", None, 2) == ana[1:]  # no refresh: the index row went with it
    assert matches_in_index(engine, "ana") == WEEKS
    with session_scope(engine) as session:
        [acct] = set(session.scalars(select(Post.author_acct).where(Post.author_name == "Ana Pérez")))
        assert repo.delete_posts_by_author(session, acct) == WEEKS - 1
    assert walk_forward(engine, "ana", None, 2) == []
    assert walk_forward(engine, "ana", "tool", 2) == []
    assert matches_in_index(engine, "ana") == 0
    assert walk_forward(engine, "ben", None, 100) == expected(engine, "ben", None) != []


def live_published_items(engine: Engine) -> set[int]:
    with session_scope(engine) as session:
        return set(
            session.scalars(
                select(DigestItemRow.id)
                .join(Digest, Digest.id == DigestItemRow.digest_id)
                .where(Digest.status == "published", DigestItemRow.removed.is_(False))
            )
        )


def test_workers_indexing_at_once_index_each_item_once(engine: Engine) -> None:
    publish_archive(engine)
    url = engine.url.render_as_string(hide_password=False)
    workers = [create_db_engine(url) for _ in range(4)]
    start = threading.Barrier(len(workers))
    failures: list[BaseException] = []

    def index(worker: Engine) -> None:
        start.wait()
        try:
            ArchiveIndex(worker, PostStore()).refresh()
        except BaseException as error:  # reported by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=index, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for worker in workers:
        worker.dispose()
    assert failures == []
    with session_scope(engine) as session:
        items = list(session.scalars(select(search.entries.c.item_id)))
        assert session.scalar(select(func.count()).select_from(search.entries)) == len(items)
    assert sorted(items) == sorted(live_published_items(engine))
    assert matches_in_index(engine, "flipped") == 3 * WEEKS + 1


def test_the_migration_fills_the_index_from_the_old_one(database_url: str) -> None:
    """Items whose posts the old index held are searchable at once; the one post it never held is
    indexed by the next web request, as a newly published one is."""
    old = create_db_engine(database_url)
    upgrade_schema(old, "0017")
    publish_archive(old)
    index = ArchiveIndex(old, PostStore())
    with session_scope(old) as session:
        posts = list(session.scalars(select(Post)))
        unindexed = next(p.id for p in posts if p.uri.endswith("/502"))
        documents = {p.id: search.fold(index.document(p)) for p in posts}
        rows = [
            {"post_id": post_id, "body": body} for post_id, body in documents.items() if post_id != unindexed
        ]
        column = "post_id" if old.dialect.name == "postgresql" else "rowid"
        session.execute(text(f"INSERT INTO archive_fts ({column}, body) VALUES (:post_id, :body)"), rows)
    upgrade_schema(old)
    with session_scope(old) as session:
        shown = {item.id: item.post_id for item in session.scalars(select(DigestItemRow))}
    for query in ("flipped", "week", "padlet"):
        for section in SECTIONS:
            whole = expected(old, query, section)
            assert walk_forward(old, query, section, 3) == [
                item for item in whole if shown[item] != unindexed
            ]
    index.refresh()
    for section in SECTIONS:
        assert walk_forward(old, "flipped", section, 3) == expected(old, "flipped", section)
    with session_scope(old) as session:
        places = queries.places_in_digests(
            session, {row.digest_id for row in session.scalars(select(DigestItemRow))}
        )
        for key, item_id in session.execute(select(search.entries.c.key, search.entries.c.item_id)):
            item = session.get(DigestItemRow, item_id)
            assert item is not None
            assert key == search.archive_key(item.digest.period_start, item.digest_id, places[item_id])
    # And back: the per-post index gets each post's words once, then forward again.
    command.downgrade(_alembic_config(old), "0017")
    with old.connect() as connection:
        indexed = connection.execute(text(f"SELECT {column}, body FROM archive_fts")).all()
    assert sorted(indexed) == sorted(documents.items())
    upgrade_schema(old)
    for section in SECTIONS:
        assert walk_forward(old, "flipped", section, 3) == expected(old, "flipped", section)
    old.dispose()


def post_ids(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'<div class="item" id="item-(\d+)">', html)]


def link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_search_pages_link_by_key_and_old_page_links_still_work(
    engine: Engine, archive: dict[str, Any]
) -> None:
    app = create_app(engine, lambda: datetime.now(UTC), archive_settings(page_size=5), PostStore())
    client = TestClient(app, follow_redirects=False)
    with session_scope(engine) as session:
        whole = [session.get(DigestItemRow, item).post_id for item in expected(engine, "flipped", "video")]  # type: ignore[union-attr]
    seen: list[int] = []
    address: str | None = "/browse/video?q=flipped"
    pages = []
    while address:
        response = client.get(address)
        assert response.status_code == 200
        seen.extend(post_ids(response.text))
        pages.append(response.text)
        address = link(response.text, "next")
        assert address is None or ("before=" in address and "page=" not in address)
    assert seen == whole
    assert len(pages) > 2
    back = link(pages[-1], "prev")
    assert back is not None
    assert "after=" in back
    assert post_ids(client.get(back).text) == post_ids(pages[-2])
    second = client.get("/browse/video?q=flipped&page=2")
    assert post_ids(second.text) == whole[5:10]
    assert "before=" in (link(second.text, "next") or "")
    assert "after=" in (link(second.text, "prev") or "")
    for malformed in ("abc", "-5", "1.5", "9" * 20, str(2**63)):
        assert client.get("/search", params={"q": "flipped", "before": malformed}).status_code == 400
    assert client.get("/search", params={"q": "flipped", "before": "1", "after": "2"}).status_code == 400
    assert client.get("/browse/video", params={"before": "1"}).status_code == 400  # not a search
    assert client.get("/search", params={"q": "flipped", "before": "1"}).status_code == 404
    assert client.get("/search", params={"q": "flipped", "after": str(search.MAX_KEY)}).status_code == 404


def test_a_worker_indexing_holds_off_another_until_it_commits(engine: Engine) -> None:
    order: list[str] = []

    def second_worker() -> None:
        with session_scope(engine) as session:
            search.lock_for_indexing(session)
            order.append("second")

    with session_scope(engine) as session:
        search.lock_for_indexing(session)
        waiting = threading.Thread(target=second_worker)
        waiting.start()
        waiting.join(timeout=0.5)
        order.append("first")
    waiting.join(timeout=10)
    assert order == ["first", "second"]
