"""Refresh removes a post only on evidence about that post, against mastodon_mock's fault injection.

A batch re-read (``GET /api/v1/statuses?id[]=``) that answers ``[]``, a partial list, or 404 for
everything says nothing about any one post: each missing post is asked for on its own, and only its
home's 404/410 removes it. A refresh that would remove too much removes nothing.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from mastodon_mock.testing import MockServer
from sqlalchemy import Engine, select

from bot.jobs.collect import REMOVAL_HANDFUL, CollectOptions, Collector
from bot.jobs.store import PostStore
from bot.jobs.summary import SourceSummary
from bot.networks.mastodon.client import to_plain
from bot.networks.mastodon.normalise import normalise_status
from storage import repository as repo
from storage.db import session_scope
from storage.models import Post, RemovedPost, Sighting
from tests.conftest import FakeClock, source_for

BATCH = "/api/v1/statuses"


def post_many(server: MockServer, count: int, user: str = "maria") -> list[Any]:
    client = server.client(user)
    return [client.status_post(f"Our flipped staff meeting, week {i} #fliplead") for i in range(count)]


def stored_uris(engine: Engine) -> set[str]:
    with session_scope(engine) as session:
        return set(session.scalars(select(Post.uri)))


def refresh(collector: Collector, clock: FakeClock, *sources: Any) -> list[SourceSummary]:
    clock.now += timedelta(minutes=61)
    return collector.collect(tuple(sources), CollectOptions(refresh=True))


def test_a_batch_answering_nothing_removes_nothing_and_each_post_is_confirmed(
    instance: MockServer, make_collector: Callable[..., Collector], sqlite_engine: Engine, clock: FakeClock
) -> None:
    statuses = post_many(instance, 12)
    collector = make_collector()
    collector.collect((source_for(instance),), CollectOptions())
    instance.client("maria").status_favourite(statuses[0].id)

    with instance.fault(path=BATCH, methods=["GET"], type="status", status=200, body=[]):
        [summary] = refresh(collector, clock, source_for(instance))

    assert summary.ok, summary.errors
    assert summary.removed == 0
    assert stored_uris(sqlite_engine) == {status.uri for status in statuses}
    with session_scope(sqlite_engine) as session:
        favourited = session.scalars(select(Post).where(Post.uri == statuses[0].uri)).one()
        assert favourited.favourites_count == 1  # read on its own, so refreshed all the same


def test_a_post_deleted_at_home_is_removed_with_a_tombstone_and_never_stored_again(
    instance: MockServer, make_collector: Callable[..., Collector], sqlite_engine: Engine, clock: FakeClock
) -> None:
    statuses = post_many(instance, 10)
    collector = make_collector()
    collector.collect((source_for(instance),), CollectOptions())
    deleted = statuses[3]
    raw = to_plain(instance.client("maria").status(deleted.id))
    instance.client("maria").status_delete(deleted.id)

    # The batch answer leaves out a post that is still there: only the deleted one is evidence.
    kept_out = statuses[5]
    partial = [
        to_plain(instance.client("maria").status(s.id)) for s in statuses if s not in (deleted, kept_out)
    ]
    with instance.fault(path=BATCH, methods=["GET"], type="status", status=200, body=partial, count=1):
        [summary] = refresh(collector, clock, source_for(instance))

    assert summary.ok, summary.errors
    assert summary.removed == 1
    assert stored_uris(sqlite_engine) == {s.uri for s in statuses} - {deleted.uri}
    with session_scope(sqlite_engine) as session:
        [tombstone] = session.scalars(select(RemovedPost)).all()
        assert (tombstone.uri, tombstone.via) == (deleted.uri, "refresh")
        assert "deleted at its home" in tombstone.reason
        assert tombstone.removed_at == clock.now
        saved = PostStore().save(session, [normalise_status(raw)], seen=None, now=clock.now)
    assert saved.new == 0
    assert deleted.uri not in stored_uris(sqlite_engine)


def test_404_for_everything_removes_nothing_and_reports_the_source_faulty(
    instance: MockServer, make_collector: Callable[..., Collector], sqlite_engine: Engine, clock: FakeClock
) -> None:
    statuses = post_many(instance, 3 * REMOVAL_HANDFUL)
    collector = make_collector()
    collector.collect((source_for(instance),), CollectOptions())

    with instance.fault(path_regex=r"^/api/v1/statuses", methods=["GET"], type="status", status=404):
        [summary] = refresh(collector, clock, source_for(instance))

    assert not summary.ok
    assert "nothing was removed" in summary.errors[0]
    assert summary.removed == 0
    assert stored_uris(sqlite_engine) == {status.uri for status in statuses}
    with session_scope(sqlite_engine) as session:
        assert session.scalars(select(RemovedPost)).all() == []


def test_410_for_every_single_read_is_not_taken_as_every_post_gone(
    instance: MockServer, make_collector: Callable[..., Collector], sqlite_engine: Engine, clock: FakeClock
) -> None:
    statuses = post_many(instance, 20)
    collector = make_collector()
    collector.collect((source_for(instance),), CollectOptions())

    with (
        instance.fault(path=BATCH, methods=["GET"], type="status", status=200, body=[]),
        instance.fault(path_regex=r"^/api/v1/statuses/\d+$", methods=["GET"], type="status", status=410),
    ):
        [summary] = refresh(collector, clock, source_for(instance))

    assert not summary.ok
    assert stored_uris(sqlite_engine) == {status.uri for status in statuses}


def test_a_post_lost_by_another_instance_stays(
    instance: MockServer,
    second_instance: MockServer,
    make_collector: Callable[..., Collector],
    sqlite_engine: Engine,
    clock: FakeClock,
    tmp_path: Path,
) -> None:
    original = instance.client("maria").status_post("Our flipped PD video #fliplead")
    copy = second_instance.client("lee").status_post("federated copy #fliplead")
    with sqlite3.connect(tmp_path / "district.example.sqlite") as mock_db:
        mock_db.execute("UPDATE statuses SET url = ? WHERE id = ?", (original.uri, int(copy.id)))
    collector = make_collector()
    collector.collect((source_for(instance), source_for(second_instance)), CollectOptions())

    second_instance.client("lee").status_delete(copy.id)  # the other instance purged its copy
    [summary] = refresh(collector, clock, source_for(second_instance))

    assert summary.ok, summary.errors
    assert summary.removed == 0
    assert stored_uris(sqlite_engine) == {original.uri}
    with session_scope(sqlite_engine) as session:
        seen = {s.source_key for s in session.scalars(select(Sighting))}
        assert seen == {source_for(instance).key}  # it is no longer refreshed from where it was lost
        assert repo.removed_posts(session) == []


def test_a_curator_sees_what_was_removed_and_why(tmp_path: Path, instance: MockServer) -> None:
    from tests.test_cli import invoke, write_config

    maria = instance.client("maria")
    kept = maria.status_post("Our flipped staff meeting video #fliplead")
    gone = maria.status_post("Posted too soon #fliplead")
    config = write_config(tmp_path, instance)
    assert invoke(config, "collect").exit_code == 0
    maria.status_delete(gone.id)

    refreshed = invoke(config, "collect", "--refresh")
    listed = invoke(config, "posts", "--removed", "--json")

    assert refreshed.exit_code == 0, refreshed.output
    [record] = [json.loads(line) for line in listed.output.splitlines()]
    assert record["uri"] == gone.uri
    assert "deleted at its home" in record["reason"]
    assert [json.loads(line)["uri"] for line in invoke(config, "posts", "--json").output.splitlines()] == [
        kept.uri
    ]
    assert gone.uri in invoke(config, "posts", "--removed").output


def test_homes_answering_404_for_every_candidate_remove_none_of_them(
    instance: MockServer, make_collector: Callable[..., Collector], sqlite_engine: Engine, clock: FakeClock
) -> None:
    from tests.test_digest_draft import period, service

    maria = instance.client("maria")
    videos = [
        maria.status_post(f"Flipped briefing {i} https://youtu.be/Xc4ZsXq1a2Y #fliplead") for i in range(8)
    ]
    make_collector().collect((source_for(instance),), CollectOptions())

    with instance.fault(path_regex=r"^/api/v1/statuses/\d+$", methods=["GET"], type="status", status=404):
        report = service(sqlite_engine, clock, instance).draft(period(clock))

    assert report.removed_at_source == 0
    assert stored_uris(sqlite_engine) == {video.uri for video in videos}
