"""Publishing digests for real: a thread on mastodon_mock, emails through aiosmtpd, exactly once."""

from __future__ import annotations

import email
import itertools
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mastodon_mock.testing import MockServer
from sqlalchemy import Engine, select

from bot.config import settings_from_mapping
from bot.errors import ExemplarError
from bot.jobs.collect import CollectOptions, Collector
from bot.jobs.digest import DigestService
from bot.jobs.publish import Publisher, PublishReport, email_transport
from bot.jobs.store import PostStore
from bot.networks.mastodon import publish as publish_module
from bot.networks.mastodon.home import HomeInstances
from bot.retry import RetryPolicy
from digests.lifecycle import TransitionError
from digests.mail import OutboxTransport, SmtpTransport, TransientEmailError
from digests.publish.thread import PostedThread
from digests.render.sanitize import link_without_mention
from digests.render.thread import ThreadPart
from storage import deliveries, publications
from storage.db import session_scope
from storage.models import DigestEvent, EmailDelivery, Publication
from tests.conftest import FakeClock, source_for
from tests.smtp_servers import Mailbox, free_port, mailbox_on_loopback

LEADERS = ["head@oakfield.example", "refused@riverside.example", "deputy@oakfield.example"]


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    """A real SMTP server on loopback."""
    handler = Mailbox(refuse={"refused@riverside.example"})
    with mailbox_on_loopback(handler) as port:
        yield handler, port


