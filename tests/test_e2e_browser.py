"""End to end in a real browser (Debian's chromium driven by Playwright): a curator logs in, corrects
a label, reorders and approves a digest, and educators then find it in the archive and the feed.

A failing test leaves a screenshot in ``test-artifacts/``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.config import settings_from_mapping
from bot.jobs.digest import DigestService
from bot.jobs.store import PostStore
from bot.networks.mastodon.normalise import normalise_status
from bot.passwords import hash_password
from bot.web.app import create_app
from storage import labels as label_repo
from storage.curators import add_curator
from storage.db import session_scope
from tests.live_server import serving
from tests.payloads import account, hashtag_link, status, url_link

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
    lee.get_by_label("Label").select_option("video")
    lee.get_by_role("button", name="Add").click()
    expect(page.locator("#post-3 .labels")).to_contain_text("video")
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
