"""The thread as the hashtag's readers meet it, on mastodon_mock: the first post in the tag's timeline,
the replies out of it, the archive page linked, each item's own link kept, and nobody mentioned."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
from mastodon_mock.testing import MockServer
from sqlalchemy import Engine

from bot.jobs.collect import CollectOptions, Collector
from digests.render.sanitize import link_without_mention
from tests.conftest import FakeClock, source_for
from tests.test_publish import build, posted_thread, thread_of

PUBLIC_URL = "https://exemplar.school.example"


def tag_timeline(server: MockServer, tag: str) -> list[dict[str, Any]]:
    """The hashtag's public timeline, as any reader (no token) fetches it."""
    answer = httpx.get(f"{server.base_url}/api/v1/timelines/tag/{tag}", params={"limit": 40}, timeout=5)
    answer.raise_for_status()
    statuses: list[dict[str, Any]] = answer.json()
    return statuses


def bot_mentions(server: MockServer, username: str) -> list[Any]:
    """The bot's mentions of ``username``, as the server notified them."""
    notifications = server.client(username).notifications()
    return [n for n in notifications if n.type == "mention" and n.account.acct == "exemplar"]


def publish_digest(
    server: MockServer,
    engine: Engine,
    clock: FakeClock,
    make_collector: Callable[..., Collector],
    *,
    mastodon: dict[str, Any] | None = None,
    public_url: str | None = PUBLIC_URL,
) -> tuple[list[Any], dict[str, Any]]:
    email: dict[str, Any] = {"from": "digest@school.example", "recipients": ["head@oakfield.example"]}
    if public_url:
        email["public_url"] = public_url
    publish_section = {"base_url": server.base_url, "access_token_env": "BOT_TOKEN", **(mastodon or {})}
    publisher = build(
        engine,
        server,
        clock,
        smtp_port=None,
        publish={"mastodon": publish_section},
        email={**email, "outbox_dir": "outbox"},
    )
    posts = {
        "video": server.client("maria").status_post(
            "Notre réunion inversée est en ligne : https://youtu.be/Xc4ZsXq1a2Y #fliplead"
        ),
        "tool": server.client("lee").status_post(
            "Staff questions on a Padlet wall → https://padlet.com/r/q #fliplead, "
            "thanks @sam and @sam@school.example"
        ),
    }
    make_collector().collect((source_for(server),), CollectOptions())
    report = publisher.service.draft((clock.now - timedelta(days=7), clock.now + timedelta(minutes=1)))
    publisher.service.transition(report.digest_id, "approve")
    published = publisher.publish(report.digest_id)
    thread = posted_thread(published)
    assert thread is not None
    return thread_of(server, thread.remote_ids[0]), posts


def test_the_first_post_is_in_the_hashtag_timeline_and_the_replies_are_not(
    network: MockServer, sqlite_engine: Engine, clock: FakeClock, make_collector: Callable[..., Collector]
) -> None:
    chain, _ = publish_digest(network, sqlite_engine, clock, make_collector)

    assert [s.visibility for s in chain] == ["public", "unlisted", "unlisted"]
    in_timeline = {str(s["id"]) for s in tag_timeline(network, "fliplead")}
    assert str(chain[0].id) in in_timeline
    # The replies carry the hashtag too (the authors' own words), yet stay out of the timeline.
    assert all("#fliplead" in s.content for s in chain[1:])
    assert not in_timeline & {str(s.id) for s in chain[1:]}


def test_both_visibilities_follow_the_config(
    network: MockServer, sqlite_engine: Engine, clock: FakeClock, make_collector: Callable[..., Collector]
) -> None:
    chain, _ = publish_digest(
        network,
        sqlite_engine,
        clock,
        make_collector,
        mastodon={"visibility": "unlisted", "reply_visibility": "private"},
    )

    assert [s.visibility for s in chain] == ["unlisted", "private", "private"]
    in_timeline = {str(s["id"]) for s in tag_timeline(network, "fliplead")}
    assert not in_timeline & {str(s.id) for s in chain}


def test_the_head_links_to_the_archive_page_and_each_item_keeps_its_links(
    network: MockServer, sqlite_engine: Engine, clock: FakeClock, make_collector: Callable[..., Collector]
) -> None:
    chain, posts = publish_digest(network, sqlite_engine, clock, make_collector)

    head = chain[0].content
    assert f"{PUBLIC_URL}/digests/" in head
    video, tool = chain[1].content, chain[2].content
    assert "https://youtu.be/Xc4ZsXq1a2Y" in video
    assert "https://padlet.com/r/q" in tool
    for status, post in zip(chain[1:], posts.values(), strict=True):
        link = link_without_mention(post.url, post.uri)
        assert link is not None
        assert link in status.content
    assert "est en ligne #fliplead" in video  # the colon that introduced the link went with it
    assert " : #" not in video
    assert "→ #" not in tool
    # "@sam" in Lee's words is quoted, never a mention: the bot notifies no one.
    assert all(not s.mentions for s in chain)
    assert "sam@school.example" in tool
    assert not re.search(r"(?<![\w/])@sam", tool)
    assert not bot_mentions(network, "sam")


def test_the_server_would_notify_an_undefanged_handle(network: MockServer) -> None:
    """The check above can fail: the same words posted as they are do mention Sam."""
    network.client("exemplar").status_post("thanks @sam", visibility="unlisted")
    assert bot_mentions(network, "sam")


def test_without_a_public_url_the_head_has_no_archive_link(
    network: MockServer, sqlite_engine: Engine, clock: FakeClock, make_collector: Callable[..., Collector]
) -> None:
    chain, _ = publish_digest(network, sqlite_engine, clock, make_collector, public_url=None)

    assert "/digests/" not in chain[0].content
    assert "#fliplead" in chain[0].content
    assert chain[0].visibility == "public"
