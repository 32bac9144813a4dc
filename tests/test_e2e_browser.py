"""End to end in a real browser (Debian's chromium driven by Playwright): a curator logs in, corrects
a label, reorders and approves a digest, and educators then find it in the archive and the feed.

A failing test leaves a screenshot in ``test-artifacts/``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.config import settings_from_mapping
from bot.jobs.digest import DigestService
from bot.jobs.store import PostStore
from bot.networks.mastodon.normalise import normalise_status
from bot.passwords import hash_password
from bot.public_urls import PublicUrls
from bot.web.app import create_app
from digests.mail import SmtpTransport
from digests.publish.email import send_digest_emails
from storage import labels as label_repo
from storage import subscriptions as subs
from storage.curators import add_curator
from storage.db import session_scope
from tests.live_server import serving
from tests.payloads import account, hashtag_link, status, url_link
from tests.smtp_servers import FaultyMailbox, faulty_mailbox

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent.parent / "test-artifacts"
PASSWORD = "flipped-meetings-2026"
NOW = datetime.now(UTC)
SETTINGS = settings_from_mapping(
    {"hashtags": ["fliplead"], "digest": {"timezone": "UTC"}}, path=Path("x"), environ={}
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists() and os.environ.get("CI") != "true", reason="Debian's chromium is not installed"
    ),
]


@pytest.fixture
def site(sqlite_engine: Engine) -> Iterator[tuple[str, int]]:
    created = (NOW - timedelta(days=2)).isoformat()
    posts = [
        status(
            "1",
            content=f"<p>Briefing {url_link('https://youtu.be/Xc4ZsXq1a2Y')} {hashtag_link('fliplead')}</p>",
            created_at=created,
        ),
        status(
            "2",
            author=account("sam", display_name="Sam Okafor"),
            created_at=created,
            content=f"<p>Explainer {url_link('https://vimeo.com/812345678')} {hashtag_link('fliplead')}</p>",
        ),
        status(
            "3",
            author=account("lee", display_name="Lee Chen"),
            created_at=created,
            content=f"<p>We loved the new marking policy {hashtag_link('fliplead')}</p>",
        ),
        status(
            "4",
            author=account("mallory", display_name='Mallory <img src=x onerror="window.__pwned=1">'),
            created_at=created,
            content='<p>Watch <script>window.__pwned=2</script><img src=x onerror="window.__pwned=3">'
            f'<a href="javascript:window.__pwned=4">here</a> {url_link("https://youtu.be/abcdefghijk")}</p>',
        ),
    ]
    store = PostStore()
    with session_scope(sqlite_engine) as session:
        store.save(session, [normalise_status(p) for p in posts], seen=None, now=NOW)
        add_curator(session, "curator@school.example", hash_password(PASSWORD), NOW)
    service = DigestService(sqlite_engine, SETTINGS, store, lambda: NOW, actor="exemplar")
    digest_id = service.draft((NOW - timedelta(days=7), NOW + timedelta(minutes=1))).digest_id
    with serving(create_app(sqlite_engine, lambda: datetime.now(UTC), SETTINGS, store)) as url:
        yield url, digest_id


@pytest.fixture
def page(request: pytest.FixtureRequest) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        tab = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        try:
            yield tab
        finally:
            report = getattr(request.node, "rep_call", None)
            if report is not None and report.failed:
                ARTIFACTS.mkdir(exist_ok=True)
                tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
            browser.close()


def test_a_curator_corrects_reorders_approves_and_educators_see_it(
    site: tuple[str, int], page: object, sqlite_engine: Engine
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    url, digest_id = site

    page.goto(f"{url}/desk")
    expect(page).to_have_url(f"{url}/login?next=/desk")
    page.get_by_label("Email").fill("curator@school.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Curator desk")).to_be_visible()

    # Correct a label: Lee's thank-you post is, in fact, a video share the rules missed.
    lee = page.locator("#post-3")
    expect(lee.get_by_label("Label")).to_have_value("")  # no label is chosen for the curator
    lee.get_by_label("Label").select_option(label="Add video")
    lee.get_by_role("button", name="Apply").click()
    expect(page.locator("#post-3 .labels")).to_contain_text("video")
    expect(page.get_by_role("status")).to_contain_text("Post #3: added the label video.")
    with session_scope(sqlite_engine) as session:
        labels = label_repo.effective_labels(session, [3])[3]
    assert [(label.name, label.origin) for label in labels] == [("video", "curator")]

    # Reorder the draft: Sam's video first, then approve.
    page.goto(f"{url}/desk/digests/{digest_id}")
    videos = page.locator("#s-video + ol > li")
    first_author = videos.first.locator("strong").inner_text()
    second = videos.nth(1)
    second_author = second.locator("strong").inner_text()
    second.get_by_role("button", name=f"Move up {second_author}").click()
    expect(page.locator("#s-video + ol > li").first.locator("strong")).to_have_text(second_author)
    expect(page.locator("#s-video + ol > li").nth(1).locator("strong")).to_have_text(first_author)
    expect(page.get_by_text("Part 1 of")).to_be_visible()
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#digest-status")).to_have_text("approved")
    expect(page.get_by_text("edit:move")).to_be_visible()

    # Published (its thread and emails are tested elsewhere), it becomes public.
    service = DigestService(sqlite_engine, SETTINGS, PostStore(), lambda: NOW, actor="curator@school.example")
    service.transition(digest_id, "publish")

    page.goto(f"{url}/")
    page.get_by_role("link", name="#fliplead exemplars").first.click()
    expect(page).to_have_url(f"{url}/digests/{digest_id}")
    expect(page.locator("#s-video ~ .item, #s-video + .item").first).to_contain_text(second_author)
    expect(page.get_by_role("link", name="original post").first).to_have_attribute(
        "href", "https://mastodon.social/@sam/2"
    )

    # Nothing a post carries runs, on any page.
    for path in ("/", f"/digests/{digest_id}", "/browse/video", "/desk", f"/desk/digests/{digest_id}"):
        page.goto(f"{url}{path}")
        assert page.evaluate("() => window.__pwned === undefined"), path
        assert page.locator('a[href^="javascript:"]').count() == 0, path

    feed = page.request.get(f"{url}/feed.atom")
    assert feed.ok
    assert f"/digests/{digest_id}" in feed.text()


@pytest.fixture
def archive_site(sqlite_engine: Engine, tmp_path: Path) -> Iterator[tuple[str, str, int]]:
    """A published archive of two weeks, two items a page, served where its public URL says, with
    the authors' own Mastodon instance (mastodon_mock) beside it; yields both URLs and a digest id."""
    from tests.archive_site import (
        archive_settings,
        instance_on_loopback,
        local_author,
        post,
        publish_week,
        week_start,
    )
    from tests.live_server import loopback_socket, serving_on

    sock = loopback_socket()
    public_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = archive_settings(public_url=public_url, page_size=2)
    with instance_on_loopback(tmp_path) as instance:
        maria = local_author(instance, "maria", "María López")
        older, newer = week_start(2), week_start(1)
        at_older, at_newer = older + timedelta(days=2), newer + timedelta(days=2)
        first = [
            post("1", "Nuestro VÍDEO de claustro", user="maria", name="María López", created=at_older,
                 link="https://youtu.be/Xc4ZsXq1a2Y")
            | {"account": maria, "url": f"{instance}/@maria/1", "uri": f"{instance}/users/maria/statuses/1"},
            post("2", "Une vidéo de notre réunion", user="claire", name="Claire Dubois", created=at_older,
                 link="https://vimeo.com/812345601"),
            post("3", "Anyone tried flipping a whole-staff INSET day? Tips welcome!", user="lee",
                 name="Lee Chen", created=at_older),
        ]  # fmt: skip
        second = [
            post("4", "Our new video explainer for parents", user="ben", name="Ben Ode", created=at_newer,
                 link="https://youtu.be/Ee5nS8uZv2C"),
            post("5", "How do you keep flipped meetings short? Any advice?", user="kim", name="Kim Park",
                 created=at_newer),
        ]  # fmt: skip
        publish_week(
            sqlite_engine,
            settings,
            first,
            start=older,
            published_at=older + timedelta(days=8),
            answers={"3": [("Ana Pérez", "https://school.example/@ana/900")]},
        )
        digest_id = publish_week(
            sqlite_engine, settings, second, start=newer, published_at=newer + timedelta(days=8)
        )
        app = create_app(sqlite_engine, lambda: datetime.now(UTC), settings, PostStore())
        with serving_on(app, sock) as url:
            assert url == public_url
            yield url, instance, digest_id


