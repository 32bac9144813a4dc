"""One collect job for every network: Mastodon, X and Bluesky sources in one run, one set of rules."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import responses
from mastodon_mock.testing import MockServer
from sqlalchemy import Engine, select

from bot.config import settings_from_mapping
from bot.jobs.collect import CollectOptions, Collector
from bot.networks.registry import NETWORKS, configured_sources, network_of
from storage import repository as repo
from storage.db import session_scope
from storage.models import Post
from tests import test_collect_bluesky as bluesky_api
from tests import test_collect_x as x_api
from tests.conftest import source_for


@pytest.fixture
def x_search() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_passthru("http://127.0.0.1")  # the local Mastodon server answers for itself
        yield mock


def stored_sources(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as session:
        counts: dict[str, int] = {}
        for source in session.scalars(select(Post.source)):
            counts[source] = counts.get(source, 0) + 1
        return counts


def cursor_of(engine: Engine, source_key: str) -> str | None:
    with session_scope(engine) as session:
        cursor = repo.get_cursor(session, source_key, "fliplead")
        return cursor.newest_id if cursor else None


def test_one_run_collects_every_network_in_order_with_one_cursor_rule(
    instance: MockServer,
    x_search: responses.RequestsMock,
    make_collector: Callable[..., Collector],
    sqlite_engine: Engine,
) -> None:
    for n in range(3):
        instance.client("maria").status_post(f"Flipped staff meeting, week {n} #fliplead")
    x_search.get(
        x_api.SEARCH,
        json=x_api.page([x_api.tweet(900 - n, f"Idea {n} #fliplead") for n in range(4)]),
        headers=x_api.HEADERS,
    )
    pds = bluesky_api.FakePds([bluesky_api.page([bluesky_api.post_view(n, "#fliplead") for n in (5, 4)])])
    collector = make_collector()
    collector.transport = httpx.MockTransport(pds)
    mastodon = source_for(instance)

    summaries = collector.collect((mastodon, x_api.SOURCE, bluesky_api.SOURCE), CollectOptions())

    assert [s.name for s in summaries] == [mastodon.name, "x.com", "bsky.app"]
    assert all(s.ok for s in summaries), [s.errors for s in summaries]
    assert [(s.fetched, s.new) for s in summaries] == [(3, 3), (4, 4), (2, 2)]
    assert stored_sources(sqlite_engine) == {"mastodon": 3, "x": 4, "bluesky": 2}
    # Each network's cursor was stored with its pages: the newest post each one has seen.
    assert cursor_of(sqlite_engine, x_api.SOURCE.key) == "900"
    assert cursor_of(sqlite_engine, bluesky_api.SOURCE.key) == "2026-11-18T10:05:01.000Z"
    assert cursor_of(sqlite_engine, mastodon.key) is not None


def test_a_failing_source_is_reported_and_the_next_network_still_runs(
    x_search: responses.RequestsMock, make_collector: Callable[..., Collector], sqlite_engine: Engine
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": "AuthenticationRequired", "message": "Invalid password"})

    x_search.get(x_api.SEARCH, json=x_api.page([x_api.tweet(42, "#fliplead")]), headers=x_api.HEADERS)
    collector = make_collector()
    collector.transport = httpx.MockTransport(refuse)

    bluesky, x = collector.collect((bluesky_api.SOURCE, x_api.SOURCE), CollectOptions())

    assert not bluesky.ok
    assert "Bluesky refused the login" in bluesky.errors[0]
    assert x.ok
    assert stored_sources(sqlite_engine) == {"x": 1}
    assert cursor_of(sqlite_engine, bluesky_api.SOURCE.key) is None


def test_configured_sources_come_from_every_network_in_the_registry(tmp_path: Path) -> None:
    settings = settings_from_mapping(
        {
            "hashtags": ["fliplead"],
            "mastodon": [{"base_url": "https://mastodon.example"}],
            "x": [{"bearer_token_env": "TEST_X_TOKEN"}],
            "bluesky": [{"handle": "bot.bsky.social", "app_password_env": "TEST_BSKY_PASSWORD"}],
        },
        path=tmp_path / "exemplar.toml",
        environ={"TEST_X_TOKEN": "token", "TEST_BSKY_PASSWORD": "app-password"},
    )

    sources = configured_sources(settings)

    assert [network_of(source).name for source in sources] == ["mastodon", "x", "bluesky"]
    assert [network.name for network in NETWORKS] == ["mastodon", "x", "bluesky"]
