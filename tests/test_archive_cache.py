"""Archive pages are rendered once and kept (per worker, per archive fingerprint), and never stale: a
digest published or a post removed by another process shows on the next request to any worker of a
real `exemplar serve --workers 2`; entity tags answer 304; a curator's page is never anyone else's;
the cache is bounded; pages at the edges of pagination follow the archive as it grows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import httpx
import pytest
from sqlalchemy import Engine, event, select
from starlette.testclient import TestClient

from bot.config import settings_from_mapping
from bot.jobs.store import PostStore
from bot.passwords import hash_password
from bot.web.app import create_app
from bot.web.page_cache import PageCache, cached_page
from storage.curators import add_curator
from storage.db import create_db_engine, session_scope
from storage.models import Post
from tests.archive_site import PUBLIC_URL, archive_settings, post, publish_week, week_start
from tests.cli_process import run_exemplar
from tests.desk_site import log_in
from tests.live_server import exemplar_serving

# Enough requests that each of two workers answers some (the kernel spreads connections between them).
REQUESTS_A_PAGE = 8
PAGES = ("/browse/video", "/search?q=video", "/feed.atom", "/feed/video.atom")


def video(post_id: str, words: str, user: str, name: str, created: datetime) -> dict[str, Any]:
    link = f"https://youtu.be/Xc4ZsXq1a{post_id}"
    return post(post_id, words, user=user, name=name, created=created, link=link, domain="school.example")


def publish(engine: Engine, weeks_ago: int, *statuses: tuple[str, str, str, str], size: int = 20) -> int:
    """Publish the week ``weeks_ago`` with these (id, words, user, name) videos; returns its id."""
    start = week_start(weeks_ago)
    made = [
        video(post_id, words, user, name, start + timedelta(days=1, minutes=n))
        for n, (post_id, words, user, name) in enumerate(statuses)
    ]
    return publish_week(
        engine, archive_settings(page_size=size), made, start=start, published_at=start + timedelta(days=8)
    )


@pytest.fixture
def served(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[tuple[str, Path]]:
    """A real `exemplar serve --workers 2` on the test's database; yields its URL and its config."""
    config = tmp_path / "exemplar.toml"
    config.write_text(
        f'hashtags = ["fliplead"]\n[database]\nurl = "{database_url}"\n'
        f'[archive]\npublic_url = "{PUBLIC_URL}"\n',
        encoding="utf-8",
    )
    with exemplar_serving(config, tmp_path) as url:
        yield url, config


def every_answer(url: str, path: str) -> list[str]:
    """The page at ``path`` as each of several fresh connections is answered (so by every worker)."""
    pages = []
    for _ in range(REQUESTS_A_PAGE):
        with httpx.Client(base_url=url, timeout=20) as client:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            pages.append(response.text)
    return pages


def test_a_digest_published_by_another_process_shows_on_the_next_request_to_every_worker(
    served: tuple[str, Path], engine: Engine
) -> None:
    url, _config = served
    first = publish(engine, 3, ("1", "Our flipped briefing video", "maria", "María López"))
    for path in PAGES:
        assert all("María López" in page for page in every_answer(url, path)), path
    assert all(f"/digests/{first}" in page for page in every_answer(url, "/"))

    second = publish(engine, 2, ("2", "Our staff video in four minutes", "sam", "Sam Okafor"))

    for path in PAGES:
        pages = every_answer(url, path)
        assert all("Sam Okafor" in page and "María López" in page for page in pages), path
    assert all(f"/digests/{second}" in page for page in every_answer(url, "/"))
    assert all("Sam Okafor" in page for page in every_answer(url, f"/digests/{second}"))


