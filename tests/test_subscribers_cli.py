"""``exemplar subscribers`` and what the curator is told about emails awaiting a check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner, Result

from bot.cli import cli
from storage import deliveries
from storage import subscriptions as subs
from storage.db import create_db_engine, session_scope, upgrade_schema
from storage.models import Digest as DigestRow
from storage.models import EmailDelivery

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
EMAIL = """
[email]
from = "digest@school.example"
recipients = ["head@oakfield.example", "deputy@oakfield.example"]
outbox_dir = "outbox"
"""


def write_config(tmp_path: Path) -> Path:
    path = tmp_path / "exemplar.toml"
    path.write_text(
        f'hashtags = ["fliplead"]\n{EMAIL}\n[database]\nurl = "sqlite:///exemplar.db"\n', encoding="utf-8"
    )
    return path


def invoke(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args])


def test_the_list_shows_config_addresses_suspensions_and_unconfirmed_emails(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    engine = create_db_engine(f"sqlite:///{tmp_path / 'exemplar.db'}")
    upgrade_schema(engine)
    with session_scope(engine) as session:
        digest = DigestRow(
            period_start=NOW - timedelta(days=7),
            period_end=NOW,
            timezone="UTC",
            hashtag="fliplead",
            status="published",
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(digest)
        session.flush()
        digest_id = digest.id
        subs.seed(session, ["head@oakfield.example"], NOW)
        subs.suspend(session, "head@oakfield.example", "550 5.1.1 No such user here", NOW)
        session.add_all(
            [
                EmailDelivery(
                    digest_id=digest_id,
                    recipient="deputy@oakfield.example",
                    status=deliveries.UNCONFIRMED,
                    attempts=1,
                    last_error="no answer after the message was sent",
                ),
                EmailDelivery(
                    digest_id=digest_id, recipient="head@oakfield.example", status="refused", attempts=1
                ),
            ]
        )
    engine.dispose()

    listed = invoke(config, "subscribers", "list")
    assert listed.exit_code == 0, listed.output
    assert "head@oakfield.example  suspended" in listed.output
    assert "550 5.1.1 No such user here" in listed.output
    assert "deputy@oakfield.example  active  (from config" in listed.output  # seeded from the config
    assert f"exemplar digest publish {digest_id} --retry-unconfirmed" in listed.output

    shown = invoke(config, "digest", "show", str(digest_id))
    assert shown.exit_code == 0, shown.output
    assert "emails: 1 refused, 1 unconfirmed" in shown.output
    assert "unconfirmed: deputy@oakfield.example: no answer after the message was sent" in shown.output

    status = invoke(config, "db", "status")
    assert f"digest {digest_id}: 1 unconfirmed email;" in status.output

    resumed = invoke(config, "subscribers", "resume", "HEAD@oakfield.example")
    assert resumed.exit_code == 0
    assert "head@oakfield.example  active" in invoke(config, "subscribers", "list").output
    again = invoke(config, "subscribers", "resume", "head@oakfield.example")
    assert again.exit_code == 1
    assert again.output.count("\n") == 1  # one line, no traceback
    assert "is not suspended" in again.output

    removed = invoke(config, "subscribers", "remove", "deputy@oakfield.example")
    assert removed.exit_code == 0
    only_active = invoke(config, "subscribers", "list", "--status", "active")
    assert "deputy@oakfield.example  " not in only_active.output
    assert "head@oakfield.example" in only_active.output
