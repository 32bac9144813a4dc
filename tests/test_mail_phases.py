"""Each digest email exactly once per recipient, whatever fails when: real SMTP servers on loopback
that fail at each phase, counted after repeated publish runs."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from mastodon_mock.testing import MockServer
from sqlalchemy import Engine, select

from bot.cli.digest import describe_publish
from bot.config import settings_from_mapping
from bot.errors import DatabaseError
from bot.jobs.collect import Collector
from bot.jobs.digest import DigestService
from bot.jobs.publish import Publisher, email_transport
from bot.jobs.store import PostStore
from bot.networks.mastodon.home import HomeInstances
from bot.retry import RetryPolicy
from digests.mail import SmtpTransport
from digests.model import Digest
from digests.publish.email import EmailPolicy, send_digest_emails
from storage import deliveries
from storage import subscriptions as subs
from storage.db import create_db_engine, session_scope, upgrade_schema
from storage.models import Digest as DigestRow
from storage.models import EmailDelivery
from tests.conftest import FakeClock
from tests.smtp_servers import FaultyMailbox, faulty_mailbox
from tests.test_publish import approved_digest

LEADER = "head@oakfield.example"
PUBLIC_URL = "https://exemplar.school.example"


def build(
    engine: Engine,
    server: MockServer,
    clock: FakeClock,
    port: int,
    *,
    recipients: list[str] | None = None,
    **email: Any,
) -> Publisher:
    settings = settings_from_mapping(
        {
            "hashtags": ["fliplead"],
            "collect": {"request_timeout": 2, "backoff_seconds": 0, "max_retries": 2},
            "publish": {"mastodon": {"base_url": server.base_url, "access_token_env": "BOT_TOKEN"}},
            "email": {
                "from": "digest@school.example",
                "recipients": recipients or [LEADER],
                "smtp_host": "127.0.0.1",
                "smtp_port": port,
                "starttls": False,
                "smtp_timeout": 2,
                "public_url": PUBLIC_URL,
                **email,
            },
        },
        path=Path("/nonexistent/exemplar.toml"),
        environ={"BOT_TOKEN": "bot_token"},
    )
    service = DigestService(engine, settings, PostStore(), clock, actor="curator@school.example")
    home = HomeInstances(
        known={"school.example": server.base_url},
        policy=RetryPolicy(max_retries=0, sleep=clock.sleep),
        request_timeout=2,
        budget=1000,
    )
    return Publisher(
        service=service, home=home, transport=email_transport(settings.email), clock=clock, sleep=clock.sleep
    )


def status_of(engine: Engine, digest_id: int, recipient: str = LEADER) -> str:
    with session_scope(engine) as session:
        row = session.get(EmailDelivery, (digest_id, recipient))
        assert row is not None
        return row.status


def subscription_of(engine: Engine, address: str = LEADER) -> str:
    with session_scope(engine) as session:
        row = subs.find(session, address)
        assert row is not None
        return row.status


@pytest.fixture
def publishing(
    network: MockServer,
    sqlite_engine: Engine,
    clock: FakeClock,
    make_collector: Callable[..., Collector],
    request: pytest.FixtureRequest,
) -> Iterator[tuple[FaultyMailbox, Publisher, int]]:
    """A faulty mail server (the test's ``fault`` parameter), a publisher using it, an approved digest."""
    with faulty_mailbox(getattr(request, "param", None)) as (mailbox, port):
        mailbox.silence_seconds = 4
        publisher = build(sqlite_engine, network, clock, port)
        digest_id, _ = approved_digest(network, sqlite_engine, clock, make_collector, publisher)
        yield mailbox, publisher, digest_id


PHASES = [
    # fault, messages the server took after three publish runs, the delivery's state
    pytest.param("refuse-rcpt", 0, "refused", id="550-at-rcpt"),
    pytest.param("soft-rcpt", 0, "failed", id="452-at-rcpt"),
    pytest.param("drop-during-data", 0, "failed", id="drop-during-data"),
    pytest.param("reject-data", 0, "refused", id="554-after-data"),
    pytest.param("soft-data", 0, "failed", id="451-after-data"),
    pytest.param("drop-after-data", 1, "unconfirmed", id="drop-after-data-before-reply"),
    pytest.param("silent-after-data", 1, "unconfirmed", id="no-reply-after-data"),
    pytest.param("421-on-quit", 1, "sent", id="421-on-quit"),
    pytest.param(None, 1, "sent", id="no-fault"),
]


@pytest.mark.parametrize(("publishing", "received", "state"), PHASES, indirect=["publishing"])
def test_repeated_runs_send_each_email_once_or_not_at_all_as_the_phase_dictates(
    publishing: tuple[FaultyMailbox, Publisher, int], sqlite_engine: Engine, received: int, state: str
) -> None:
    mailbox, publisher, digest_id = publishing

    for _ in range(3):
        publisher.publish(digest_id)

    assert len(mailbox.to(LEADER)) == received
    assert status_of(sqlite_engine, digest_id) == state


@pytest.mark.parametrize("publishing", ["drop-during-data", "soft-data", "soft-rcpt"], indirect=True)
def test_a_failure_before_the_end_of_data_is_retried_with_backoff_and_sent_once_when_the_server_recovers(
    publishing: tuple[FaultyMailbox, Publisher, int], sqlite_engine: Engine, clock: FakeClock
) -> None:
    mailbox, publisher, digest_id = publishing

    first = publisher.publish(digest_id)

    assert first.emails is not None
    assert [who for who, _ in first.emails.failed] == [LEADER]
    assert clock.slept[-2:] == [2.0, 4.0]  # retried twice now, backing off
    assert mailbox.received == []
    mailbox.fault = None
    for _ in range(3):
        publisher.publish(digest_id)
    assert len(mailbox.to(LEADER)) == 1
    assert status_of(sqlite_engine, digest_id) == "sent"


@pytest.mark.parametrize("publishing", ["drop-after-data", "silent-after-data"], indirect=True)
def test_an_unconfirmed_email_is_shown_and_resent_only_with_retry_unconfirmed(
    publishing: tuple[FaultyMailbox, Publisher, int], sqlite_engine: Engine
) -> None:
    mailbox, publisher, digest_id = publishing

    first = publisher.publish(digest_id)
    again = publisher.publish(digest_id)

    assert first.emails is not None
    assert [who for who, _ in first.emails.unconfirmed] == [LEADER]
    assert again.emails is not None
    assert [who for who, _ in again.emails.unconfirmed] == [LEADER]
    assert f"exemplar digest publish {digest_id} --retry-unconfirmed" in describe_publish(again)
    with session_scope(sqlite_engine) as session:
        assert deliveries.digests_with_failed_emails(session) == []  # the retry job leaves it alone
        assert [row.recipient for row in deliveries.unconfirmed(session)] == [LEADER]
    assert len(mailbox.received) == 1

    mailbox.fault = None
    publisher.publish(digest_id, retry_unconfirmed=True)
    publisher.publish(digest_id)
    publisher.publish(digest_id, retry_unconfirmed=True)  # nothing unconfirmed any more

    copies = mailbox.to(LEADER)
    assert len(copies) == 2
    assert copies[0]["Message-ID"] == copies[1]["Message-ID"]  # mail clients see one message
    assert status_of(sqlite_engine, digest_id) == "sent"


@pytest.mark.parametrize("publishing", ["refuse-rcpt", "reject-data"], indirect=True)
def test_a_permanent_refusal_suspends_the_address_for_later_digests(
    publishing: tuple[FaultyMailbox, Publisher, int], sqlite_engine: Engine
) -> None:
    mailbox, publisher, digest_id = publishing

    report = publisher.publish(digest_id)

    assert report.emails is not None
    assert report.emails.suspended == [LEADER]
    assert subscription_of(sqlite_engine) == "suspended"
    mailbox.fault = None
    later = publisher.publish(digest_id)
    assert later.emails is not None
    assert later.emails.sent == []
    assert mailbox.received == []
    assert LEADER not in publisher.publish(digest_id, dry_run=True).recipients


def test_a_crash_after_the_server_took_the_message_never_sends_it_twice(
    publishing: tuple[FaultyMailbox, Publisher, int],
    sqlite_engine: Engine,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mailbox, publisher, digest_id = publishing
    record = deliveries.mark_outcome

    def die_before_recording_sent(*args: Any, **kwargs: Any) -> bool:
        if args[4] == deliveries.SENT:
            raise KeyboardInterrupt  # the process is killed between the 250 and the commit
        return record(*args, **kwargs)

    monkeypatch.setattr(deliveries, "mark_outcome", die_before_recording_sent)
    with pytest.raises(KeyboardInterrupt):
        publisher.publish(digest_id)
    monkeypatch.setattr(deliveries, "mark_outcome", record)

    assert len(mailbox.received) == 1
    for hours in (0, 1, 24):
        clock.now += timedelta(hours=hours)
        publisher.publish(digest_id)
    assert len(mailbox.received) == 1
    assert status_of(sqlite_engine, digest_id) == "unconfirmed"


def test_a_crash_before_the_end_of_data_sends_the_email_once_on_a_later_run(
    publishing: tuple[FaultyMailbox, Publisher, int],
    sqlite_engine: Engine,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mailbox, publisher, digest_id = publishing
    hand_over = deliveries.mark_handing_over

    def die_before_the_end_of_data(*args: Any, **kwargs: Any) -> bool:
        raise KeyboardInterrupt

    monkeypatch.setattr(deliveries, "mark_handing_over", die_before_the_end_of_data)
    with pytest.raises(KeyboardInterrupt):
        publisher.publish(digest_id)
    monkeypatch.setattr(deliveries, "mark_handing_over", hand_over)
    assert mailbox.received == []
    assert status_of(sqlite_engine, digest_id) == "sending"

    publisher.publish(digest_id)  # soon after: the attempt may still be running elsewhere
    assert mailbox.received == []
    clock.now += deliveries.ATTEMPT_LEASE + timedelta(minutes=1)
    publisher.publish(digest_id)
    publisher.publish(digest_id)
    assert len(mailbox.received) == 1
    assert status_of(sqlite_engine, digest_id) == "sent"


def _digest_row(engine: Engine, now: datetime, week: int) -> Digest:
    start = datetime(2026, 11, 2, tzinfo=UTC) + timedelta(weeks=week)
    with session_scope(engine) as session:
        row = DigestRow(
            period_start=start,
            period_end=start + timedelta(days=7),
            timezone="UTC",
            hashtag="fliplead",
            status="published",
            intro="",
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        session.flush()
        return Digest(row.id, "published", row.period_start, row.period_end, "UTC", "fliplead")


def test_soft_failures_in_a_row_suspend_an_address_and_a_success_resets_the_count(
    engine: Engine, clock: FakeClock
) -> None:
    others = "deputy@oakfield.example"
    with session_scope(engine) as session:
        subs.seed(session, [LEADER, others], clock())

    def send(digest: Digest, transport: SmtpTransport) -> None:
        with session_scope(engine) as session:
            recipients = subs.active_addresses(session)
        send_digest_emails(
            engine,
            digest,
            recipients,
            transport,
            sender="digest@school.example",
            unsubscribe_link=lambda _address: f"{PUBLIC_URL}/u/x",
            archive_url=None,
            clock=clock,
            policy=EmailPolicy(
                max_attempts=5, retries_now=2, backoff_seconds=0, suspend_after_soft_failures=3
            ),
            sleep=clock.sleep,
        )

    with faulty_mailbox("soft-rcpt") as (mailbox, port):
        mailbox.only = {LEADER}
        transport = SmtpTransport("127.0.0.1", port, starttls=False, timeout=2)
        send(_digest_row(engine, clock(), 0), transport)
        send(_digest_row(engine, clock(), 1), transport)
        with session_scope(engine) as session:
            assert subs.find(session, LEADER).soft_failures == 2  # type: ignore[union-attr]  # once per digest
        mailbox.fault = None
        send(_digest_row(engine, clock(), 2), transport)
        with session_scope(engine) as session:
            assert subs.find(session, LEADER).soft_failures == 0  # type: ignore[union-attr]
        mailbox.fault = "soft-rcpt"
        for week in (3, 4, 5):
            send(_digest_row(engine, clock(), week), transport)
        assert subscription_of(engine) == "suspended"
        with session_scope(engine) as session:
            reason = subs.find(session, LEADER).suspended_reason  # type: ignore[union-attr]
            last = session.scalars(select(EmailDelivery).order_by(EmailDelivery.digest_id.desc())).first()
        assert reason is not None
        assert "3 digests in a row" in reason
        assert "452" in reason
        assert last is not None
        assert last.attempts == 1
        mailbox.fault = None
        send(_digest_row(engine, clock(), 6), transport)
    delivered = [str(m["To"]) for m in mailbox.messages()]
    assert delivered.count(others) == 7  # every digest
    assert delivered.count(LEADER) == 1  # only the one digest between the failures


def test_someone_who_subscribes_after_a_digest_went_out_is_not_sent_it_on_a_retry(
    publishing: tuple[FaultyMailbox, Publisher, int], sqlite_engine: Engine, clock: FakeClock
) -> None:
    mailbox, publisher, digest_id = publishing
    publisher.publish(digest_id)
    with session_scope(sqlite_engine) as session:
        nonce = subs.request_subscription(
            session, "late@riverside.example", clock(), resend_after=timedelta(0)
        )
        assert nonce is not None
        assert subs.confirm(session, "late@riverside.example", nonce, clock())

    publisher.publish(digest_id)

    assert [str(m["To"]) for m in mailbox.messages()] == [LEADER]


def test_a_delivery_another_run_took_over_is_not_sent_by_the_slow_one(
    engine: Engine, clock: FakeClock
) -> None:
    digest = _digest_row(engine, clock(), 0)

    class SlowTransport:
        """Stalls past the lease before the end of DATA, while another run claims the delivery."""

        def __init__(self, inner: SmtpTransport) -> None:
            self.inner = inner

        def send(self, message: Any, *, handing_over: Callable[[], None]) -> None:
            def late_hand_over() -> None:
                clock.now += deliveries.ATTEMPT_LEASE + timedelta(minutes=1)
                with session_scope(engine) as session:
                    assert deliveries.claim(session, digest.id, LEADER, clock(), max_attempts=5) == 2
                handing_over()

            self.inner.send(message, handing_over=late_hand_over)

    with faulty_mailbox() as (mailbox, port):
        report = send_digest_emails(
            engine,
            digest,
            [LEADER],
            SlowTransport(SmtpTransport("127.0.0.1", port, starttls=False, timeout=2)),
            sender="digest@school.example",
            unsubscribe_link=lambda _address: f"{PUBLIC_URL}/u/x",
            archive_url=None,
            clock=clock,
            sleep=clock.sleep,
        )
    assert report.busy == [LEADER]
    assert mailbox.received == []
    assert status_of(engine, digest.id) == "sending"  # the other run's attempt


def test_a_database_locked_after_the_server_took_the_message_stops_the_run_and_never_sends_it_twice(
    network: MockServer, tmp_path: Path, clock: FakeClock, make_collector: Callable[..., Collector]
) -> None:
    """Like a crash, but for real: another process holds the database's write lock when the server's
    250 arrives, so the run cannot record the email as sent and stops with a one-line error."""
    database = tmp_path / "locked.db"
    engine = create_db_engine(f"sqlite:///{database}", lock_timeout=1)
    upgrade_schema(engine)
    with faulty_mailbox() as (mailbox, port):
        publisher = build(engine, network, clock, port, smtp_timeout=60)
        collector = partial(make_collector, engine)  # collect into this test's own database
        digest_id, _ = approved_digest(network, engine, clock, collector, publisher)
        mailbox.hold_answer = threading.Event()
        raised: list[BaseException] = []

        def publish() -> None:
            try:
                publisher.publish(digest_id)
            except BaseException as error:
                raised.append(error)

        run = threading.Thread(target=publish)
        run.start()
        deadline = time.monotonic() + 120
        while not mailbox.received:
            assert time.monotonic() < deadline, "the server never took the message"
            assert run.is_alive(), raised
            time.sleep(0.05)
        holder = sqlite3.connect(database, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            mailbox.hold_answer.set()
            run.join(120)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert len(raised) == 1, raised
        assert isinstance(raised[0], DatabaseError), raised
        assert "locked by another process" in str(raised[0])
        assert "\n" not in str(raised[0])
        for hours in (0, 1, 24):
            clock.now += timedelta(hours=hours)
            publisher.publish(digest_id)
        assert len(mailbox.received) == 1
        assert status_of(engine, digest_id) in ("delivering", "unconfirmed")
    engine.dispose()
