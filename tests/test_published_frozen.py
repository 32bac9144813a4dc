"""A published digest shows what was published: edits at the source never reach its archive page or
feed, and a post its author deletes shows as removed there, without its content (mastodon_mock, a
real SQLite file, the real archive app, feedparser)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import feedparser
from mastodon_mock.testing import MockServer
from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from bot.jobs.collect import CollectOptions, Collector
from bot.jobs.store import PostStore
from bot.web.app import create_app
from storage.db import session_scope
from storage.models import Post, PublishedItem
from tests.archive_site import archive_settings
from tests.conftest import FakeClock, source_for
from tests.test_publish import approved_digest, build

REMOVED = "Removed at the author's request."


def test_the_archive_shows_the_published_record_and_removal_at_the_authors_request(
    network: MockServer, sqlite_engine: Engine, clock: FakeClock, make_collector: Callable[..., Collector]
) -> None:
    publisher = build(sqlite_engine, network, clock, smtp_port=None)
    digest_id, posts = approved_digest(network, sqlite_engine, clock, make_collector, publisher)
    assert publisher.publish(digest_id).status == "published"
    app = create_app(sqlite_engine, lambda: datetime.now(UTC), archive_settings(), PostStore())
    client = TestClient(app, follow_redirects=False)
    before = client.get(f"/digests/{digest_id}").text
    assert "Our flipped briefing" in before

    # After publication the author edits one post and deletes another, at home.
    network.client("maria").status_update(
        posts["video"].id, "Rewritten: buy cheap pills at spam.example #fliplead"
    )
    network.client("lee").status_delete(posts["tool"].id)
    clock.now += timedelta(minutes=61)
    [summary] = make_collector().collect((source_for(network),), CollectOptions(refresh=True))
    assert summary.ok, summary.errors
    with session_scope(sqlite_engine) as session:
        stored = {row.uri: row.text for row in session.scalars(select(Post))}
    assert "Rewritten" in stored[posts["video"].uri]  # the stored post follows its home
    assert posts["tool"].uri not in stored

    page = client.get(f"/digests/{digest_id}").text
    assert "Our flipped briefing" in page  # as published
    assert "Rewritten" not in page
    assert "spam.example" not in page
    assert REMOVED in page
    assert "Padlet" not in page  # the removed item's content is gone
    assert "vimeo.com/812345678" in page

    feed = feedparser.parse(client.get("/feed.atom").content)
    [entry] = [e for e in feed.entries if e.link.endswith(f"/digests/{digest_id}")]
    content = entry.content[0].value
    assert "Our flipped briefing" in content
    assert "Rewritten" not in content
    assert "Padlet" not in content
    assert "Removed at the author's request." in content

    with session_scope(sqlite_engine) as session:
        removed = session.scalars(select(PublishedItem).where(PublishedItem.removed_at.is_not(None))).one()
        assert removed.post_uri == posts["tool"].uri
        assert "deleted at its home" in removed.removed_reason
        assert set(removed.record) <= {"post_id", "section", "position", "created_at", "source", "removed"}
