"""Authors remove their own posts: signing in with their Mastodon account (OAuth against mastodon_mock on
127.0.0.1, app registered on the fly) or replying "optout" to the bot. The post then leaves the archive,
its search, its feeds and future digests, and is never stored again."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest
from mastodon_mock.config import DatabaseConfig, MastodonMockConfig, SeedAccount, SeedConfig
from mastodon_mock.testing import MockServer
from sqlalchemy import Engine, func, select
from starlette.testclient import TestClient

from bot.config import MastodonSource
from bot.consent.optout_requests import process_optout_requests
from bot.jobs.digest import DigestService
from bot.jobs.store import PostStore
from bot.networks.mastodon.client import MastodonClient
from bot.networks.mastodon.normalise import normalise_status
from bot.retry import RetryPolicy
from bot.secrets import Secret
from bot.web.app import create_app
from bot.web.mastodon_oauth import SignedIn, instance_of
from bot.web.removal import is_author
from storage.db import session_scope
from storage.models import DigestItemRow, OAuthClient, Post, RemovedPost
from tests.archive_site import (
    PUBLIC_URL,
    archive_settings,
    instance_on_loopback,
    local_author,
    post,
    publish_week,
    sign_in_at_instance,
    week_start,
)
from tests.payloads import account

START = week_start(1)
AT = START + timedelta(days=2)
PUBLISHED = START + timedelta(days=8)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[str]:
    with instance_on_loopback(tmp_path) as url:
        yield url


def statuses_from(instance: str) -> list[dict[str, Any]]:
    maria = local_author(instance, "maria", "María López")
    sam = local_author(instance, "sam", "Sam Okafor")
    return [
        post("1", "Nuestro vídeo de la reunión", user="maria", name="María López", created=AT,
             link="https://youtu.be/Xc4ZsXq1a2Y") | {"account": maria,
             "url": f"{instance}/@maria/1", "uri": f"{instance}/users/maria/statuses/1"},
        post("2", "Our staff video in four minutes", user="sam", name="Sam Okafor", created=AT,
             link="https://vimeo.com/812345678") | {"account": sam, "url": f"{instance}/@sam/2",
             "uri": f"{instance}/users/sam/statuses/2"},
    ]  # fmt: skip


@pytest.fixture
def site(engine: Engine, instance: str) -> dict[str, Any]:
    settings = archive_settings()
    digest_id = publish_week(engine, settings, statuses_from(instance), start=START, published_at=PUBLISHED)
    with session_scope(engine) as session:
        ids = {row.author_acct.split("@")[0]: row.id for row in session.scalars(select(Post))}
    app = create_app(engine, lambda: datetime.now(UTC), settings, PostStore())
    return {"digest": digest_id, "ids": ids, "client": TestClient(app, follow_redirects=False)}


def start_removal(client: TestClient, post_id: int) -> str:
    """Open the item's removal page and ask to sign in; returns where the instance's login is."""
    page = client.get(f"/remove/{post_id}")
    assert page.status_code == 200
    assert "Sign in with Mastodon on 127.0.0.1:" in page.text
    begun = client.post(f"/remove/{post_id}/mastodon", data={"csrf": csrf_of(page.text)})
    assert begun.status_code == 303, begun.text
    return str(begun.headers["location"])


def come_back(client: TestClient, callback: str) -> Any:
    assert callback.startswith(f"{PUBLIC_URL}/remove/callback?")
    return client.get(callback.removeprefix(PUBLIC_URL))


def shown_everywhere(client: TestClient, digest_id: int) -> set[str]:
    """Which authors the archive shows on every page and in every feed ("(partly)" when on some only)."""
    paths = ("/browse/video", "/search?q=video", f"/digests/{digest_id}", "/feed.atom", "/feed/video.atom")
    pages = [client.get(path).text for path in paths]
    found = set()
    for name in ("María López", "Sam Okafor"):
        shown = [name in page for page in pages]
        if any(shown):
            found.add(name if all(shown) else f"{name} (partly)")
    return found


def test_an_author_signs_in_with_mastodon_and_removes_their_post(
    engine: Engine, instance: str, site: dict[str, Any]
) -> None:
    client: TestClient = site["client"]
    maria = site["ids"]["maria"]
    assert 'href="/remove/' in client.get("/browse/video").text
    assert "Is this your post? Remove it" in client.get(f"/digests/{site['digest']}").text
    assert shown_everywhere(client, site["digest"]) == {"María López", "Sam Okafor"}

    location = start_removal(client, maria)
    assert location.startswith(f"{instance}/oauth/authorize?")
    assert "scope=read%3Aaccounts" in location
    assert "code_challenge_method=S256" in location
    with session_scope(engine) as session:
        [registered] = session.scalars(select(OAuthClient))
        assert (registered.instance_url, registered.redirect_uri) == (
            instance,
            f"{PUBLIC_URL}/remove/callback",
        )

    confirm = come_back(client, sign_in_at_instance(location, "maria"))
    assert confirm.status_code == 200, confirm.text
    assert "You signed in as the author of this post." in confirm.text
    done = client.post(f"/remove/{maria}/confirm", data={"csrf": csrf_of(confirm.text)})
    assert done.status_code == 200
    assert "Your post is gone from the archive" in done.text

    assert shown_everywhere(client, site["digest"]) == {"Sam Okafor"}
    for path in ("/feed.atom", "/feed/video.atom"):
        assert "María" not in str(feedparser.parse(client.get(path).content).entries)
    assert client.get(f"/remove/{maria}").status_code == 404
    with session_scope(engine) as session:
        assert session.get(Post, maria) is None
        [removed] = session.scalars(select(RemovedPost))
        assert removed.uri == f"{instance}/users/maria/statuses/1"
        assert removed.via == "mastodon sign-in"

    # Collected again, it is not stored again, so no future digest can feature it.
    store = PostStore()
    with session_scope(engine) as session:
        result = store.save(
            session, [normalise_status(s) for s in statuses_from(instance)], seen=None, now=AT
        )
        assert result.new == 0
        assert session.scalar(select(func.count()).select_from(Post)) == 1
    service = DigestService(
        engine, archive_settings(), store, lambda: PUBLISHED, actor="curator@school.example"
    )
    draft = service.draft((START, START + timedelta(days=7)))
    with session_scope(engine) as session:
        featured = session.scalars(
            select(DigestItemRow.post_id).where(DigestItemRow.digest_id == draft.digest_id)
        )
        assert maria not in set(featured)

    # The app registration on that instance is kept and reused.
    start_removal(client, site["ids"]["sam"])
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(OAuthClient)) == 1


def test_signing_in_as_someone_else_removes_nothing(engine: Engine, site: dict[str, Any]) -> None:
    client: TestClient = site["client"]
    sam = site["ids"]["sam"]
    refused = come_back(client, sign_in_at_instance(start_removal(client, sam), "maria"))
    assert refused.status_code == 403
    assert "only its author can remove it" in refused.text
    page = client.get(f"/remove/{sam}")
    assert client.post(f"/remove/{sam}/confirm", data={"csrf": csrf_of(page.text)}).status_code == 403
    with session_scope(engine) as session:
        assert session.get(Post, sam) is not None


def test_a_callback_that_was_not_started_here_is_refused(site: dict[str, Any]) -> None:
    client: TestClient = site["client"]
    maria = site["ids"]["maria"]
    assert client.get("/remove/callback?code=mockcode_maria&state=forged").status_code == 400
    location = start_removal(client, maria)
    callback = sign_in_at_instance(location, "maria")
    forged = re.sub(r"state=[^&]+", "state=forged", callback)
    assert come_back(client, forged).status_code == 400
    assert come_back(client, callback).status_code == 400  # the flow ended with the forged attempt
    cancelled = come_back(
        client, re.sub(r"code=[^&]+&?", "", sign_in_at_instance(start_removal(client, maria), "maria"))
    )
    assert cancelled.status_code == 400
    assert "nothing was removed" in cancelled.text
    # Without its CSRF token, the form to start signing in does nothing.
    assert client.post(f"/remove/{maria}/mastodon", data={}).status_code == 403


def test_removing_everything_suppresses_the_author(engine: Engine, site: dict[str, Any]) -> None:
    client: TestClient = site["client"]
    maria = site["ids"]["maria"]
    confirm = come_back(client, sign_in_at_instance(start_removal(client, maria), "maria"))
    done = client.post(f"/remove/{maria}/confirm", data={"csrf": csrf_of(confirm.text), "everything": "yes"})
    assert "Exemplar will not collect or feature you again" in done.text
    from storage import digests as digest_repo

    with session_scope(engine) as session:
        assert any(acct.startswith("maria@") for acct in digest_repo.suppressed_accounts(session))


def test_who_counts_as_the_author() -> None:
    post_by = ("maria@school.example", "https://school.example/@maria")
    assert is_author(*post_by, SignedIn("maria", "https://school.example/@maria"))
    assert is_author(*post_by, SignedIn("Maria", "https://SCHOOL.example/@Maria/"))
    assert not is_author(*post_by, SignedIn("maria", "https://evil.example/@maria"))
    assert not is_author(*post_by, SignedIn("sam", "https://school.example/@maria"))
    assert not is_author(*post_by, SignedIn("maria", ""))
    assert instance_of("https://school.example/@maria") == "https://school.example"
    assert instance_of("http://127.0.0.1:3000/@maria") == "http://127.0.0.1:3000"
    assert instance_of("http://school.example/@maria") is None  # plain http only on loopback
    assert instance_of("https://10.0.0.5/@maria") is None  # never a private network
    assert instance_of("https://[fe80::1]/@maria") is None
    assert instance_of("javascript:alert(1)") is None
    assert instance_of("https://[::1]:99999/@x") is None


OPTOUT_SEED = SeedConfig(
    accounts=[
        # Tokens for a mock server, not credentials.
        SeedAccount(username="exemplar", display_name="Exemplar", bot=True, access_token="bot_token"),
        SeedAccount(username="maria", display_name="María López", access_token="maria_token"),
    ]
)


def test_replying_optout_to_the_bot_removes_the_author_from_the_archive(engine: Engine) -> None:
    config = MastodonMockConfig(
        domain="school.example", database=DatabaseConfig(path=":memory:"), seed=OPTOUT_SEED
    )
    maria = account("maria", display_name="María López", url="https://school.example/@maria")
    statuses = [
        post("11", "Nuestro vídeo de la reunión", user="maria", name="María López", created=AT,
             link="https://youtu.be/Xc4ZsXq1a2Y") | {"account": maria},
        post("12", "Our staff video in four minutes", user="sam", name="Sam Okafor", created=AT,
             link="https://vimeo.com/812345678"),
    ]  # fmt: skip
    digest_id = publish_week(engine, archive_settings(), statuses, start=START, published_at=PUBLISHED)
    client = TestClient(create_app(engine, lambda: datetime.now(UTC), archive_settings(), PostStore()))
    assert "María López" in client.get("/browse/video").text
    page = client.get(f"/remove/{statuses_ids(engine)['maria']}")
    assert "reply <code>optout</code>" in page.text.replace("Or reply", "reply")

    with MockServer(config=config) as server:
        server.client("maria").status_post("@exemplar optout")
        bot = MastodonClient(
            MastodonSource(server.base_url, (), Secret("bot_token"), "bot"), RetryPolicy(max_retries=0), 15.0
        )
        assert process_optout_requests(engine, bot, lambda: datetime.now(UTC)) == ["maria@school.example"]

    for path in (
        "/browse/video",
        "/search?q=video",
        f"/digests/{digest_id}",
        "/feed.atom",
        "/feed/video.atom",
    ):
        text = client.get(path).text
        assert "María" not in text, path
        assert "Sam Okafor" in text, path


def statuses_ids(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as session:
        return {row.author_acct.split("@")[0]: row.id for row in session.scalars(select(Post))}
