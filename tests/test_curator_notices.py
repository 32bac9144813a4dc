"""Curators hear that a draft waits: an email when the scheduler drafts the week, a reminder before
publish time if it is still not approved; each once, through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from bot.config import load_settings
from bot.jobs.digest import DigestService
from bot.jobs.store import PostStore
from bot.networks.mastodon.normalise import normalise_status
from bot.passwords import hash_password
from bot.schedule.jobs import draft_job, remind_job
from bot.schedule.wiring import job_specs
from storage import digests as digest_repo
from storage.curators import add_curator
from storage.db import create_db_engine, session_scope, upgrade_schema
from storage.models import CuratorNotice
from tests.payloads import hashtag_link, status, url_link
from tests.smtp_servers import Mailbox, mailbox_on_loopback

CURATORS = ["ana@school.example", "ben@school.example", "bounces@school.example"]
PUBLIC_URL = "https://exemplar.school.example"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    handler = Mailbox(refuse={"bounces@school.example"})
    with mailbox_on_loopback(handler) as port:
        yield handler, port


@pytest.fixture
def config(tmp_path: Path, mailbox: tuple[Mailbox, int]) -> Path:
    _box, port = mailbox
    path = tmp_path / "exemplar.toml"
    path.write_text(
        f"""hashtags = ["fliplead"]
[database]
url = "sqlite:///{tmp_path / "exemplar.db"}"
[digest]
timezone = "Europe/London"
refresh_budget = 0
[schedule]
publish_day = "monday"
publish_time = "12:00"
remind_before_publish_minutes = 90
[email]
from = "Exemplar <digest@school.example>"
smtp_host = "127.0.0.1"
smtp_port = {port}
starttls = false
public_url = "{PUBLIC_URL}/"
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def db(tmp_path: Path, config: Path) -> Iterator[Engine]:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'exemplar.db'}")
    upgrade_schema(engine)
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        for address in CURATORS:
            add_curator(session, address, hash_password("a-long-password"), now)
    yield engine
    engine.dispose()


def drafted(db: Engine) -> int:
    with session_scope(db) as session:
        return digest_repo.list_digests(session, statuses=("draft",), limit=1)[0].id


def test_each_curator_is_told_once_that_the_weekly_draft_is_ready(
    config: Path, db: Engine, mailbox: tuple[Mailbox, int]
) -> None:
    box, _port = mailbox
    draft_job(str(config))
    digest_id = drafted(db)
    assert sorted(str(m["To"]) for m in box.messages) == ["ana@school.example", "ben@school.example"]
    for message in box.messages:
        assert str(message["Subject"]).startswith("Draft ready for review: #fliplead exemplars, ")
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        text = body.get_content().replace("\r\n", "\n")
        assert f"{PUBLIC_URL}/desk/digests/{digest_id}\n" in text
        assert "Monday" in text
        assert "12:00 (Europe/London)" in text
        assert message["Message-ID"]
    with session_scope(db) as session:
        notices = {(n.recipient, n.status) for n in session.scalars(select(CuratorNotice))}
    assert ("bounces@school.example", "refused") in notices

    draft_job(str(config))  # the scheduler re-drafts the same week (a restart, a misfire): no new email
    assert drafted(db) == digest_id
    assert len(box.messages) == 2


def test_a_draft_still_waiting_is_reminded_once_before_publish_time(
    config: Path, db: Engine, mailbox: tuple[Mailbox, int]
) -> None:
    box, _port = mailbox
    draft_job(str(config))
    digest_id = drafted(db)
    box.messages.clear()
    remind_job(str(config))
    assert sorted(str(m["To"]) for m in box.messages) == ["ana@school.example", "ben@school.example"]
    assert all(str(m["Subject"]).startswith("Reminder: #fliplead exemplars") for m in box.messages)
    assert all(f"/desk/digests/{digest_id}" in m.get_body().get_content() for m in box.messages)  # type: ignore[union-attr]
    remind_job(str(config))
    assert len(box.messages) == 2


def test_an_approved_draft_and_a_hand_made_one_are_not_reminded(
    config: Path, db: Engine, mailbox: tuple[Mailbox, int]
) -> None:
    box, _port = mailbox
    last_week = (datetime.now(UTC) - timedelta(days=7)).isoformat()
    video = f"<p>Briefing {url_link('https://youtu.be/Xc4ZsXq1a2Y')} {hashtag_link('fliplead')}</p>"
    with session_scope(db) as session:  # an empty digest is never approved: the week needs a post
        PostStore().save(
            session,
            [normalise_status(status("1", content=video, created_at=last_week))],
            seen=None,
            now=datetime.now(UTC),
        )
    draft_job(str(config))
    settings = load_settings(config)
    service = DigestService(db, settings, PostStore(), lambda: datetime.now(UTC))
    service.transition(drafted(db), "approve")
    now = datetime.now(UTC)
    service.draft((now - timedelta(days=30), now - timedelta(days=23)))  # drafted by hand, not the scheduler
    box.messages.clear()
    remind_job(str(config))
    assert box.messages == []


def test_the_reminder_runs_before_publish_time_in_the_digest_time_zone(config: Path) -> None:
    london = ZoneInfo("Europe/London")
    specs = {spec.id: spec for spec in job_specs(load_settings(config))}
    sunday = datetime(2026, 11, 22, 9, tzinfo=london)
    remind = specs["remind"].trigger.get_next_fire_time(None, sunday)
    publish = specs["publish"].trigger.get_next_fire_time(None, sunday)
    assert publish - remind == timedelta(minutes=90)
    assert remind == datetime(2026, 11, 23, 10, 30, tzinfo=london)

    early = config.read_text(encoding="utf-8").replace('publish_time = "12:00"', 'publish_time = "00:30"')
    config.write_text(early, encoding="utf-8")
    before_midnight = {s.id: s for s in job_specs(load_settings(config))}["remind"]
    assert before_midnight.trigger.get_next_fire_time(None, sunday) == datetime(
        2026, 11, 22, 23, 0, tzinfo=london
    )

    config.write_text(
        early.replace("remind_before_publish_minutes = 90", "remind_before_publish_minutes = 0"),
        encoding="utf-8",
    )
    assert "remind" not in {s.id for s in job_specs(load_settings(config))}
