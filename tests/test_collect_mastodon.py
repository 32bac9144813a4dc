"""The Mastodon collector against a real HTTP server speaking the Mastodon API (mastodon_mock)."""

from __future__ import annotations

import logging
import math
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mastodon_mock.testing import MockServer
from sqlalchemy import Engine, func, select

from bot.jobs.collect import CollectOptions, Collector
from bot.jobs.summary import SourceSummary
from bot.networks.mastodon.client import to_plain
from bot.networks.mastodon.normalise import normalise_status
from storage import repository as repo
from storage.db import session_scope
from storage.models import Cursor, Post, PostTag, Sighting
from tests.conftest import FakeClock, source_for

TAG_PATH = "/api/v1/timelines/tag/fliplead"


def post_many(server: MockServer, count: int, *, user: str = "maria", tag: str = "fliplead") -> list[Any]:
    client = server.client(user)
    return [client.status_post(f"Flipped staff meeting idea {i} #{tag}") for i in range(count)]


def stored_uris(engine: Engine) -> set[str]:
    with session_scope(engine) as session:
        return set(session.scalars(select(Post.uri)))


def run(collector: Collector, *sources: Any, **options: Any) -> list[SourceSummary]:
    return collector.collect(tuple(sources), CollectOptions(**options))


def test_first_run_pages_through_the_timeline_and_stores_every_post(
    instance: MockServer, make_collector: Callable[..., Collector], sqlite_engine: Engine
) -> None:
    statuses = post_many(instance, 95)

    [summary] = run(make_collector(), source_for(instance))

    assert summary.ok, summary.errors
    assert (summary.fetched, summary.new, summary.updated) == (95, 95, 0)
    assert summary.requests == math.ceil(95 / 40)
    assert stored_uris(sqlite_engine) == {status.uri for status in statuses}


def test_second_run_with_nothing_new_costs_one_request(
    instance: MockServer, make_collector: Callable[..., Collector]
) -> None:
    post_many(instance, 41)
    collector = make_collector()
    run(collector, source_for(instance))

    [summary] = run(collector, source_for(instance))

    assert summary.requests == 1
    assert (summary.fetched, summary.new) == (0, 0)


def test_incremental_run_fetches_only_new_posts_oldest_page_first(
    instance: MockServer, make_collector: Callable[..., Collector], sqlite_engine: Engine
) -> None:
    post_many(instance, 10)
    collector = make_collector()
    run(collector, source_for(instance))
    newer = post_many(instance, 85, user="sam")

    [summary] = run(collector, source_for(instance))

    assert (summary.fetched, summary.new) == (85, 85)
    assert summary.requests <= math.ceil(85 / 40) + 1
    assert {status.uri for status in newer} <= stored_uris(sqlite_engine)
    with session_scope(sqlite_engine) as session:
        cursor = session.get(Cursor, (source_for(instance).key, "fliplead"))
        assert cursor is not None
        assert cursor.newest_id == str(max(int(status.id) for status in newer))


def test_the_same_post_through_two_hashtags_and_two_instances_is_stored_once(
    instance: MockServer,
    second_instance: MockServer,
    make_collector: Callable[..., Collector],
    sqlite_engine: Engine,
    tmp_path: Path,
) -> None:
    original = instance.client("maria").status_post("Our flipped PD video #fliplead #edleadership")
    copy = second_instance.client("lee").status_post("federated copy #fliplead #edleadership")
    # A federated copy carries the original's URI; the mock has no federation, so set it in its database.
    with sqlite3.connect(tmp_path / "district.example.sqlite") as mock_db:
        mock_db.execute("UPDATE statuses SET url = ? WHERE id = ?", (original.uri, int(copy.id)))

    summaries = run(
        make_collector(),
        source_for(instance, "fliplead", "edleadership"),
        source_for(second_instance, "fliplead", "edleadership"),
    )

    assert all(summary.ok for summary in summaries)
    assert [s.new for s in summaries] == [1, 0]
    with session_scope(sqlite_engine) as session:
        assert session.scalar(select(func.count()).select_from(Post)) == 1
        seen = {(s.source_key, s.tag, s.remote_id) for s in session.scalars(select(Sighting))}
    assert seen == {
        (source_for(instance).key, "fliplead", str(original.id)),
        (source_for(instance).key, "edleadership", str(original.id)),
        (source_for(second_instance).key, "fliplead", str(copy.id)),
        (source_for(second_instance).key, "edleadership", str(copy.id)),
    }