def build(
    engine: Engine,
    server: MockServer,
    clock: FakeClock,
    *,
    smtp_port: int | None,
    token: str = "bot_token",
    environ: dict[str, str] | None = None,
    **extra: Any,
) -> Publisher:
    email_section: dict[str, Any] = {"from": "digest@school.example", "recipients": LEADERS}
    if smtp_port:
        email_section.update(
            smtp_host="127.0.0.1",
            smtp_port=smtp_port,
            starttls=False,
            public_url="https://exemplar.school.example",
        )
    settings = settings_from_mapping(
        {
            "hashtags": ["fliplead"],
            "collect": {"request_timeout": 2, "backoff_seconds": 0, "max_retries": 2},
            "publish": {"mastodon": {"base_url": server.base_url, "access_token_env": "BOT_TOKEN"}},
            "email": {**email_section, "outbox_dir": "outbox"},
            **extra,
        },
        path=Path("/nonexistent/exemplar.toml"),
        environ={"BOT_TOKEN": token, **(environ or {})},
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


def approved_digest(
    server: MockServer,
    engine: Engine,
    clock: FakeClock,
    make_collector: Callable[..., Collector],
    publisher: Publisher,
) -> tuple[int, dict[str, Any]]:
    posts = {
        "video": server.client("maria").status_post(
            "Our flipped briefing https://youtu.be/Xc4ZsXq1a2Y #fliplead"
        ),
        "video2": server.client("sam").status_post(
            "Parents' explainer https://vimeo.com/812345678 #fliplead"
        ),
        "tool": server.client("lee").status_post(
            "Staff questions on a Padlet wall: https://padlet.com/r/q #fliplead"
        ),
        "question": server.client("sam").status_post(
            "Anyone tried flipping a whole INSET day? Tips welcome #fliplead"
        ),
    }
    make_collector().collect((source_for(server),), CollectOptions())
    report = publisher.service.draft((clock.now - timedelta(days=7), clock.now + timedelta(minutes=1)))
    publisher.service.transition(report.digest_id, "approve")
    return report.digest_id, posts


def posted_thread(report: PublishReport) -> PostedThread | None:
    thread = report.thread_on("mastodon")
    assert thread is not None, "no Mastodon thread in the report"
    return thread.thread


def mastodon_parts(report: PublishReport) -> list[ThreadPart]:
    thread = report.thread_on("mastodon")
    assert thread is not None
    return thread.parts


def thread_of(server: MockServer, first_id: str) -> list[Any]:
    bot = server.client("exemplar")
    return [bot.status(first_id), *bot.status_context(first_id).descendants]


def test_publishing_posts_a_reply_chain_once_and_emails_each_leader_once(
    network: MockServer,
    sqlite_engine: Engine,
    clock: FakeClock,
    make_collector: Callable[..., Collector],
    mailbox: tuple[Mailbox, int],
) -> None:
    handler, port = mailbox
    publisher = build(sqlite_engine, network, clock, smtp_port=port)
    digest_id, posts = approved_digest(network, sqlite_engine, clock, make_collector, publisher)

    report = publisher.publish(digest_id)

    assert report.status == "published"
    assert posted_thread(report) is not None
    assert posted_thread(report).posted_now == len(mastodon_parts(report)) == 5  # opening + 4 exemplars
    chain = thread_of(network, posted_thread(report).remote_ids[0])
    assert [str(s.id) for s in chain] == list(posted_thread(report).remote_ids)
    for parent, child in itertools.pairwise(chain):
        assert str(child.in_reply_to_id) == str(parent.id)
    assert [s.visibility for s in chain] == ["public"] + ["unlisted"] * (len(chain) - 1)
    assert all(s.account.acct == "exemplar" for s in chain)
    assert "#fliplead" in chain[0].content
    assert all(not s.mentions for s in chain)  # links, never @-mentions
    for post in posts.values():
        link = link_without_mention(post.url, post.uri)
        assert link is not None
        assert any(link in s.content for s in chain)

    assert report.emails is not None
    assert sorted(report.emails.sent) == ["deputy@oakfield.example", "head@oakfield.example"]
    assert [who for who, _ in report.emails.refused] == ["refused@riverside.example"]
    assert len(handler.messages) == 2
    message = handler.messages[0]
    assert message.get_content_type() == "multipart/alternative"
    assert message["Date"].datetime == clock.now.replace(microsecond=0)  # dated when sent
    assert {part.get_content_type() for part in message.iter_parts()} == {"text/plain", "text/html"}
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].startswith("<https://exemplar.school.example/u/")

    again = publisher.publish(digest_id)
    assert posted_thread(again) is not None
    assert posted_thread(again).posted_now == 0
    assert again.emails is not None
    assert again.emails.sent == []
    assert len(handler.messages) == 2
    with session_scope(sqlite_engine) as session:
        deliveries = {d.recipient: d.status for d in session.scalars(select(EmailDelivery))}
    assert deliveries == {
        "head@oakfield.example": "sent",
        "deputy@oakfield.example": "sent",
        "refused@riverside.example": "refused",
    }