def test_an_author_who_opts_out_leaves_every_cached_page_and_feed_at_once(
    served: tuple[str, Path], engine: Engine
) -> None:
    url, config = served
    digest = publish(
        engine,
        2,
        ("1", "Our flipped briefing video", "maria", "María López"),
        ("2", "Our staff video in four minutes", "sam", "Sam Okafor"),
    )
    paths = (*PAGES, f"/digests/{digest}")
    for path in paths:
        assert all("María López" in page for page in every_answer(url, path)), path
    with session_scope(engine) as session:
        acct = session.scalars(select(Post.author_acct).where(Post.author_name == "María López")).one()

    removed = run_exemplar("--config", str(config), "optout", acct, cwd=config.parent)
    assert removed.returncode == 0, removed.stderr

    for path in paths:
        pages = every_answer(url, path)
        assert not any("María" in page or "briefing" in page for page in pages), path
        assert all("Sam Okafor" in page for page in pages), path
    feed = feedparser.parse(every_answer(url, "/feed/video.atom")[0])
    assert [entry.author for entry in feed.entries] == ["Sam Okafor"]


@pytest.fixture
def client(engine: Engine) -> TestClient:
    app = create_app(engine, lambda: datetime.now(UTC), archive_settings(page_size=2), PostStore())
    return TestClient(app)


def test_pages_carry_an_entity_tag_and_answer_304_until_the_archive_changes(
    engine: Engine, client: TestClient
) -> None:
    publish(engine, 3, ("1", "Our flipped briefing video", "maria", "María López"))
    for path in ("/", "/browse/video", "/search?q=briefing", "/feed.atom", "/feed/video.atom"):
        page = client.get(path)
        assert page.status_code == 200
        tag = page.headers["etag"]
        assert tag.startswith('"')
        assert tag.endswith('"')
        assert page.headers["cache-control"] == "public, no-cache"
        assert "set-cookie" not in page.headers  # a public page puts nothing in a session
        again = client.get(path)
        assert (again.headers["etag"], again.content) == (tag, page.content)
        for asked in (tag, f"W/{tag}", f'"something-else", {tag}', "*"):
            unchanged = client.get(path, headers={"if-none-match": asked})
            assert (unchanged.status_code, unchanged.content) == (304, b""), asked
            assert unchanged.headers["etag"] == tag
        assert client.get(path, headers={"if-none-match": '"something-else"'}).status_code == 200

    old = {path: client.get(path).headers["etag"] for path in ("/browse/video", "/feed/video.atom")}
    publish(engine, 2, ("2", "Our staff video in four minutes", "sam", "Sam Okafor"))
    for path, tag in old.items():
        changed = client.get(path, headers={"if-none-match": tag})
        assert changed.status_code == 200
        assert changed.headers["etag"] != tag
        assert "Sam Okafor" in changed.text


def test_a_curators_page_is_never_kept_for_anyone_else(engine: Engine, client: TestClient) -> None:
    publish(engine, 2, ("1", "Our flipped briefing video", "maria", "María López"))
    with session_scope(engine) as session:
        add_curator(
            session, "curator@school.example", hash_password("flipped-meetings-2026"), datetime.now(UTC)
        )
    anonymous = TestClient(client.app)
    assert "Log out" not in anonymous.get("/browse/video").text  # kept now

    assert log_in(client).status_code == 200
    mine = client.get("/browse/video")
    assert "Log out curator@school.example" in mine.text
    assert mine.headers["cache-control"] == "private, no-store"
    assert "etag" not in mine.headers

    for path in ("/browse/video", "/"):
        theirs = anonymous.get(path)
        assert "Log out" not in theirs.text
        assert 'name="csrf"' not in theirs.text
        assert theirs.headers["cache-control"] == "public, no-cache"


def test_pages_at_the_edges_follow_the_archive_as_it_grows(engine: Engine, client: TestClient) -> None:
    names = [("maria", "María López"), ("sam", "Sam Okafor"), ("lee", "Lee Chen"), ("ana", "Ana Ruiz")]
    publish(
        engine, 3, *((str(n), f"Flipped video {n}", user, name) for n, (user, name) in enumerate(names, 1))
    )
    first, last = client.get("/browse/video"), client.get("/browse/video?page=2")
    assert 'rel="next" href="/browse/video?page=2"' in first.text
    assert 'rel="prev"' not in first.text
    assert 'rel="prev" href="/browse/video"' in last.text
    assert 'rel="next"' not in last.text
    assert client.get("/browse/video?page=3").status_code == 404
    assert client.get("/browse/video?page=0").status_code == 404
    assert client.get("/browse/video?page=12345678").status_code == 404
    assert client.get("/browse/video?page=two").status_code == 400
    assert 'rel="next"' not in client.get("/").text  # one digest, one page

    publish(engine, 2, ("5", "Flipped video 5", "kai", "Kai Moana"))
    publish(engine, 1, ("6", "Flipped video 6", "noa", "Noa Levi"))
    grown = client.get("/browse/video?page=2")
    assert 'rel="next" href="/browse/video?page=3"' in grown.text
    third = client.get("/browse/video?page=3")
    assert third.status_code == 200
    assert 'rel="next"' not in third.text
    assert "María López" in third.text or "Sam Okafor" in third.text
    assert client.get("/browse/video?page=4").status_code == 404
    assert 'rel="next" href="/?page=2"' in client.get("/").text
    assert client.get("/?page=2").status_code == 200
    assert client.get("/?page=3").status_code == 404


