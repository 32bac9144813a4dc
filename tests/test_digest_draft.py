"""Drafting digests from a real collection: candidates refreshed at home, edits kept on re-draft."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from mastodon_mock.testing import MockServer
from sqlalchemy import Engine, select

from bot.config import settings_from_mapping
from bot.jobs.collect import CollectOptions, Collector
from bot.jobs.digest import DigestService, Edit
from bot.jobs.store import PostStore
from bot.networks.mastodon.home import HomeInstances
from bot.retry import RetryPolicy
from digests.lifecycle import TransitionError
from storage import digests as digest_repo
from storage.db import session_scope
from storage.models import Digest as DigestRow
from storage.models import DigestEvent
from tests.conftest import FakeClock, source_for

POSTS = {
    "video": "Our flipped staff briefing, 4 minutes: https://youtu.be/Xc4ZsXq1a2Y #fliplead",
    "tool": "We collect staff questions on a Padlet wall before meetings: https://padlet.com/r/q #fliplead",
    "question": "Anyone tried flipping a whole-staff INSET day? Looking for examples. #fliplead",
    "video2": "Parents' evening explainer recorded in one take https://vimeo.com/812345678 #fliplead",
    "thanks": "Thank you all for the ideas this week! #fliplead",
}


@pytest.fixture
def seeded(
    instance: MockServer, sqlite_engine: Engine, make_collector: Callable[..., Collector]
) -> dict[str, Any]:
    statuses = {
        key: instance.client(user).status_post(text)
        for (key, text), user in zip(POSTS.items(), ["maria", "sam", "lee", "maria", "sam"], strict=True)
    }
    instance.client("sam").status_post(
        "Yes! We split it into three videos.", in_reply_to_id=statuses["question"].id
    )
    instance.client("maria").status_favourite(statuses["video2"].id)
    make_collector().collect((source_for(instance),), CollectOptions())
    return statuses


def service(
    engine: Engine, clock: FakeClock, instance: MockServer | None = None, budget: int = 50, **digest: Any
) -> DigestService:
    settings = settings_from_mapping(
        {"hashtags": ["fliplead"], "digest": {"timezone": "UTC", **digest}}, path=Path("x.toml"), environ={}
    )
    home = None
    if instance is not None:
        home = HomeInstances(
            known={"school.example": instance.base_url},
            policy=RetryPolicy(max_retries=0, sleep=clock.sleep),
            request_timeout=2,
            budget=budget,
        )
    return DigestService(engine, settings, PostStore(), clock, actor="curator@school.example", home=home)


def period(clock: FakeClock) -> tuple[datetime, datetime]:
    return clock.now - timedelta(days=7), clock.now + timedelta(minutes=1)


def test_a_draft_has_sections_attributed_items_and_answers(
    seeded: dict[str, Any], instance: MockServer, sqlite_engine: Engine, clock: FakeClock
) -> None:
    digests = service(sqlite_engine, clock, instance)
    report = digests.draft(period(clock))

    assert report.candidates == 4  # the thank-you post has no label
    assert report.refreshed == 4
    view = digests.view(report.digest_id)
    assert {(item.section, item.url) for item in view.items} == {
        ("video", seeded["video"].url),
        ("video", seeded["video2"].url),
        ("tool", seeded["tool"].url),
        ("question", seeded["question"].url),
    }
    [question] = view.section("question")
    assert [answer.name for answer in question.answers] == ["Sam Okafor"]
    video2 = next(item for item in view.items if item.url == seeded["video2"].url)
    assert video2.favourites_count == 1
    assert view.section("video")[0].url == seeded["video2"].url  # engagement first
    assert all(item.author_url and item.author_name for item in view.items)


def test_the_refresh_respects_its_request_budget(
    seeded: dict[str, Any], instance: MockServer, sqlite_engine: Engine, clock: FakeClock
) -> None:
    digests = service(sqlite_engine, clock, instance, budget=3)
    report = digests.draft(period(clock))
    # The open question ranks first and costs two requests (the post, then its thread); one more post fits.
    assert report.refreshed == 2
    assert digests.home is not None
    assert digests.home.requests_made == 3


def test_a_post_deleted_at_home_is_not_drafted(
    seeded: dict[str, Any], instance: MockServer, sqlite_engine: Engine, clock: FakeClock
) -> None:
    instance.client("sam").status_delete(seeded["tool"].id)
    digests = service(sqlite_engine, clock, instance)
    report = digests.draft(period(clock))
    assert report.removed_at_source == 1
    assert not digests.view(report.digest_id).section("tool")


def test_redrafting_keeps_every_curator_edit(
    seeded: dict[str, Any], sqlite_engine: Engine, clock: FakeClock
) -> None:
    digests = service(sqlite_engine, clock)
    first = digests.draft(period(clock))
    view = digests.view(first.digest_id)
    video_ids = [item.post_id for item in view.section("video")]
    tool_id = view.section("tool")[0].post_id
    question_id = view.section("question")[0].post_id
    thanks_id = _post_id(sqlite_engine, seeded["thanks"].uri)

    digests.edit(
        first.digest_id,
        [
            Edit("move", post_id=video_ids[1], position=1),
            Edit("pin", post_id=video_ids[1]),
            Edit("blurb", post_id=video_ids[1], text="Watch this one first."),
            Edit("remove", post_id=tool_id),
            Edit("add", post_id=thanks_id, section="question"),
            Edit("intro", text="A week of flipped meetings."),
        ],
    )
    again = digests.draft(period(clock))

    assert again.redrafted
    assert again.digest_id == first.digest_id
    view = digests.view(first.digest_id)
    assert view.intro == "A week of flipped meetings."
    assert [item.post_id for item in view.section("video")] == [video_ids[1], video_ids[0]]
    assert view.section("video")[0].blurb == "Watch this one first."
    assert view.section("video")[0].pinned
    assert not view.section("tool")  # removed stays removed
    assert {item.post_id for item in view.section("question")} == {question_id, thanks_id}
    with session_scope(sqlite_engine) as session:
        actions = [e.action for e in session.scalars(select(DigestEvent).order_by(DigestEvent.id))]
    assert actions[0] == "drafted"
    assert actions[-1] == "redrafted"
    assert "edit:pin" in actions


def test_exclusions_and_the_suppression_list_are_honoured(
    seeded: dict[str, Any], sqlite_engine: Engine, clock: FakeClock
) -> None:
    with session_scope(sqlite_engine) as session:
        digest_repo.add_exclusion(session, "domain", "vimeo.com", by="c", reason="", now=clock.now)
        digest_repo.suppress_author(
            session, "lee@school.example", via="command", reason="asked", now=clock.now
        )
    view = service(sqlite_engine, clock).view(service(sqlite_engine, clock).draft(period(clock)).digest_id)
    urls = {item.url for item in view.items}
    assert seeded["video2"].url not in urls
    assert seeded["question"].url not in urls


def test_lifecycle_transitions_are_recorded_and_enforced(
    seeded: dict[str, Any], sqlite_engine: Engine, clock: FakeClock
) -> None:
    digests = service(sqlite_engine, clock)
    digest_id = digests.draft(period(clock)).digest_id
    assert digests.transition(digest_id, "approve") == "approved"
    with pytest.raises(TransitionError, match="only drafts can be edited"):
        digests.edit(digest_id, [Edit("intro", text="too late")])

    # Drafting the same period again supersedes the approved digest with a new draft.
    report = digests.draft(period(clock))
    assert report.superseded == digest_id
    assert report.digest_id != digest_id
    with session_scope(sqlite_engine) as session:
        old = session.get(DigestRow, digest_id)
        assert old is not None
        assert old.status == "superseded"
        events = digest_repo.events_of(session, digest_id)
        assert [(e.action, e.actor) for e in events][-2:] == [
            ("approved", "curator@school.example"),
            ("superseded", "curator@school.example"),
        ]
    assert digests.transition(report.digest_id, "reject", reason="not this week") == "rejected"


def _post_id(engine: Engine, uri: str) -> int:
    from storage import repository as repo

    with session_scope(engine) as session:
        found = repo.find_post_id(session, uri)
        assert found is not None
        return found


def test_digest_periods_use_the_clock(sqlite_engine: Engine) -> None:
    clock = FakeClock()
    clock.now = datetime(2026, 11, 25, 9, tzinfo=UTC)
    report = service(sqlite_engine, clock).draft()
    with session_scope(sqlite_engine) as session:
        row = session.get(DigestRow, report.digest_id)
        assert row is not None
        assert (row.period_start, row.period_end) == (
            datetime(2026, 11, 16, tzinfo=UTC),
            datetime(2026, 11, 23, tzinfo=UTC),
        )
