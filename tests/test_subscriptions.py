"""The digest list and the delivery log in the database (a SQLite file and PostgreSQL): seeded once
from the config, unsubscribes that stick, double opt-in, suspension, and attempts claimed once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from importlib.resources import files

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, text

from storage import deliveries
from storage import subscriptions as subs
from storage.db import create_db_engine, session_scope, upgrade_schema
from storage.models import Digest as DigestRow

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
LEADERS = ["Head@Oakfield.example", "deputy@oakfield.example"]


def active(engine: Engine) -> list[str]:
    with session_scope(engine) as session:
        return subs.active_addresses(session)


def test_the_config_seeds_the_list_once_and_an_unsubscribe_sticks(engine: Engine) -> None:
    with session_scope(engine) as session:
        assert subs.seed(session, LEADERS, NOW) == ["head@oakfield.example", "deputy@oakfield.example"]
    with session_scope(engine) as session:
        assert subs.unsubscribe(session, "HEAD@oakfield.example", NOW)
    with session_scope(engine) as session:
        assert subs.seed(session, [*LEADERS, "new@riverside.example"], NOW) == ["new@riverside.example"]

    assert active(engine) == ["deputy@oakfield.example", "new@riverside.example"]


def test_double_opt_in_changes_nothing_until_the_link_is_followed_and_works_once(engine: Engine) -> None:
    with session_scope(engine) as session:
        subs.seed(session, ["gone@oakfield.example"], NOW)
        subs.unsubscribe(session, "gone@oakfield.example", NOW)
        stranger = subs.request_subscription(
            session, "someone@else.example", NOW, resend_after=timedelta(minutes=10)
        )
        returning = subs.request_subscription(
            session, "gone@oakfield.example", NOW, resend_after=timedelta(minutes=10)
        )
        again = subs.request_subscription(
            session, "someone@else.example", NOW + timedelta(minutes=1), resend_after=timedelta(minutes=10)
        )
    assert stranger is not None
    assert returning is not None
    assert again is None  # one confirmation per address per ten minutes
    assert active(engine) == []  # asking is not subscribing

    with session_scope(engine) as session:
        assert not subs.confirm(session, "someone@else.example", "a-guess", NOW)
        assert subs.confirm(session, "someone@else.example", stranger, NOW)
        assert not subs.confirm(session, "someone@else.example", stranger, NOW)  # used up
        assert subs.confirm(session, "gone@oakfield.example", returning, NOW)  # re-subscribed
    assert active(engine) == ["gone@oakfield.example", "someone@else.example"]


def test_suspension_and_resuming(engine: Engine) -> None:
    with session_scope(engine) as session:
        subs.seed(session, LEADERS, NOW)
        assert not subs.record_soft_failure(session, LEADERS[1], "452 full", NOW, limit=2)
        subs.record_delivered(session, LEADERS[1])
        assert not subs.record_soft_failure(session, LEADERS[1], "452 full", NOW, limit=2)
        assert subs.record_soft_failure(session, LEADERS[1], "452 full", NOW, limit=2)
        subs.suspend(session, LEADERS[0], "550 no such user", NOW)
    assert active(engine) == []
    with session_scope(engine) as session:
        rows = {row.email: row for row in subs.listing(session, subs.SUSPENDED)}
        assert rows["head@oakfield.example"].suspended_reason == "550 no such user"
        assert "2 digests in a row" in (rows["deputy@oakfield.example"].suspended_reason or "")
        assert subs.resume(session, "deputy@oakfield.example", NOW)
        assert not subs.resume(session, "deputy@oakfield.example", NOW)
    assert active(engine) == ["deputy@oakfield.example"]


def _digest(engine: Engine) -> int:
    with session_scope(engine) as session:
        row = DigestRow(
            period_start=NOW - timedelta(days=7),
            period_end=NOW,
            timezone="UTC",
            hashtag="fliplead",
            status="published",
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(row)
        session.flush()
        return row.id


def test_an_attempt_is_claimed_once_and_a_stale_one_only_after_the_lease(engine: Engine) -> None:
    digest_id = _digest(engine)
    leader = "head@oakfield.example"
    with session_scope(engine) as session:
        deliveries.ensure_rows(session, digest_id, [leader])
        deliveries.ensure_rows(session, digest_id, [leader])
    with session_scope(engine) as session:
        first = deliveries.claim(session, digest_id, leader, NOW, max_attempts=5)
    with session_scope(engine) as session:
        assert deliveries.claim(session, digest_id, leader, NOW, max_attempts=5) is None  # another process
        late = NOW + deliveries.ATTEMPT_LEASE + timedelta(seconds=1)
        second = deliveries.claim(session, digest_id, leader, late, max_attempts=5)
    assert (first, second) == (1, 2)
    with session_scope(engine) as session:
        assert not deliveries.mark_handing_over(session, digest_id, leader, 1)  # the first lost its claim
        assert deliveries.mark_handing_over(session, digest_id, leader, 2)
    with session_scope(engine) as session:
        assert deliveries.claim(session, digest_id, leader, late + timedelta(days=1), max_attempts=5) is None
        assert deliveries.settle_interrupted(session, digest_id, late + timedelta(days=1)) == 1
        assert deliveries.states(session, digest_id)[leader].status == deliveries.UNCONFIRMED
        assert deliveries.retry_unconfirmed(session, digest_id) == [leader]
    with session_scope(engine) as session:
        assert deliveries.claim(session, digest_id, leader, late, max_attempts=5) == 1


def test_the_migration_keeps_every_earlier_unsubscribe(database_url: str) -> None:
    engine = create_db_engine(database_url)
    upgrade_schema(engine, "0005")
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO unsubscribes (email, unsubscribed_at) VALUES ('head@oakfield.example', :at)"),
            {"at": NOW.replace(tzinfo=None)},
        )
    upgrade_schema(engine)
    with session_scope(engine) as session:
        subs.seed(session, LEADERS, NOW)
        row = subs.find(session, "head@oakfield.example")
        assert row is not None
        assert row.status == subs.UNSUBSCRIBED
        assert len(row.unsubscribe_token) >= 20
    assert active(engine) == ["deputy@oakfield.example"]
    config = AlembicConfig()
    config.set_main_option("script_location", str(files("storage") / "migrations"))
    config.attributes["engine"] = engine
    command.downgrade(config, "0005")  # and back: the unsubscribe survives the downgrade too
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT email FROM unsubscribes")).scalars().all()
    assert kept == ["head@oakfield.example"]
    engine.dispose()