def test_educators_browse_questions_search_page_through_and_an_author_removes_a_post(
    archive_site: tuple[str, str, int], page: object
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    url, instance, _digest_id = archive_site

    # Open questions, answered or not, with who answered.
    page.goto(f"{url}/")
    page.get_by_role("navigation", name="Archive").get_by_role("link", name="Questions").click()
    expect(page.get_by_role("heading", name="Open questions")).to_be_visible()
    expect(page.locator(".item")).to_have_count(2)
    expect(page.get_by_role("link", name="Ana Pérez")).to_have_attribute(
        "href", "https://school.example/@ana/900"
    )
    expect(page.get_by_text("Not answered yet.")).to_be_visible()
    page.get_by_label("Answers").select_option("no")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".item")).to_have_count(1)
    expect(page.locator(".item strong").first).to_have_text("Kim Park")

    # Search folds accents and case: "video" finds VÍDEO, vidéo and video.
    page.get_by_label("Search the archive").fill("video")
    page.get_by_label("Search the archive").press("Enter")
    expect(page.locator(".item")).to_have_count(2)  # two a page
    found = page.locator(".item strong").all_inner_texts()
    page.get_by_role("link", name="Older").click()
    found += page.locator(".item strong").all_inner_texts()
    assert sorted(found) == ["Ben Ode", "Claire Dubois", "María López"]

    # Pagination: newest first, two a page, there and back.
    page.goto(f"{url}/browse/video")
    first_page = page.locator(".item strong").all_inner_texts()
    assert first_page[0] == "Ben Ode"
    page.get_by_role("link", name="Older").click()
    expect(page).to_have_url(f"{url}/browse/video?page=2")
    second_page = page.locator(".item strong").all_inner_texts()
    assert set(first_page).isdisjoint(second_page)
    assert sorted(first_page + second_page) == ["Ben Ode", "Claire Dubois", "María López"]
    expect(page.get_by_role("link", name="Older")).to_have_count(0)
    page.get_by_role("link", name="Newer").click()
    expect(page).to_have_url(f"{url}/browse/video")

    # María removes her post: she signs in at her own instance (OAuth), confirms, and it is gone.
    page.goto(f"{url}/search?q=LOPEZ")
    marias = page.locator(".item", has_text="María López")
    marias.get_by_role("link", name="Is this your post? Remove it").click()
    expect(page.get_by_role("heading", name="Remove your post from the archive")).to_be_visible()
    page.get_by_role("button", name="Sign in with Mastodon on 127.0.0.1:").click()
    expect(page).to_have_url(re.compile(re.escape(f"{instance}/oauth/authorize")))
    page.get_by_role("button", name="María López (@maria)").click()
    expect(page.get_by_text("You signed in as the author of this post.")).to_be_visible()
    assert page.url.startswith(f"{url}/remove/callback?")
    page.get_by_role("button", name="Remove it").click()
    expect(page.get_by_text("Your post is gone from the archive")).to_be_visible()

    page.goto(f"{url}/search?q=video")
    expect(page.locator(".item")).to_have_count(2)
    assert sorted(page.locator(".item strong").all_inner_texts()) == ["Ben Ode", "Claire Dubois"]
    feed = page.request.get(f"{url}/feed/video.atom")
    assert feed.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert "María" not in feed.text()