def test_boosts_are_stored_as_the_original_post(instance: MockServer, sqlite_engine: Engine) -> None:
    original = instance.client("maria").status_post("Our flipped faculty meeting #fliplead")
    boost = instance.client("sam").status_reblog(original.id)
    with session_scope(sqlite_engine) as session:
        saved = repo.save_posts(session, [normalise_status(_plain(boost))], seen=None, now=datetime.now(UTC))
    assert saved.new == 1
    assert stored_uris(sqlite_engine) == {original.uri}


def test_rate_limit_is_waited_out_within_the_bound(
    instance: MockServer, make_collector: Callable[..., Collector], clock: FakeClock
) -> None:
    post_many(instance, 5)
    # The reset is in the server's time; its Date header (whole seconds, refreshed by the server once a
    # second) says what time it was there, and the wait is the difference.
    asked = time.time()
    reset = int(asked) + 30
    instance.fault(path=TAG_PATH, type="ratelimit", headers={"X-RateLimit-Reset": str(reset)}, count=1)

    [summary] = run(make_collector(max_rate_limit_wait=60), source_for(instance))
    answered = time.time()

    assert summary.ok, summary.errors
    assert summary.new == 5
    [waited] = clock.slept  # (the policy's sleep and clock are the fake clock's: nothing really waits)
    assert waited == int(waited)  # reset minus the server's Date: whole seconds, whatever our clock says
    assert reset - answered <= waited <= reset - int(asked) + 1  # until the reset, as the server counts


def test_rate_limit_longer_than_the_bound_fails_the_source_but_not_the_others(
    instance: MockServer, second_instance: MockServer, make_collector: Callable[..., Collector]
) -> None:
    post_many(instance, 3)
    post_many(second_instance, 4, user="lee")
    instance.fault(path=TAG_PATH, type="ratelimit")  # resets in 300 s, every time

    first, second = run(
        make_collector(max_rate_limit_wait=60), source_for(instance), source_for(second_instance)
    )

    assert not first.ok
    assert "rate limited" in first.errors[0]
    assert second.ok
    assert second.new == 4


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retried_with_backoff(
    instance: MockServer, make_collector: Callable[..., Collector], clock: FakeClock, status: int
) -> None:
    post_many(instance, 3)
    instance.fault(path=TAG_PATH, type="status", status=status, count=2)

    [summary] = run(make_collector(max_retries=3), source_for(instance))

    assert summary.ok, summary.errors
    assert summary.new == 3
    assert summary.requests == 3
    assert clock.slept == [0.01, 0.02]


def test_persistent_server_errors_give_up_after_the_retry_budget(
    instance: MockServer, make_collector: Callable[..., Collector], clock: FakeClock
) -> None:
    post_many(instance, 3)
    instance.fault(path=TAG_PATH, type="status", status=503)

    [summary] = run(make_collector(max_retries=2), source_for(instance))

    assert not summary.ok
    assert "gave up after 3 attempts" in summary.errors[0]
    assert summary.requests == 3


def test_timeouts_are_retried(
    instance: MockServer, make_collector: Callable[..., Collector], clock: FakeClock
) -> None:
    post_many(instance, 2)
    instance.fault(path=TAG_PATH, type="latency", delay_ms=4000, count=1)

    [summary] = run(make_collector(request_timeout=1.5), source_for(instance))

    assert summary.ok, summary.errors
    assert summary.new == 2
    assert len(clock.slept) == 1


def test_a_malformed_page_is_retried_then_reported_without_stopping_other_sources(
    instance: MockServer, second_instance: MockServer, make_collector: Callable[..., Collector]
) -> None:
    post_many(instance, 2)
    post_many(second_instance, 2, user="lee")
    instance.fault(path=TAG_PATH, type="malformed")

    first, second = run(make_collector(max_retries=1), source_for(instance), source_for(second_instance))

    assert not first.ok
    assert "not valid JSON" in first.errors[0]
    assert second.ok
    assert second.new == 2


