"""Never an empty digest (Discourse's rule): drafted so the curator sees it, never approved or
published, and, when the week drafted was empty but the current one has posts, a way to draft that."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from mastodon_mock.testing import MockServer
from sqlalchemy import create_engine
from starlette.testclient import TestClient

from bot.schedule.jobs import draft_job, publish_job
from digests.lifecycle import EmptyDigestError, TransitionError, next_status
from storage.db import session_scope
from storage.models import Digest as DigestRow
from tests.test_digest_cli import run, setup  # noqa: F401 - the CLI's configured app, as a fixture
from tests.test_web import client, csrf_of, log_in, site  # noqa: F401 - the desk and its data


def test_the_lifecycle_refuses_to_approve_or_publish_nothing() -> None:
    with pytest.raises(EmptyDigestError, match=r"digest 4 has no items.*exemplar digest edit 4 --add"):
        next_status("draft", "approve", items=0, digest_id=4)
    with pytest.raises(EmptyDigestError):
        next_status("approved", "publish", items=0)
    assert issubclass(EmptyDigestError, TransitionError)
    assert next_status("draft", "approve", items=1) == "approved"
    assert next_status("draft", "reject", items=0) == "rejected"  # an empty draft can still be rejected


def test_the_cli_drafts_an_empty_week_says_how_to_draft_this_one_and_refuses_to_approve_it(
    setup: tuple[Path, MockServer],  # noqa: F811
) -> None:
    config, _ = setup
    assert run(config, "collect").exit_code == 0  # two posts, both from today

    drafted = run(config, "digest", "draft", "--no-refresh")  # last week: nothing in it
    assert drafted.exit_code == 0
    digest_id = int(re.search(r"digest (\d+) drafted: 0 items", drafted.output).group(1))  # type: ignore[union-attr]
    assert "the current week" in drafted.output
    assert "already has 2 posts that qualify" in drafted.output
    command = re.search(r"`exemplar (digest draft --start \d{4}-\d\d-\d\d)`", drafted.output)
    assert command is not None, drafted.output

    shown = run(config, "digest", "show", str(digest_id)).output
    assert command.group(0) in shown  # the review says it too

    refused = run(config, "digest", "approve", str(digest_id))
    assert refused.exit_code == 1
    assert f"digest {digest_id} has no items" in refused.output
    assert "Traceback" not in refused.output
    assert re.search(rf"\b{digest_id}\s+draft\b", run(config, "digest", "list").output)

    current = run(config, *command.group(1).split(), "--no-refresh")  # the exact command it gave
    assert current.exit_code == 0
    assert re.search(r"drafted: 2 items", current.output), current.output
    current_id = int(re.search(r"digest (\d+) drafted", current.output).group(1))  # type: ignore[union-attr]
    assert "is approved" in run(config, "digest", "approve", str(current_id)).output


def test_the_scheduler_drafts_an_empty_week_but_never_publishes_it(
    setup: tuple[Path, MockServer],  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    config, server = setup
    caplog.set_level(logging.INFO)
    draft_job(str(config))  # nothing collected yet: last week is empty
    assert "is empty" in caplog.text

    engine = create_engine(f"sqlite:///{config.parent / 'exemplar.db'}")
    with session_scope(engine) as session:
        [row] = session.query(DigestRow).all()
        assert row.status == "draft"
        row.status = "approved"  # as if approved by hand in the database, or by an older version
        digest_id = row.id
    caplog.clear()

    publish_job(str(config))

    bot = server.client("exemplar")
    assert not bot.account_statuses(bot.me())  # no heading-only thread
    assert not list((config.parent / "outbox").glob("*.eml"))  # and no email
    assert f"digest {digest_id}: not published: digest {digest_id} has no items" in caplog.text
    assert "Traceback" not in caplog.text
    with session_scope(engine) as session:
        refreshed = session.get(DigestRow, digest_id)
        assert refreshed is not None
        assert refreshed.status == "approved"
    engine.dispose()

    refused = run(config, "digest", "publish", str(digest_id))
    assert refused.exit_code == 1
    assert f"digest {digest_id} has no items" in refused.output
    dry = run(config, "digest", "publish", str(digest_id), "--dry-run")
    assert dry.exit_code == 1
    assert "has no items" in dry.output


def test_the_desk_refuses_to_approve_an_empty_draft_and_says_why(
    client: TestClient,  # noqa: F811
    site: dict[str, int],  # noqa: F811
) -> None:
    log_in(client)
    empty = site["empty_draft"]
    page = client.get(f"/desk/digests/{empty}")
    token = csrf_of(page.text)

    refused = client.post(f"/desk/digests/{empty}/status", data={"action": "approve", "csrf": token})

    assert refused.status_code == 409
    assert "has no items" in refused.text
    after = client.get(f"/desk/digests/{empty}").text
    assert '<span class="status" id="digest-status">draft</span>' in after
