"""Thread keys are unique per installation: two databases publishing digest 1 through the same
mastodon_mock account each post their own thread, and a key the server answers with another thread's
status is reported, not taken as ours."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from mastodon_mock.testing import MockServer
from sqlalchemy import Engine, select

from bot.errors import ExemplarError
from bot.jobs.collect import Collector
from storage.app_state import INSTALLATION_ID, installation_id
from storage.db import create_db_engine, session_scope, upgrade_schema
from storage.models import AppState, Digest, Publication
from tests.conftest import FakeClock
from tests.test_publish import approved_digest, build, posted_thread, thread_of


@pytest.fixture
def other_engine(tmp_path: Path) -> Iterator[Engine]:
    """A second community's database: its own file, its own digest 1."""
    db_engine = create_db_engine(f"sqlite:///{tmp_path / 'second-community.db'}")
    upgrade_schema(db_engine)
    yield db_engine
    db_engine.dispose()


def test_each_database_gets_its_own_installation_id(sqlite_engine: Engine, other_engine: Engine) -> None:
    with session_scope(sqlite_engine) as first, session_scope(other_engine) as second:
        ids = (installation_id(first), installation_id(second))
        assert installation_id(first) == ids[0]  # kept, not made again
    assert ids[0] != ids[1]
    assert all(len(value) >= 32 for value in ids)


def test_two_databases_publishing_digest_1_through_one_account_each_post_their_thread(
    network: MockServer,
    sqlite_engine: Engine,
    other_engine: Engine,
    clock: FakeClock,
    make_collector: Callable[..., Collector],
) -> None:
    first = build(sqlite_engine, network, clock, smtp_port=None)
    first_id, _ = approved_digest(network, sqlite_engine, clock, make_collector, first)
    second = build(other_engine, network, clock, smtp_port=None)
    second_id, _ = approved_digest(network, other_engine, clock, lambda: make_collector(other_engine), second)
    assert first_id == second_id == 1

    first_thread = posted_thread(first.publish(first_id))
    second_thread = posted_thread(second.publish(second_id))

    assert first_thread is not None
    assert second_thread is not None
    assert second_thread.posted_now == len(second_thread.remote_ids)
    assert not set(first_thread.remote_ids) & set(second_thread.remote_ids)
    assert [str(s.id) for s in thread_of(network, second_thread.remote_ids[0])] == list(
        second_thread.remote_ids
    )
    keys = []
    for engine in (sqlite_engine, other_engine):
        with session_scope(engine) as session:
            keys.append({row.idempotency_key for row in session.scalars(select(Publication))})
    assert not keys[0] & keys[1]


def test_a_key_answered_with_another_threads_status_is_reported_not_taken_as_ours(
    network: MockServer,
    sqlite_engine: Engine,
    other_engine: Engine,
    clock: FakeClock,
    make_collector: Callable[..., Collector],
) -> None:
    first = build(sqlite_engine, network, clock, smtp_port=None)
    first_id, _ = approved_digest(network, sqlite_engine, clock, make_collector, first)
    first.publish(first_id)
    # A copy that kept the first one's id (as a copied database file would) but has a digest of its own.
    with session_scope(sqlite_engine) as session:
        shared = installation_id(session)
    with session_scope(other_engine) as session:
        session.merge(AppState(key=INSTALLATION_ID, value=shared))
    second = build(other_engine, network, clock, smtp_port=None)
    second_id, _ = approved_digest(network, other_engine, clock, lambda: make_collector(other_engine), second)
    with session_scope(other_engine) as session:
        digest = session.get(Digest, second_id)
        assert digest is not None
        digest.intro = "A different community's week"

    with pytest.raises(ExemplarError, match="not this part"):
        second.publish(second_id)

    with session_scope(other_engine) as session:
        rows = session.scalars(select(Publication).order_by(Publication.part)).all()
        assert rows[0].remote_id is None  # nothing of the other thread was recorded as ours