def test_a_malformed_page_that_recovers_loses_nothing(
    instance: MockServer, make_collector: Callable[..., Collector]
) -> None:
    post_many(instance, 2)
    instance.fault(path=TAG_PATH, type="malformed", count=1)

    [summary] = run(make_collector(), source_for(instance))

    assert summary.ok
    assert summary.new == 2


def test_a_malformed_status_is_logged_and_skipped(
    instance: MockServer,
    make_collector: Callable[..., Collector],
    sqlite_engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    good = instance.client("maria").status_post("A good post #fliplead")
    page = instance.client("sam").timeline_hashtag("fliplead")
    body = [_plain(page[0]), {"id": "99", "content": "no uri, no account"}, "not even an object"]
    instance.fault(path=TAG_PATH, type="status", status=200, body=body, count=1)

    [summary] = run(make_collector(), source_for(instance))

    assert summary.ok
    assert (summary.fetched, summary.new) == (3, 1)
    assert summary.skipped["malformed"] == 2
    assert stored_uris(sqlite_engine) == {good.uri}
    assert "skipped a malformed post" in caplog.text


def _plain(status: Any) -> Any:
    return to_plain(status)


def test_a_crash_between_pages_loses_nothing_and_refetches_at_most_one_page(
    instance: MockServer, make_collector: Callable[..., Collector], sqlite_engine: Engine
) -> None:
    statuses = post_many(instance, 100)
    collector = make_collector(max_retries=0)

    class CrashAfterFirstPage:
        pages = 0

        def page_stored(self, summary: SourceSummary, tag: str) -> None:
            self.pages += 1
            if self.pages == 1:
                raise KeyboardInterrupt  # the process dies right after the first page was committed

    collector.progress = CrashAfterFirstPage()
    with pytest.raises(KeyboardInterrupt):
        run(collector, source_for(instance))
    assert len(stored_uris(sqlite_engine)) == 40

    collector.progress = make_collector().progress
    [summary] = run(collector, source_for(instance))

    assert summary.ok
    assert stored_uris(sqlite_engine) == {status.uri for status in statuses}
    # One poll for newer posts, then the interrupted backfill resumes below the first page.
    assert summary.fetched == 60
    assert summary.requests == 1 + math.ceil(60 / 40)


def test_a_server_failure_mid_walk_keeps_the_pages_already_stored(
    instance: MockServer, make_collector: Callable[..., Collector], sqlite_engine: Engine
) -> None:
    post_many(instance, 90)
    collector = make_collector(max_retries=0)

    class FailAfterFirstPage:
        def page_stored(self, summary: SourceSummary, tag: str) -> None:
            if summary.fetched == 40:
                instance.fault(path=TAG_PATH, type="status", status=503)

    collector.progress = FailAfterFirstPage()
    [failed] = run(collector, source_for(instance))
    assert not failed.ok
    assert len(stored_uris(sqlite_engine)) == 40

    instance_faults_clear(instance)
    [resumed] = run(make_collector(), source_for(instance))
    assert resumed.ok
    assert len(stored_uris(sqlite_engine)) == 90
    assert resumed.new == 50


def instance_faults_clear(server: MockServer) -> None:
    httpx2.delete(f"{server.base_url}/api/v1/_mock/faults").raise_for_status()


def test_opted_out_accounts_are_never_stored(
    instance: MockServer, make_collector: Callable[..., Collector], sqlite_engine: Engine
) -> None:
    opted_out = instance.client("optout")
    opted_out.account_update_credentials(
        note='<p>Headteacher. <a class="hashtag">#<span>NoBot</span></a></p>'
    )
    opted_out.status_post("Please do not share this #fliplead")
    fields_opt_out = instance.client("lee")
    fields_opt_out.account_update_credentials(fields=[("Bots", "#noindex please")])
    fields_opt_out.status_post("Nor this #fliplead")
    kept = instance.client("maria").status_post("Share away #fliplead")

    [summary] = run(make_collector(), source_for(instance))

    assert summary.skipped["opted out"] == 2
    assert stored_uris(sqlite_engine) == {kept.uri}


def test_refresh_updates_counts_and_edits_and_removes_deleted_and_opted_out_posts(
    instance: MockServer, make_collector: Callable[..., Collector], sqlite_engine: Engine, clock: FakeClock
) -> None:
    maria, sam, lee = (instance.client(name) for name in ("maria", "sam", "lee"))
    edited = maria.status_post("Draft of our flipped meeting #fliplead")
    deleted = sam.status_post("Oops #fliplead")
    favourited = maria.status_post("Loved making this #fliplead")
    later_opted_out = lee.status_post("My first flipped video #fliplead")
    collector = make_collector()
    run(collector, source_for(instance))

    maria.status_update(edited.id, "Final version of our flipped meeting #fliplead")
    sam.status_delete(deleted.id)
    sam.status_favourite(favourited.id)
    lee.account_update_credentials(note="Please leave me out #nobot")
    clock.now += timedelta(minutes=61)

    [summary] = run(collector, source_for(instance))

    assert summary.ok, summary.errors
    assert summary.removed == 2
    assert stored_uris(sqlite_engine) == {edited.uri, favourited.uri}
    with session_scope(sqlite_engine) as session:
        rows = {row.uri: row for row in session.scalars(select(Post))}
        assert "Final version" in rows[edited.uri].text
        assert rows[edited.uri].edited_at is not None
        assert rows[favourited.uri].favourites_count == 1
        assert rows[favourited.uri].refreshed_at == clock.now
    assert later_opted_out.uri not in stored_uris(sqlite_engine)


def test_refresh_waits_for_its_interval_unless_asked(
    instance: MockServer, make_collector: Callable[..., Collector], clock: FakeClock
) -> None:
    post_many(instance, 3)
    collector = make_collector(refresh_every_minutes=60)
    run(collector, source_for(instance))

    [not_due] = run(collector, source_for(instance))
    [forced] = run(collector, source_for(instance), refresh=True)

    assert not_due.requests == 1
    assert forced.requests == 2  # the poll, then one batch read of the three stored posts


def test_backfill_walks_history_back_only_as_far_as_asked(
    instance: MockServer, make_collector: Callable[..., Collector], sqlite_engine: Engine, clock: FakeClock
) -> None:
    post_many(instance, 5)
    clock.now += timedelta(days=10)  # those five are now ten days old
    collector = make_collector(backfill_days=2)

    [first] = run(collector, source_for(instance))
    assert first.new == 0
    assert first.skipped["before backfill window"] == 5

    [deeper] = run(collector, source_for(instance), backfill_days=30)
    assert deeper.new == 5
    assert len(stored_uris(sqlite_engine)) == 5

    [again] = run(collector, source_for(instance), backfill_days=30)
    assert again.requests == 1  # history is complete back to 30 days: only the poll


def test_posts_are_tagged_with_their_hashtags(
    instance: MockServer, make_collector: Callable[..., Collector], sqlite_engine: Engine
) -> None:
    instance.client("maria").status_post("Our #FlipLead video for #ParentsEvening")
    run(make_collector(), source_for(instance))
    with session_scope(sqlite_engine) as session:
        assert set(session.scalars(select(PostTag.tag))) == {"fliplead", "parentsevening"}


def test_a_hung_connection_times_out_and_is_retried(
    instance: MockServer,
    make_collector: Callable[..., Collector],
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    post_many(instance, 2)
    # The server holds the first timeline request for over 30 s: only the client's timeout ends it.
    instance.fault(path=TAG_PATH, type="timeout", count=1)

    with caplog.at_level(logging.WARNING, logger="bot.retry"):
        [summary] = run(make_collector(request_timeout=1.0, max_retries=4), source_for(instance))

    assert summary.ok, summary.errors
    assert summary.new == 2
    retries = [record.getMessage() for record in caplog.records if record.name == "bot.retry"]
    assert "timed out" in retries[0]  # the hung request was given up on, then retried
    # On a slow machine a retry may time out too: each is one more request and one more backoff.
    assert summary.requests == len(retries) + 1 == len(clock.slept) + 1
