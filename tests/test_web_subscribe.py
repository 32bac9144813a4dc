"""Leaders manage their own subscription: the subscribe form (double opt-in, confirmation emails
received by aiosmtpd), one-click unsubscribe without login, and the curator's view of the list."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from bot.config import Settings, settings_from_mapping
from bot.jobs.store import PostStore
from bot.passwords import hash_password
from bot.web.app import create_app
from digests.mail import SmtpTransport
from storage import subscriptions as subs
from storage.curators import add_curator
from storage.db import session_scope
from storage.models import Digest as DigestRow
from storage.models import EmailDelivery
from tests.smtp_servers import FaultyMailbox, faulty_mailbox

PUBLIC_URL = "https://exemplar.school.example"
PASSWORD = "flipped-meetings-2026"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 30, 9, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def settings_for(port: int) -> Settings:
    return settings_from_mapping(
        {
            "hashtags": ["fliplead"],
            "email": {
                "from": "Exemplar <digest@school.example>",
                "recipients": ["head@oakfield.example"],
                "smtp_host": "127.0.0.1",
                "smtp_port": port,
                "starttls": False,
                "public_url": PUBLIC_URL,
                "confirm_hours": 48,
            },
        },
        path=Path("/nonexistent/exemplar.toml"),
        environ={},
    )


@pytest.fixture
def mailbox() -> Iterator[tuple[FaultyMailbox, int]]:
    with faulty_mailbox() as server:
        yield server


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(engine: Engine, mailbox: tuple[FaultyMailbox, int], clock: Clock) -> TestClient:
    settings = settings_for(mailbox[1])
    transport = SmtpTransport("127.0.0.1", mailbox[1], starttls=False, timeout=5)
    app = create_app(engine, clock, settings, PostStore(), mail_transport=transport)
    return TestClient(app, base_url=PUBLIC_URL, follow_redirects=False)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def ask(client: TestClient, address: str) -> str:
    form = client.get("/subscribe")
    assert form.status_code == 200
    response = client.post("/subscribe", data={"email": address, "csrf": csrf_of(form.text)})
    assert response.status_code == 200
    return response.text


def confirmation_links(mailbox: FaultyMailbox, address: str) -> list[str]:
    links = []
    for message in mailbox.to(address):
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        links += re.findall(rf"{re.escape(PUBLIC_URL)}/subscribe/confirm\?token=\S+", str(body.get_content()))
    return links


def follow(client: TestClient, link: str) -> str:
    page = client.get(link.removeprefix(PUBLIC_URL))
    assert page.status_code == 200, page.text
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert token, "the confirmation page has no button"
    done = client.post("/subscribe/confirm", data={"token": token.group(1)})
    assert done.status_code == 200
    return done.text


def active(engine: Engine) -> list[str]:
    with session_scope(engine) as session:
        return subs.active_addresses(session)


def main_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.split("<main", 1)[1].split("</main>")[0]))


def test_subscribing_takes_a_confirmation_from_the_address_itself(
    client: TestClient, engine: Engine, mailbox: tuple[FaultyMailbox, int]
) -> None:
    server, _ = mailbox
    page = ask(client, "New.Leader@Riverside.example")

    assert "Check your inbox" in page
    assert active(engine) == []  # not before the address confirms
    (link,) = confirmation_links(server, "new.leader@riverside.example")
    (message,) = server.to("new.leader@riverside.example")
    assert message["Subject"] == "Confirm: the weekly #fliplead digest"
    assert "Subscribed" in follow(client, link)
    assert active(engine) == ["new.leader@riverside.example"]
    assert client.get(link.removeprefix(PUBLIC_URL)).status_code == 400  # a link works once


def test_the_answer_is_the_same_whether_or_not_the_address_is_on_the_list(
    client: TestClient, engine: Engine, mailbox: tuple[FaultyMailbox, int]
) -> None:
    with session_scope(engine) as session:
        subs.seed(session, ["head@oakfield.example"], datetime(2026, 11, 1, tzinfo=UTC))
        subs.seed(session, ["gone@oakfield.example"], datetime(2026, 11, 1, tzinfo=UTC))
        subs.unsubscribe(session, "gone@oakfield.example", datetime(2026, 11, 2, tzinfo=UTC))

    answers = {
        address: main_text(ask(client, address)).replace(address, "ADDRESS")
        for address in ("head@oakfield.example", "gone@oakfield.example", "nobody@riverside.example")
    }

    assert len(set(answers.values())) == 1
    assert active(engine) == ["head@oakfield.example"]  # nothing changed yet
    assert all(len(mailbox[0].to(address)) == 1 for address in answers)


def test_an_expired_altered_or_foreign_confirmation_link_subscribes_nobody(
    client: TestClient, engine: Engine, mailbox: tuple[FaultyMailbox, int], clock: Clock
) -> None:
    server, _ = mailbox
    ask(client, "late@riverside.example")
    (link,) = confirmation_links(server, "late@riverside.example")
    token = link.split("token=", 1)[1]

    assert client.post("/subscribe/confirm", data={"token": token[:-2] + "xx"}).status_code == 400
    assert client.post("/subscribe/confirm", data={"token": ""}).status_code == 400
    clock.now += timedelta(hours=49)
    assert client.get(link.removeprefix(PUBLIC_URL)).status_code == 400
    assert client.post("/subscribe/confirm", data={"token": token}).status_code == 400
    assert active(engine) == []


def test_asking_again_soon_sends_no_second_email_and_a_bad_address_is_refused(
    client: TestClient, mailbox: tuple[FaultyMailbox, int], clock: Clock
) -> None:
    server, _ = mailbox
    first = ask(client, "twice@riverside.example")
    second = ask(client, "twice@riverside.example")
    assert first == second
    assert len(server.to("twice@riverside.example")) == 1
    clock.now += timedelta(minutes=11)
    ask(client, "twice@riverside.example")
    assert len(server.to("twice@riverside.example")) == 2

    form = client.get("/subscribe")
    bad = client.post("/subscribe", data={"email": "not an address", "csrf": csrf_of(form.text)})
    assert bad.status_code == 400
    forged = client.post("/subscribe", data={"email": "x@riverside.example", "csrf": "forged"})
    assert forged.status_code == 403
    assert server.to("x@riverside.example") == []


def test_one_click_unsubscribe_needs_no_login_and_resubscribing_works(
    client: TestClient, engine: Engine, mailbox: tuple[FaultyMailbox, int]
) -> None:
    with session_scope(engine) as session:
        subs.seed(session, ["head@oakfield.example"], datetime(2026, 11, 1, tzinfo=UTC))
        token = subs.unsubscribe_token_of(session, "head@oakfield.example", datetime(2026, 11, 1, tzinfo=UTC))
    fresh = TestClient(client.app, base_url=PUBLIC_URL)  # no cookies, no CSRF token

    page = fresh.get(f"/u/{token}")
    assert page.status_code == 200
    assert "Stop sending the weekly digest to head@oakfield.example?" in page.text
    assert active(engine) == ["head@oakfield.example"]  # a link scanner's GET changes nothing
    assert fresh.post(f"/u/{token[:-1]}x", data={"List-Unsubscribe": "One-Click"}).status_code == 404
    done = fresh.post(
        f"/u/{token}",
        content=b"List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert done.status_code == 200
    assert active(engine) == []
    assert '/subscribe">Subscribe again</a>' in done.text

    ask(client, "head@oakfield.example")
    (link,) = confirmation_links(mailbox[0], "head@oakfield.example")
    follow(client, link)
    assert active(engine) == ["head@oakfield.example"]


def test_the_curator_sees_suspended_addresses_on_the_desk(client: TestClient, engine: Engine) -> None:
    when = datetime(2026, 11, 1, tzinfo=UTC)
    with session_scope(engine) as session:
        subs.seed(session, ["head@oakfield.example", "bounced@riverside.example"], when)
        subs.suspend(session, "bounced@riverside.example", "550 5.1.1 No such user here", when)
        add_curator(session, "curator@school.example", hash_password(PASSWORD), when)

    assert client.get("/desk/mailing").status_code == 303  # login first
    login = client.get("/login")
    client.post(
        "/login",
        data={"email": "curator@school.example", "password": PASSWORD, "csrf": csrf_of(login.text)},
    )
    page = client.get("/desk/mailing")
    assert page.status_code == 200
    row = re.search(r"<tr class=\"status-suspended\">(.*?)</tr>", page.text)
    assert row is not None
    assert "bounced@riverside.example" in row.group(1)
    assert "550 5.1.1 No such user here" in row.group(1)
    assert "Subscribe by email" in client.get("/").text  # the archive links to the form


def test_the_desk_digest_page_names_the_unconfirmed_emails(client: TestClient, engine: Engine) -> None:
    when = datetime(2026, 11, 1, tzinfo=UTC)
    with session_scope(engine) as session:
        add_curator(session, "curator@school.example", hash_password(PASSWORD), when)
        digest = DigestRow(
            period_start=when - timedelta(days=7),
            period_end=when,
            timezone="UTC",
            hashtag="fliplead",
            status="published",
            created_at=when,
            updated_at=when,
        )
        session.add(digest)
        session.flush()
        digest_id = digest.id
        session.add_all(
            [
                EmailDelivery(
                    digest_id=digest_id,
                    recipient="deputy@oakfield.example",
                    status="unconfirmed",
                    attempts=1,
                    last_error="no answer after the message was sent",
                ),
                EmailDelivery(
                    digest_id=digest_id, recipient="head@oakfield.example", status="sent", attempts=1
                ),
            ]
        )
    login = client.get("/login")
    client.post(
        "/login",
        data={"email": "curator@school.example", "password": PASSWORD, "csrf": csrf_of(login.text)},
    )

    page = client.get(f"/desk/digests/{digest_id}")

    assert page.status_code == 200
    assert "1 sent, 1 unconfirmed" in page.text
    item = re.search(r'<li class="unconfirmed">(.*?)</li>', page.text)
    assert item is not None
    assert "deputy@oakfield.example: no answer after the message was sent" in item.group(1)
    assert f"exemplar digest publish {digest_id} --retry-unconfirmed" in page.text


def test_the_feed_links_to_public_url_whatever_address_the_request_came_to(
    engine: Engine, mailbox: tuple[FaultyMailbox, int], clock: Clock
) -> None:
    app = create_app(engine, clock, settings_for(mailbox[1]), PostStore())
    feed = TestClient(app, base_url="http://127.0.0.1:8000").get("/feed.atom")

    assert feed.status_code == 200
    assert f'href="{PUBLIC_URL}/feed.atom"' in feed.text
    assert "127.0.0.1" not in feed.text