def test_a_part_posted_but_not_recorded_before_a_crash_is_found_not_posted_again(
    network: MockServer,
    sqlite_engine: Engine,
    clock: FakeClock,
    make_collector: Callable[..., Collector],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    publisher = build(sqlite_engine, network, clock, smtp_port=None)
    digest_id, _ = approved_digest(network, sqlite_engine, clock, make_collector, publisher)
    record_part = publications.mark_part_posted
    calls: list[int] = []

    def die_while_recording_part_three(*args: Any, **kwargs: Any) -> None:
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt  # killed after the server accepted part 3
        record_part(*args, **kwargs)

    monkeypatch.setattr(publications, "mark_part_posted", die_while_recording_part_three)
    with pytest.raises(KeyboardInterrupt):
        publisher.publish(digest_id)
    monkeypatch.undo()
    bot = network.client("exemplar")
    assert len(bot.account_statuses(bot.me())) == 3

    report = publisher.publish(digest_id)

    thread = posted_thread(report)
    assert thread is not None
    assert thread.posted_now == 2
    chain = thread_of(network, thread.remote_ids[0])
    assert [str(s.id) for s in chain] == list(thread.remote_ids)
    assert len(bot.account_statuses(bot.me())) == 5


def test_a_publish_interrupted_after_part_n_resumes_at_part_n_plus_one(
    network: MockServer,
    sqlite_engine: Engine,
    clock: FakeClock,
    make_collector: Callable[..., Collector],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    publisher = build(sqlite_engine, network, clock, smtp_port=None)
    digest_id, _ = approved_digest(network, sqlite_engine, clock, make_collector, publisher)
    record_part = publications.mark_part_posted
    recorded: list[int] = []

    def record_then_fail_the_server(*args: Any, **kwargs: Any) -> None:
        record_part(*args, **kwargs)
        recorded.append(1)
        if len(recorded) == 3:  # after part 3, the server starts failing and the retries run out
            network.fault(path="/api/v1/statuses", methods=["POST"], type="status", status=503)

    monkeypatch.setattr(publications, "mark_part_posted", record_then_fail_the_server)
    with pytest.raises(ExemplarError, match="gave up"):
        publisher.publish(digest_id)
    monkeypatch.undo()
    with session_scope(sqlite_engine) as session:
        parts = publications.thread_parts(session, digest_id, "mastodon")
        assert [p.remote_id is not None for p in parts] == [True, True, True, False, False]
        first_three = [str(p.remote_id) for p in parts[:3]]

    _clear_faults(network)
    report = publisher.publish(digest_id)

    assert posted_thread(report) is not None
    assert posted_thread(report).posted_now == 2
    assert list(posted_thread(report).remote_ids[:3]) == first_three
    chain = thread_of(network, first_three[0])
    assert len(chain) == 5
    assert str(chain[3].in_reply_to_id) == first_three[2]


def test_a_rate_limit_while_publishing_is_waited_out(
    network: MockServer,
    sqlite_engine: Engine,
    clock: FakeClock,
    make_collector: Callable[..., Collector],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    publisher = build(sqlite_engine, network, clock, smtp_port=None)
    digest_id, _ = approved_digest(network, sqlite_engine, clock, make_collector, publisher)
    reset = str(int(time.time()) + 20)
    network.fault(
        path="/api/v1/statuses",
        methods=["POST"],
        type="ratelimit",
        headers={"X-RateLimit-Reset": reset},
        count=1,
    )
    slept: list[float] = []
    make_client = publish_module.publishing_client

    def client_that_records_its_waits(*args: Any, **kwargs: Any) -> Any:
        client = make_client(*args, **kwargs)
        client.policy.sleep = slept.append
        return client

    monkeypatch.setattr(publish_module, "publishing_client", client_that_records_its_waits)
    report = publisher.publish(digest_id)

    assert posted_thread(report) is not None
    assert posted_thread(report).posted_now == 5
    assert len(slept) == 1
    assert 15 <= slept[0] <= 21


def test_consent_is_rechecked_just_before_publishing(
    network: MockServer, sqlite_engine: Engine, clock: FakeClock, make_collector: Callable[..., Collector]
) -> None:
    publisher = build(sqlite_engine, network, clock, smtp_port=None)
    digest_id, posts = approved_digest(network, sqlite_engine, clock, make_collector, publisher)
    network.client("maria").status_delete(posts["video"].id)
    network.client("lee").account_update_credentials(note="Please leave me out #nobot")
    network.client("sam").status_update(posts["video2"].id, "Changed my mind, nothing to see here #fliplead")

    dry = publisher.publish(digest_id, dry_run=True)
    reasons = {drop.url: drop.reason for drop in dry.dropped}
    assert reasons == {
        posts["video"].url: "deleted at the source",
        posts["tool"].url: "the author now opts out (profile says #nobot)",
        posts["video2"].url: "edited into something else: no longer a video",
    }
    assert posted_thread(dry) is None
    with session_scope(sqlite_engine) as session:
        assert session.scalars(select(Publication)).first() is None  # a dry run touches nothing

    report = publisher.publish(digest_id)
    assert posted_thread(report) is not None
    assert posted_thread(report).posted_now == 2  # the opening and the one question left
    with session_scope(sqlite_engine) as session:
        events = [
            e.detail["reason"] for e in session.scalars(select(DigestEvent)) if e.action == "consent-dropped"
        ]
    assert sorted(events) == sorted(reasons.values())


def test_only_approved_digests_publish_and_the_bot_must_be_a_bot(
    network: MockServer, sqlite_engine: Engine, clock: FakeClock, make_collector: Callable[..., Collector]
) -> None:
    publisher = build(sqlite_engine, network, clock, smtp_port=None)
    draft = publisher.service.draft((clock.now - timedelta(days=7), clock.now)).digest_id
    with pytest.raises(TransitionError, match="only approved digests publish"):
        publisher.publish(draft)

    human = build(sqlite_engine, network, clock, smtp_port=None, token="human_token")
    digest_id, _ = approved_digest(network, sqlite_engine, clock, make_collector, human)
    with pytest.raises(ExemplarError, match="not marked as a bot"):
        human.publish(digest_id)


def test_without_smtp_the_emails_go_to_the_outbox(
    network: MockServer,
    sqlite_engine: Engine,
    clock: FakeClock,
    make_collector: Callable[..., Collector],
    tmp_path: Path,
) -> None:
    publisher = build(sqlite_engine, network, clock, smtp_port=None)
    assert isinstance(publisher.transport, OutboxTransport)  # no smtp_host configured
    publisher.transport = OutboxTransport(tmp_path / "outbox")
    digest_id, _ = approved_digest(network, sqlite_engine, clock, make_collector, publisher)

    report = publisher.publish(digest_id)

    assert report.emails is not None
    assert sorted(report.emails.sent) == sorted(LEADERS)
    written = sorted(tmp_path.glob("outbox/*.eml"))
    assert len(written) == 3
    parsed = [email.message_from_bytes(path.read_bytes(), policy=default_policy) for path in written]
    assert sorted(str(message["To"]) for message in parsed) == sorted(LEADERS)
    assert not list(tmp_path.glob("outbox/.writing-*"))


def test_a_closed_smtp_port_is_a_failure_retried_next_time() -> None:
    transport = SmtpTransport("127.0.0.1", 1, starttls=False, timeout=2)
    message = EmailMessage()
    message["To"] = "a@x.example"
    message["From"] = "b@x.example"
    message.set_content("hi")
    with pytest.raises(TransientEmailError, match=r"not sent: connect with 127\.0\.0\.1:1 failed"):
        transport.send(message)


def _clear_faults(server: MockServer) -> None:
    httpx2.delete(f"{server.base_url}/api/v1/_mock/faults").raise_for_status()


def test_a_temporary_mail_failure_is_retried_now_and_later(
    network: MockServer,
    sqlite_engine: Engine,
    clock: FakeClock,
    make_collector: Callable[..., Collector],
    mailbox: tuple[Mailbox, int],
) -> None:
    handler, port = mailbox
    publisher = build(sqlite_engine, network, clock, smtp_port=free_port())  # nothing listens there yet
    digest_id, _ = approved_digest(network, sqlite_engine, clock, make_collector, publisher)

    first = publisher.publish(digest_id)

    assert first.emails is not None
    assert len(first.emails.failed) == 3
    assert clock.slept.count(2.0) == 3  # each address tried three times in this run, with backoff
    with session_scope(sqlite_engine) as session:
        assert deliveries.digests_with_failed_emails(session) == [digest_id]
        assert {d.attempts for d in session.scalars(select(EmailDelivery))} == {3}

    publisher.transport = SmtpTransport("127.0.0.1", port, starttls=False, timeout=5)
    later = publisher.publish(digest_id)

    assert posted_thread(later) is not None
    assert posted_thread(later).posted_now == 0
    assert later.emails is not None
    assert sorted(later.emails.sent) == ["deputy@oakfield.example", "head@oakfield.example"]
    assert len(handler.messages) == 2
    with session_scope(sqlite_engine) as session:
        assert deliveries.digests_with_failed_emails(session) == []