def statements_for(engine: Engine, client: TestClient, path: str) -> int:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_a_kept_page_costs_one_statement_and_the_cache_keeps_only_so_many(engine: Engine) -> None:
    publish(engine, 2, ("1", "Our flipped briefing video", "maria", "María López"))
    settings = settings_from_mapping(
        {"hashtags": ["fliplead"], "archive": {"public_url": PUBLIC_URL, "cached_pages": 2}},
        path=Path("x"),
        environ={},
    )
    client = TestClient(create_app(engine, lambda: datetime.now(UTC), settings, PostStore()))
    for query in ("flipped", "briefing", "video"):
        assert statements_for(engine, client, f"/search?q={query}") > 1  # rendered
    assert statements_for(engine, client, "/search?q=video") == 1  # kept: only the fingerprint is read
    assert statements_for(engine, client, "/search?q=briefing") == 1
    assert statements_for(engine, client, "/search?q=flipped") > 1  # the least recently used went


def test_the_page_cache_is_bounded_in_pages_and_bytes_and_holds_one_fingerprint() -> None:
    cache = PageCache(max_pages=3, max_bytes=1000)
    for n in range(10):
        cache.put("v1", f"/page/{n}", cached_page(b"x" * 100, "text/html"))
    assert len(cache) == 3
    assert [cache.get("v1", f"/page/{n}") is not None for n in range(10)] == [False] * 7 + [True] * 3
    cache.get("v1", "/page/7")  # used: the others go first
    cache.put("v1", "/page/new", cached_page(b"y", "text/html"))
    assert cache.get("v1", "/page/7") is not None
    assert cache.get("v1", "/page/8") is None

    cache.put("v1", "/big", cached_page(b"z" * 600, "text/html"))
    assert cache.size_bytes <= 1000
    assert cache.get("v1", "/big") is not None
    cache.put("v1", "/too-big", cached_page(b"z" * 1001, "text/html"))
    assert cache.get("v1", "/too-big") is None

    assert cache.get("v2", "/big") is None  # another fingerprint: nothing kept is served
    cache.put("v2", "/fresh", cached_page(b"new", "text/html"))
    assert len(cache) == 1
    assert cache.get("v1", "/big") is None

    nothing = PageCache(max_pages=0)
    nothing.put("v1", "/", cached_page(b"page", "text/html"))
    assert len(nothing) == 0
    assert nothing.get("v1", "/") is None


def test_the_fingerprint_changes_when_a_post_leaves_the_archive(engine: Engine) -> None:
    from storage import archive_queries
    from storage import repository as repo

    publish(engine, 2, ("1", "Our flipped briefing video", "maria", "María López"))
    other = create_db_engine(engine.url.render_as_string(hide_password=False))  # another process's
    try:
        with session_scope(engine) as session:
            before = archive_queries.fingerprint(session)
            acct = session.scalars(select(Post.author_acct)).one()
        with session_scope(other) as session:
            assert repo.delete_posts_by_author(session, "nobody@school.example") == 0
        with session_scope(engine) as session:
            assert archive_queries.fingerprint(session) == before  # nothing left: nothing to redo
        with session_scope(other) as session:
            assert repo.delete_posts_by_author(session, acct) == 1
        with session_scope(engine) as session:
            after = archive_queries.fingerprint(session)
        assert after != before
        assert after[:2] == before[:2]
    finally:
        other.dispose()
