"""Health: every collection run is recorded per source; the weekly report compares this week with
last week per network and hashtag; an alert goes out (at most once a day) when a source goes quiet
or keeps failing; `exemplar status` prints the same figures. Real collection against mastodon_mock,
real email through aiosmtpd."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from mastodon_mock.testing import MockServer
from sqlalchemy import Engine, select, update

from bot.cli import cli
from bot.config import load_settings
from bot.health.notify import send_alerts_if_due, send_weekly_report
from bot.health.report import gather, needs_a_person
from bot.jobs.publish import email_transport
from bot.schedule.wiring import job_specs
from storage.db import create_db_engine, session_scope
from storage.health import RunRecord
from storage.models import Post, Sighting, SourceRun, SuppressedAuthor
from tests.smtp_servers import Mailbox, mailbox_on_loopback

TAG_PATH = "/api/v1/timelines/tag/fliplead"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    handler = Mailbox()
    with mailbox_on_loopback(handler) as port:
        yield handler, port


def write_config(tmp_path: Path, instance: MockServer, smtp_port: int, extra: str = "") -> Path:
    path = tmp_path / "exemplar.toml"
    path.write_text(
        'hashtags = ["fliplead"]\n[database]\nurl = "sqlite:///exemplar.db"\n'
        "[collect]\nrequest_timeout = 3\nbackoff_seconds = 0\nmax_retries = 1\n"
        f'[[mastodon]]\nbase_url = "{instance.base_url}"\nname = "school"\n'
        f'[email]\nfrom = "exemplar@school.example"\nsmtp_host = "127.0.0.1"\nsmtp_port = {smtp_port}\n'
        'public_url = "https://exemplar.school.example"\n'
        "starttls = false\n"
        f'[health]\nrecipients = ["curator@school.example"]\nquiet_hours = 24\nfailed_runs = 3\n{extra}',
        encoding="utf-8",
    )
    return path


def invoke(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)


def post(instance: MockServer, text: str, who: str = "maria") -> None:
    instance.client(who).status_post(text, visibility="public")


@pytest.fixture
def engine_for(tmp_path: Path) -> Iterator[Engine]:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'exemplar.db'}")
    yield engine
    engine.dispose()


def age_everything(engine: Engine, by: timedelta) -> None:
    """Move every stored time back, as if the posts and runs so far happened ``by`` ago."""
    with session_scope(engine) as session:
        for post_row in session.scalars(select(Post)):
            post_row.first_seen_at -= by
        for sighting in session.scalars(select(Sighting)):
            sighting.seen_at -= by
        for run in session.scalars(select(SourceRun)):
            run.started_at -= by
            run.finished_at -= by


def test_each_collect_records_each_source_with_its_outcome_and_retries(
    tmp_path: Path, instance: MockServer, mailbox: tuple[Mailbox, int], engine_for: Engine
) -> None:
    config = write_config(tmp_path, instance, mailbox[1])
    post(instance, "Flipped lessons with a quiz tool #fliplead")
    assert invoke(config, "collect").exit_code == 0
    instance.fault(path=TAG_PATH, type="status", status=503)
    assert invoke(config, "collect").exit_code == 1
    with session_scope(engine_for) as session:
        runs = list(session.scalars(select(SourceRun).order_by(SourceRun.id)))
    assert [(r.source_name, r.network, r.ok, r.new) for r in runs] == [
        ("school", "mastodon", True, 1),
        ("school", "mastodon", False, 0),
    ]
    assert runs[1].retries == 1  # max_retries = 1: one retry, then the run failed
    assert runs[1].error
    assert "503" in runs[1].error


def test_the_report_compares_this_week_with_last_week_per_network_and_hashtag(
    tmp_path: Path, instance: MockServer, mailbox: tuple[Mailbox, int], engine_for: Engine
) -> None:
    config = write_config(tmp_path, instance, mailbox[1])
    for number in range(3):
        post(instance, f"Last week's idea {number} #fliplead")
    invoke(config, "collect")
    age_everything(engine_for, timedelta(days=8))
    post(instance, "This week's idea #FlipLead")
    invoke(config, "collect")
    with session_scope(engine_for) as session:
        session.add(
            SuppressedAuthor(
                acct="optout@school.example",
                reason="asked",
                requested_via="command",
                recorded_at=datetime.now(UTC),
            )
        )

    result = invoke(config, "status")
    assert result.exit_code == 0
    row = next(line for line in result.output.splitlines() if "mastodon #fliplead" in line)
    assert row.split()[2:] == ["1", "3", "-2"]
    assert "school: 1 runs, 0 failed, 0 retries" in result.output
    assert "Removed for consent (opt-outs) this week: 1" in result.output
    assert result.output.startswith("Needs a person: nothing.")


def test_a_source_that_goes_quiet_raises_one_alert_a_day(
    tmp_path: Path, instance: MockServer, mailbox: tuple[Mailbox, int], engine_for: Engine
) -> None:
    config = write_config(tmp_path, instance, mailbox[1])
    post(instance, "A video on flipped staff meetings #fliplead")
    invoke(config, "collect")
    age_everything(engine_for, timedelta(days=3))  # it produced posts last week ...
    invoke(config, "collect")  # ... and answers, but has produced nothing for 3 days
    settings = load_settings(config)
    transport = email_transport(settings.email)
    now = datetime.now(UTC)

    first = send_alerts_if_due(engine_for, settings, transport, now)
    assert first.sent_to == ("curator@school.example",)
    again = send_alerts_if_due(engine_for, settings, transport, now + timedelta(hours=5))
    assert again.sent_to == ()
    assert again.skipped
    assert "already" in again.skipped
    next_day = send_alerts_if_due(engine_for, settings, transport, now + timedelta(hours=25))
    assert next_day.sent_to == ("curator@school.example",)

    messages = mailbox[0].messages
    assert len(messages) == 2
    alert = messages[0]
    assert alert["To"] == "curator@school.example"
    assert alert["Subject"].startswith("Exemplar alert: school has brought no posts for 24 hours")
    assert "Needs a person" in alert.get_content()


def test_no_alert_for_a_source_that_never_produced_or_still_produces(
    tmp_path: Path, instance: MockServer, mailbox: tuple[Mailbox, int], engine_for: Engine
) -> None:
    config = write_config(tmp_path, instance, mailbox[1])
    invoke(config, "collect")  # nothing tagged yet: a new, quiet hashtag is not an outage
    settings = load_settings(config)
    assert (
        send_alerts_if_due(engine_for, settings, email_transport(settings.email), datetime.now(UTC)).sent_to
        == ()
    )
    post(instance, "Fresh #fliplead post")
    invoke(config, "collect")
    assert (
        send_alerts_if_due(engine_for, settings, email_transport(settings.email), datetime.now(UTC)).sent_to
        == ()
    )
    assert mailbox[0].messages == []


def test_a_source_failing_run_after_run_raises_an_alert(
    tmp_path: Path, instance: MockServer, mailbox: tuple[Mailbox, int], engine_for: Engine
) -> None:
    config = write_config(tmp_path, instance, mailbox[1])
    instance.fault(path=TAG_PATH, type="status", status=500)
    settings = load_settings(config)
    for runs in range(1, 4):
        invoke(config, "collect")
        with session_scope(engine_for) as session:
            report = gather(session, settings, datetime.now(UTC))
        if runs < 3:
            assert not report.alerts
            assert "the last run of school failed" in needs_a_person(report)
    assert report.alerts == (report.alerts[0],)
    assert report.alerts[0].startswith("school has failed its last 3 runs")
    notice = send_alerts_if_due(engine_for, settings, email_transport(settings.email), datetime.now(UTC))
    assert notice.sent_to == ("curator@school.example",)
    assert "failed its last 3 runs" in mailbox[0].messages[0]["Subject"]


def test_the_weekly_email_goes_to_curators_once_a_week(
    tmp_path: Path, instance: MockServer, mailbox: tuple[Mailbox, int], engine_for: Engine
) -> None:
    config = write_config(tmp_path, instance, mailbox[1]).read_text(encoding="utf-8")
    # No [health] recipients: every curator of the desk gets it.
    config = config.replace('recipients = ["curator@school.example"]\n', "")
    path = tmp_path / "exemplar.toml"
    path.write_text(config, encoding="utf-8")
    post(instance, "Our flipped PD agenda #fliplead")
    invoke(path, "collect")
    CliRunner().invoke(
        cli,
        ["--config", str(path), "curator", "add", "ana@school.example", "--password-file", "-"],
        input="a-long-password\n",
    )
    settings = load_settings(path)
    now = datetime.now(UTC)
    sent = send_weekly_report(engine_for, settings, email_transport(settings.email), now)
    assert sent.sent_to == ("ana@school.example",)
    assert send_weekly_report(
        engine_for, settings, email_transport(settings.email), now + timedelta(hours=1)
    ).skipped
    (message,) = mailbox[0].messages
    body = message.get_content()
    assert (
        message["Subject"]
        == "Exemplar weekly health: nothing. Every source answered and nothing waits for you."
    )
    assert "mastodon #fliplead" in body
    assert "this week" in body
    assert message["Auto-Submitted"] == "auto-generated"
    # `exemplar status` prints the same figures as the email.
    assert invoke(path, "status").output.splitlines()[3:] == body.splitlines()[3:]


def test_the_scheduler_runs_the_report_weekly_and_checks_for_alerts(
    tmp_path: Path, instance: MockServer
) -> None:
    config = write_config(tmp_path, instance, 25, 'report_day = "friday"\nreport_time = "16:30"\n')
    specs = {spec.id: spec for spec in job_specs(load_settings(config))}
    friday = specs["health-report"].trigger.get_next_fire_time(None, datetime(2026, 12, 1, tzinfo=UTC))
    assert (friday.weekday(), friday.hour, friday.minute) == (4, 16, 30)
    assert specs["health-alerts"].func == "bot.schedule.jobs:health_alert_job"


def test_refused_digest_emails_need_a_person(
    tmp_path: Path, engine_for: Engine, instance: MockServer
) -> None:
    config = write_config(tmp_path, instance, 25)
    invoke(config, "db", "upgrade")
    from storage.models import Digest, EmailDelivery

    now = datetime.now(UTC)
    with session_scope(engine_for) as session:
        digest = Digest(
            period_start=now - timedelta(days=7),
            period_end=now,
            timezone="UTC",
            hashtag="fliplead",
            status="published",
            intro="",
            created_at=now,
            updated_at=now - timedelta(hours=1),
        )
        session.add(digest)
        session.flush()
        session.add(EmailDelivery(digest_id=digest.id, recipient="gone@school.example", status="refused",
                                  attempts=1, last_error="550 no such user"))  # fmt: skip
    with session_scope(engine_for) as session:
        report = gather(session, load_settings(config), now)
    assert report.refused_emails == ((1, "gone@school.example", "550 no such user"),)
    assert "1 digest email refused" in needs_a_person(report)
    with session_scope(engine_for) as session:
        session.execute(update(Digest).values(status="draft"))
        report = gather(session, load_settings(config), now)
    assert "digest 1 waits for review" in needs_a_person(report)


def _run(key: str, ok: bool, at: datetime, retries: int = 0, error: str | None = None) -> RunRecord:
    return RunRecord(key, "school", "mastodon", at, at, ok, 3, 1 if ok else 0, retries, error)


@pytest.mark.postgres
def test_the_health_figures_on_every_database_backend(engine: Engine) -> None:
    from storage import health as figures
    from storage import repository as repo
    from tests.test_storage import post as stored_post

    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    key = "mastodon:https://school.example"
    with session_scope(engine) as session:
        for hours, ok in ((100, True), (50, False), (3, False), (2, False)):
            figures.record_run(session, _run(key, ok, now - timedelta(hours=hours), retries=2, error="503"))
        figures.record_run(session, _run(key, True, now - timedelta(days=9)))
        repo.save_posts(
            session, [stored_post("1")], seen=repo.SeenThrough(key, "fliplead"), now=now - timedelta(days=8)
        )
        repo.save_posts(
            session,
            [stored_post("2", tags=["fliplead", "edchat"]), stored_post("3")],
            seen=repo.SeenThrough(key, "fliplead"),
            now=now - timedelta(days=2),
        )
    with session_scope(engine) as session:
        totals = figures.run_totals(session, now - timedelta(days=7), now)
        assert totals == {key: figures.RunTotals(runs=4, failed=3, retries=8, last_error="503")}
        assert figures.recent_outcomes(session, key, 4) == [False, False, False, True]
        this_week = figures.posts_by_network_and_tag(session, now - timedelta(days=7), now)
        assert this_week == {("mastodon", "fliplead"): 2, ("mastodon", "edchat"): 1}
        assert figures.posts_by_network_and_tag(
            session, now - timedelta(days=14), now - timedelta(days=7)
        ) == {("mastodon", "fliplead"): 1}
        assert figures.posts_seen_through(session, key, now - timedelta(days=3), now) == 2
        assert figures.last_post_through(session, key) == now - timedelta(days=2)
        figures.write_stamp(session, "health_alert_sent_at", now)
    with session_scope(engine) as session:
        assert figures.read_stamp(session, "health_alert_sent_at") == now