def _log_in(page: Any, url: str) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("Email").fill("curator@school.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_a_curator_confirms_an_exclusion_and_undoes_it(site: tuple[str, int], page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    url, _digest_id = site
    _log_in(page, url)
    maria = page.locator("#post-1")
    maria.get_by_role("button", name="Exclude youtu.be…").click()
    expect(page.get_by_role("heading", name="Exclude the domain youtu.be?")).to_be_visible()
    expect(page.locator("#exclusion-effect")).to_contain_text("2 stored posts match")
    page.get_by_label("Reason").fill("not our videos")
    page.get_by_role("button", name="Exclude youtu.be").click()
    expect(page.get_by_role("heading", name="Curator desk")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Excluded the domain youtu.be")

    page.get_by_role("link", name="Exclusions").click()
    row = page.locator("tr.exclusion", has_text="youtu.be")
    expect(row).to_contain_text("curator@school.example")
    expect(row).to_contain_text("not our videos")
    row.get_by_role("button", name="Undo excluding domain youtu.be").click()
    expect(page.get_by_role("status")).to_contain_text("The domain youtu.be is no longer excluded.")
    expect(page.get_by_text("Nothing is excluded.")).to_be_visible()


def test_logout_ends_a_copied_session_and_curator_remove_ends_the_rest(
    site: tuple[str, int], page: object, sqlite_engine: Engine, tmp_path: Path
) -> None:
    from click.testing import CliRunner
    from playwright.sync_api import Page, expect

    from bot.cli import cli

    assert isinstance(page, Page)
    url, _digest_id = site
    _log_in(page, url)
    expect(page.get_by_role("heading", name="Curator desk")).to_be_visible()

    # Someone copies the desk cookie into another browser: it opens the desk, until logout.
    other = page.context.browser.new_context()  # type: ignore[union-attr]
    other.add_cookies(page.context.cookies())
    thief = other.new_page()
    thief.goto(f"{url}/desk")
    expect(thief.get_by_role("heading", name="Curator desk")).to_be_visible()
    page.get_by_role("button", name="Log out curator@school.example").click()
    expect(page.get_by_role("status")).to_contain_text("Logged out curator@school.example.")
    thief.goto(f"{url}/desk")
    expect(thief).to_have_url(f"{url}/login?next=/desk")

    # The curator logs in again; `exemplar curator list` shows them, `curator remove` shuts them out.
    config = tmp_path / "exemplar.toml"
    config.write_text(
        f'hashtags = ["fliplead"]\n[database]\nurl = "{sqlite_engine.url.render_as_string()}"\n',
        encoding="utf-8",
    )
    _log_in(page, url)
    expect(page.get_by_role("heading", name="Curator desk")).to_be_visible()
    listed = CliRunner().invoke(cli, ["--config", str(config), "curator", "list"])
    assert "curator@school.example" in listed.output
    assert "1 open session" in listed.output
    removed = CliRunner().invoke(
        cli, ["--config", str(config), "curator", "remove", "curator@school.example"]
    )
    assert removed.exit_code == 0, removed.output
    page.goto(f"{url}/desk")
    expect(page).to_have_url(f"{url}/login?next=/desk")
    _log_in(page, url)
    expect(page.get_by_role("alert")).to_contain_text("Wrong email or password.")
    other.close()


@pytest.fixture
def mailing_site(sqlite_engine: Engine) -> Iterator[tuple[str, int, FaultyMailbox, int]]:
    """The archive with emails on (to the outbox by config; the form's mail goes to aiosmtpd)."""
    settings = settings_from_mapping(
        {
            "hashtags": ["fliplead"],
            "digest": {"timezone": "UTC"},
            "email": {"from": "digest@school.example", "outbox_dir": "outbox"},
        },
        path=Path("/nonexistent/exemplar.toml"),
        environ={},
    )
    created = (NOW - timedelta(days=2)).isoformat()
    store = PostStore()
    with session_scope(sqlite_engine) as session:
        video = f"<p>Briefing {url_link('https://youtu.be/Xc4ZsXq1a2Y')} {hashtag_link('fliplead')}</p>"
        store.save(
            session, [normalise_status(status("1", content=video, created_at=created))], seen=None, now=NOW
        )
    service = DigestService(sqlite_engine, settings, store, lambda: NOW, actor="exemplar")
    digest_id = service.draft((NOW - timedelta(days=7), NOW + timedelta(minutes=1))).digest_id
    with faulty_mailbox() as (mailbox, port):
        transport = SmtpTransport("127.0.0.1", port, starttls=False, timeout=5)
        app = create_app(sqlite_engine, lambda: datetime.now(UTC), settings, store, mail_transport=transport)
        with serving(app) as url:
            yield url, digest_id, mailbox, port


def test_a_leader_subscribes_confirms_from_the_email_and_unsubscribes(
    mailing_site: tuple[str, int, FaultyMailbox, int], page: object, sqlite_engine: Engine
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    url, digest_id, mailbox, port = mailing_site
    leader = "new.leader@riverside.example"

    page.goto(f"{url}/")
    page.get_by_role("link", name="Subscribe by email").click()
    page.get_by_label("Your email address").fill(leader)
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    with session_scope(sqlite_engine) as session:
        assert subs.active_addresses(session) == []

    (confirmation,) = mailbox.to(leader)
    body = confirmation.get_body(preferencelist=("plain",))
    assert body is not None
    link = re.search(rf"{re.escape(url)}/subscribe/confirm\?token=\S+", str(body.get_content()))
    assert link is not None, "the confirmation email has no link to this site"
    page.goto(link.group(0))
    page.get_by_role("button", name=f"Send the #fliplead digest to {leader}").click()
    expect(page.get_by_role("heading", name="Subscribed")).to_be_visible()
    with session_scope(sqlite_engine) as session:
        assert subs.active_addresses(session) == [leader]

    # The digest reaches the new subscriber, and its own unsubscribe link takes them off the list.
    transport = SmtpTransport("127.0.0.1", port, starttls=False, timeout=5)
    view = DigestService(sqlite_engine, SETTINGS, PostStore(), lambda: NOW, actor="exemplar").view(digest_id)
    with session_scope(sqlite_engine) as session:
        token = subs.unsubscribe_token_of(session, leader, NOW)
    send_digest_emails(
        sqlite_engine,
        view,
        [leader],
        transport,
        sender="digest@school.example",
        unsubscribe_link=lambda _address: PublicUrls(url).unsubscribe(token),
        archive_url=PublicUrls(url).digest(digest_id),
        clock=lambda: NOW,
    )
    digest_email = mailbox.to(leader)[-1]
    unsubscribe = str(digest_email["List-Unsubscribe"]).strip("<>")
    assert unsubscribe.startswith(f"{url}/u/")
    page.goto(unsubscribe)
    page.get_by_role("button", name=f"Unsubscribe {leader}").click()
    expect(page.get_by_role("heading", name="Unsubscribed")).to_be_visible()
    expect(page.get_by_role("link", name="Subscribe again")).to_be_visible()
    with session_scope(sqlite_engine) as session:
        assert subs.active_addresses(session) == []
        row = subs.find(session, leader)
        assert row is not None
        assert row.status == subs.UNSUBSCRIBED
