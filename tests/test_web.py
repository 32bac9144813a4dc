"""The web side, request by request: public archive, Atom feed, curator desk, auth and CSRF."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine
from starlette.testclient import TestClient

from bot.cli import cli
from bot.config import settings_from_mapping
from bot.jobs.digest import DigestService
from bot.jobs.store import PostStore
from bot.networks.mastodon.normalise import normalise_status
from bot.passwords import hash_password
from bot.web.app import create_app
from bot.web.security import LoginLimiter
from storage.curators import add_curator
from storage.db import session_scope
from storage.login_limits import Backoff
from tests.payloads import account, hashtag_link, status, url_link

NOW = datetime(2026, 11, 25, 9, tzinfo=UTC)
PASSWORD = "flipped-meetings-2026"
HOSTILE = (
    '<p>Watch <script>alert("x")</script><img src="x" onerror="alert(1)">'
    f'<a href="javascript:alert(2)">this</a> {url_link("https://youtu.be/Xc4ZsXq1a2Y")} '
    f"{hashtag_link('fliplead')}</p>"
)
SETTINGS = settings_from_mapping(
    {"hashtags": ["fliplead"], "digest": {"timezone": "UTC"}}, path=Path("x"), environ={}
)


@pytest.fixture
def site(engine: Engine) -> dict[str, int]:
    """Posts, a published digest and a draft, and a curator."""
    created = (NOW - timedelta(days=5)).isoformat()
    posts = [
        status("1", content=HOSTILE, created_at=created),
        status(
            "2",
            author=account("sam", display_name="Sam <b>Okafor</b>"),
            content=f"<p>Our staff questions live on Padlet {url_link('https://padlet.com/r/q')} "
            f"{hashtag_link('fliplead')}</p>",
            created_at=created,
        ),
        status(
            "3",
            author=account("lee", display_name="Lee Chen"),
            content=f"<p>Anyone tried flipping an INSET day? Tips welcome {hashtag_link('fliplead')}</p>",
            created_at=created,
        ),
    ]
    store = PostStore()
    with session_scope(engine) as session:
        store.save(session, [normalise_status(p) for p in posts], seen=None, now=NOW)
        add_curator(session, "curator@school.example", hash_password(PASSWORD), NOW)
    service = DigestService(engine, SETTINGS, store, lambda: NOW, actor="curator@school.example")
    published = service.draft((NOW - timedelta(days=7), NOW)).digest_id
    service.transition(published, "approve")
    service.transition(published, "publish")
    draft = service.draft((NOW - timedelta(days=14), NOW - timedelta(days=7, seconds=-1))).digest_id
    later = service.draft((NOW - timedelta(days=6), NOW + timedelta(days=1))).digest_id
    return {"published": published, "empty_draft": draft, "draft": later}


@pytest.fixture
def client(engine: Engine) -> TestClient:
    app = create_app(
        engine,
        lambda: NOW,
        SETTINGS,
        PostStore(),
        limiter=LoginLimiter(per_account_client=Backoff(free=3, base_seconds=60, max_seconds=60)),
    )
    return TestClient(app, follow_redirects=False)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def log_in(client: TestClient, password: str = PASSWORD) -> object:
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login", data={"email": "Curator@School.example", "password": password, "csrf": token}
    )


def assert_inert(html: str) -> None:
    lowered = html.lower()
    assert "<script>alert" not in lowered
    assert "onerror" not in lowered
    assert "javascript:" not in lowered
    assert "<b>okafor</b>" not in lowered


def test_the_archive_lists_published_digests_only(client: TestClient, site: dict[str, int]) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert f'/digests/{site["published"]}"' in page.text
    assert f'/digests/{site["draft"]}"' not in page.text
    assert client.get(f"/digests/{site['draft']}").status_code == 404
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_a_digest_page_attributes_every_exemplar_and_is_inert(
    client: TestClient, site: dict[str, int]
) -> None:
    page = client.get(f"/digests/{site['published']}")
    assert page.status_code == 200
    for post_id in ("1", "2", "3"):
        assert f"/@{'maria' if post_id == '1' else 'sam' if post_id == '2' else 'lee'}/{post_id}" in page.text
    assert 'Made with: <a href="https://padlet.com/r/q">Padlet</a>' in page.text
    assert 'Video on <a href="https://youtu.be/Xc4ZsXq1a2Y">youtu.be</a>' in page.text
    assert "Answer it on the network" in page.text
    assert 'href="https://youtu.be/Xc4ZsXq1a2Y"' in page.text
    assert_inert(page.text)


def test_browse_pages_filter(client: TestClient, site: dict[str, int]) -> None:
    videos = client.get("/browse/video")
    assert videos.status_code == 200
    assert "1 exemplar" in videos.text
    assert_inert(videos.text)
    tools = client.get("/browse/tool", params={"tool": "Padlet"})
    assert "Sam" in tools.text
    assert "1 exemplar" in tools.text
    assert "Nothing matches." in client.get("/browse/tool", params={"q": "no such words"}).text
    assert "Nothing matches." in client.get("/browse/video", params={"tag": "other"}).text
    assert "1 exemplar" in client.get("/browse/video", params={"tag": "#FlipLead"}).text
    assert "Nothing matches." in client.get("/browse/video", params={"since": "2027-01-01"}).text


def test_the_atom_feed_is_valid_and_links_each_digest(client: TestClient, site: dict[str, int]) -> None:
    feed = client.get("/feed.atom")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(feed.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    entries = root.findall("a:entry", ns)
    assert len(entries) == 1
    link = entries[0].find("a:link", ns)
    assert link is not None
    assert link.get("href", "").endswith(f"/digests/{site['published']}")
    assert all(root.find(f"a:{tag}", ns) is not None for tag in ("id", "title", "updated"))
    content = entries[0].find("a:content", ns)
    assert content is not None
    assert_inert(content.text or "")


def test_the_desk_requires_login(client: TestClient, site: dict[str, int]) -> None:
    for path in ("/desk", "/desk/digests", f"/desk/digests/{site['draft']}"):
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["location"].endswith(f"/login?next={path}")
    assert client.post(f"/desk/digests/{site['draft']}/status", data={"action": "approve"}).status_code == 303


def test_wrong_passwords_are_refused_then_rate_limited(client: TestClient, site: dict[str, int]) -> None:
    for _ in range(3):
        assert log_in(client, "wrong password").status_code == 401  # type: ignore[attr-defined]
    blocked = log_in(client)  # even the right password waits out the window
    assert blocked.status_code == 429  # type: ignore[attr-defined]


def test_login_needs_its_csrf_token(client: TestClient, site: dict[str, int]) -> None:
    client.get("/login")
    response = client.post("/login", data={"email": "curator@school.example", "password": PASSWORD})
    assert response.status_code == 403


def test_no_open_redirect_after_login(client: TestClient, site: dict[str, int]) -> None:
    token = csrf_of(client.get("/login?next=https://evil.example/").text)
    response = client.post(
        "/login",
        data={
            "email": "curator@school.example",
            "password": PASSWORD,
            "csrf": token,
            "next": "//evil.example",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"].endswith("/desk")


def test_the_inbox_shows_labels_and_reasons_and_accepts_corrections(
    client: TestClient, site: dict[str, int]
) -> None:
    assert log_in(client).status_code == 303  # type: ignore[attr-defined]
    inbox = client.get("/desk")
    assert inbox.status_code == 200
    assert "tool: names Padlet" in inbox.text
    assert_inert(inbox.text)
    token = csrf_of(inbox.text)

    assert client.post("/desk/posts/3/labels", data={"label": "video", "change": "add"}).status_code == 403
    corrected = client.post("/desk/posts/3/labels", data={"label": "video", "change": "add", "csrf": token})
    assert corrected.status_code == 303
    assert "Lee Chen" in client.get("/desk", params={"label": "video"}).text
    assert "Lee Chen" not in client.get("/desk", params={"label": "tool"}).text

    asked = client.post("/desk/exclude", data={"kind": "domain", "post_id": "2", "csrf": token})
    assert asked.status_code == 200  # a domain is excluded only once the curator confirms
    assert "1 stored post</strong> matches" in asked.text
    excluded = client.post(
        "/desk/exclude", data={"kind": "domain", "value": "padlet.com", "confirm": "yes", "csrf": token}
    )
    assert excluded.status_code == 303


def test_digest_review_edits_approval_and_history(client: TestClient, site: dict[str, int]) -> None:
    log_in(client)
    digest_id = site["draft"]
    page = client.get(f"/desk/digests/{digest_id}")
    assert page.status_code == 200
    assert re.search(r"Part 1 of \d+ · \d+ of 500 characters", page.text)
    assert 'sandbox srcdoc="' in page.text  # the email preview, sandboxed
    assert_inert(page.text)
    token = csrf_of(page.text)

    def act(action: str, **data: str) -> int:
        return client.post(
            f"/desk/digests/{digest_id}/edit", data={"action": action, "csrf": token, **data}
        ).status_code

    assert act("intro", text="A fine week.") == 303
    assert act("blurb", post_id="2", text="Simple and effective.") == 303
    assert act("pin", post_id="2") == 303
    assert act("up", post_id="2") == 303
    assert act("remove", post_id="1") == 303
    assert act("dance", post_id="1") == 400
    reviewed = client.get(f"/desk/digests/{digest_id}").text
    assert "A fine week." in reviewed
    assert 'value="Simple and effective."' in reviewed
    for action in ("edit:intro", "edit:blurb", "edit:pin", "edit:move", "edit:remove"):
        assert action in reviewed
    assert "curator@school.example" in reviewed

    approved = client.post(f"/desk/digests/{digest_id}/status", data={"action": "approve", "csrf": token})
    assert approved.status_code == 303
    after = client.get(f"/desk/digests/{digest_id}").text
    assert '<span class="status" id="digest-status">approved</span>' in after
    assert act("intro", text="too late") == 409

    listing = client.get("/desk/digests").text
    assert "approved" in listing

    assert client.post("/logout", data={"csrf": token}).status_code == 303
    assert client.get("/desk").status_code == 303


def test_unknown_pages_and_digests(client: TestClient, site: dict[str, int]) -> None:
    log_in(client)
    assert client.get("/desk/digests/999").status_code == 404
    assert client.get("/nowhere").status_code == 404


def test_curator_add_command(tmp_path: Path) -> None:
    config = tmp_path / "exemplar.toml"
    config.write_text(
        'hashtags = ["fliplead"]\n[database]\nurl = "sqlite:///exemplar.db"\n', encoding="utf-8"
    )
    added = CliRunner().invoke(
        cli,
        ["--config", str(config), "curator", "add", "New@School.example"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert added.exit_code == 0, added.output
    assert "curator new@school.example can now log in" in added.output
    short = CliRunner().invoke(
        cli, ["--config", str(config), "curator", "add", "x@y.example", "--password", "short"]
    )
    assert short.exit_code == 2


def test_worker_processes_build_the_app_from_the_config_the_parent_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.web.factory import app_from_environment

    config = tmp_path / "exemplar.toml"
    config.write_text('hashtags = ["fliplead"]\n[database]\nurl = "sqlite:///e.db"\n', encoding="utf-8")
    monkeypatch.setenv("EXEMPLAR_CONFIG", str(config))
    with TestClient(app_from_environment()) as client:
        assert client.get("/healthz").text == "ok"
        assert "No digest has been published yet." in client.get("/").text


def test_a_video_shows_its_picture_provider_and_length() -> None:
    from bot.web.views import item_view
    from tests.digest_samples import item

    video = item(
        9,
        "video",
        0,
        thumbnail="https://files.example/preview.png",
        duration_seconds=102.04,
        card_url="https://vimeo.com/1",
        card_title="Our flipped meeting",
    )
    shown = item_view(video)["video"]
    assert shown == {
        "url": "https://vimeo.com/1",
        "provider": "vimeo.com",
        "title": "Our flipped meeting",
        "thumbnail": "https://files.example/preview.png",
        "length": "1:42",
    }
    hostile = item_view(item(10, "video", 0, thumbnail="javascript:alert(1)"))["video"]
    assert hostile["thumbnail"] is None


DESK_POSTS = [
    ("/logout", {}),
    ("/desk/posts/1/labels", {"label": "tool", "change": "add"}),
    ("/desk/exclude", {"kind": "post", "post_id": "1"}),
    ("/desk/digests/{draft}/edit", {"action": "intro", "text": "x"}),
    ("/desk/digests/{draft}/status", {"action": "approve"}),
]


@pytest.mark.parametrize(("path", "data"), DESK_POSTS)
def test_every_desk_form_needs_a_curator_and_its_csrf_token(
    client: TestClient, site: dict[str, int], path: str, data: dict[str, str]
) -> None:
    target = path.format(draft=site["draft"])
    anonymous = client.post(target, data=data)
    assert anonymous.status_code == 303
    assert "/login?next=" in anonymous.headers["location"]
    log_in(client)
    assert client.post(target, data=data).status_code == 403
    assert client.post(target, data={**data, "csrf": "forged"}).status_code == 403


def test_the_stylesheet_ships_with_the_package(client: TestClient) -> None:
    css = client.get("/static/exemplar.css")
    assert css.status_code == 200
    assert "max-width" in css.text
