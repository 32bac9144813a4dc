"""The curator desk as a curator meets it: digests list, label control, exclusions with confirmation
and undo, and a message after every action."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from bot.passwords import hash_password
from storage import digests as digest_repo
from storage import labels as label_repo
from storage.db import session_scope
from storage.models import DigestItemRow, Exclusion
from tests.conftest import FakeClock
from tests.desk_site import csrf_of, desk_app, fill_site, flash_of, log_in


@pytest.fixture
def site(engine: Engine, clock: FakeClock) -> dict[str, int]:
    return fill_site(engine, clock())


@pytest.fixture
def desk(engine: Engine, clock: FakeClock, site: dict[str, int]) -> Iterator[TestClient]:
    with TestClient(desk_app(engine, clock), follow_redirects=False) as client:
        assert log_in(client).status_code == 303
        yield client


def test_the_digests_list_counts_items_and_dates_them_as_the_review_page_does(
    desk: TestClient, site: dict[str, int], engine: Engine
) -> None:
    listing = desk.get("/desk/digests").text
    assert "built-in method" not in listing
    with session_scope(engine) as session:
        row = session.get(digest_repo.Digest, site["week"])
        assert row is not None
        count = len(digest_repo.live_items(row))
    review = desk.get(f"/desk/digests/{site['week']}").text
    heading = html.unescape(re.search(r"<h1>(.*?)</h1>", review).group(1))  # type: ignore[union-attr]
    assert heading == "#fliplead exemplars, 16–22 November 2026"
    row_html = re.search(
        rf'<tr><td><a href="[^"]*/desk/digests/{site["week"]}">(.*?)</a>.*?<td>(\d+)</td></tr>', listing
    )
    assert row_html, listing
    assert html.unescape(row_html.group(1)) == heading
    assert int(row_html.group(2)) == count


def _listed_counts(listing: str) -> dict[int, int]:
    rows = re.findall(r'<tr><td><a href="[^"]*/desk/digests/(\d+)">.*?<td>(\d+)</td></tr>', listing)
    return {int(digest_id): int(count) for digest_id, count in rows}


def test_the_digests_list_counts_only_live_items_of_each_digest(
    desk: TestClient, site: dict[str, int], engine: Engine, clock: FakeClock
) -> None:
    with session_scope(engine) as session:
        live = {
            digest_id: len(digest_repo.live_items(row))
            for digest_id in site.values()
            if (row := session.get(digest_repo.Digest, digest_id)) is not None
        }
    assert live[site["draft"]] >= 2
    assert _listed_counts(desk.get("/desk/digests").text) == live
    with session_scope(engine) as session:
        removed = session.scalars(
            select(DigestItemRow).where(DigestItemRow.digest_id == site["draft"]).limit(1)
        ).one()
        removed.removed = True
        empty = digest_repo.Digest(
            period_start=clock(),
            period_end=clock(),
            timezone="UTC",
            hashtag="fliplead",
            status="draft",
            created_at=clock(),
            updated_at=clock(),
        )
        session.add(empty)
        session.flush()
        empty_id = empty.id
    listed = _listed_counts(desk.get("/desk/digests").text)
    assert listed == {**live, site["draft"]: live[site["draft"]] - 1, empty_id: 0}


def _label_control(page: str, post_id: int) -> str:
    article = re.search(rf'<article class="item" id="post-{post_id}">(.*?)</article>', page, re.S)
    assert article
    control = re.search(r'<select name="label_change">(.*?)</select>', article.group(1), re.S)
    assert control
    return control.group(1)


def test_the_label_control_starts_empty_and_offers_only_real_changes(desk: TestClient) -> None:
    page = desk.get("/desk").text
    tool_post = _label_control(page, 3)  # Padlet: labelled tool by the rules
    assert re.search(r'<option value="" selected>', tool_post)
    assert re.findall(r'value="([a-z]+:[a-z]+)"', tool_post) == ["add:video", "add:question", "remove:tool"]
    unlabelled = _label_control(page, 4)
    assert re.findall(r'value="([a-z]+:[a-z]+)"', unlabelled) == ["add:video", "add:tool", "add:question"]
    assert "remove:" not in unlabelled
    token = csrf_of(page)

    nothing = desk.post("/desk/posts/4/labels", data={"label_change": "", "csrf": token})
    assert nothing.status_code == 303
    assert "Choose a label" in flash_of(desk.get("/desk").text)

    added = desk.post("/desk/posts/4/labels", data={"label_change": "add:question", "csrf": token})
    assert added.status_code == 303
    after = desk.get("/desk").text
    assert "Post #4: added the label question." in flash_of(after)
    assert re.findall(r'value="([a-z]+:[a-z]+)"', _label_control(after, 4)) == [
        "add:video",
        "add:tool",
        "remove:question",
    ]
    assert (
        desk.post("/desk/posts/999/labels", data={"label_change": "add:tool", "csrf": token}).status_code
        == 404
    )
    assert (
        desk.post("/desk/posts/4/labels", data={"label_change": "add:dance", "csrf": token}).status_code
        == 400
    )


def test_a_domain_exclusion_is_confirmed_with_what_it_removes_then_undone(
    desk: TestClient, engine: Engine
) -> None:
    inbox = desk.get("/desk").text
    token = csrf_of(inbox)
    assert "Exclude youtube.com…" in inbox

    asked = desk.get("/desk/exclude", params={"kind": "domain", "post_id": "2"})
    assert asked.status_code == 200
    assert "Exclude the domain youtube.com?" in html.unescape(asked.text)
    # www.youtube.com and m.youtube.com; youtu.be is another domain.
    assert "2 stored posts</strong> match" in asked.text
    with session_scope(engine) as session:
        assert session.scalars(select(Exclusion)).all() == []  # asking changes nothing

    # A form posted without confirmation (an old page, a script) is asked too, not obeyed.
    unconfirmed = desk.post("/desk/exclude", data={"kind": "domain", "post_id": "2", "csrf": token})
    assert unconfirmed.status_code == 200
    assert "2 stored posts</strong> match" in unconfirmed.text
    confirm_token = csrf_of(asked.text)
    done = desk.post(
        "/desk/exclude",
        data={
            "kind": "domain",
            "value": "youtube.com",
            "confirm": "yes",
            "csrf": confirm_token,
            "back": "/desk",
        },
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/desk"
    message = flash_of(desk.get("/desk").text)
    assert "Excluded the domain youtube.com: 2 stored posts" in message

    listed = desk.get("/desk/exclusions").text
    row = re.search(r'<tr class="exclusion">(.*?)</tr>', listed, re.S)
    assert row
    assert "youtube.com" in row.group(1)
    assert "curator@school.example" in row.group(1)
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", row.group(1))

    undone = desk.post(
        "/desk/exclusions/undo", data={"kind": "domain", "value": "youtube.com", "csrf": token}
    )
    assert undone.status_code == 303
    page = desk.get("/desk/exclusions").text
    assert "The domain youtube.com is no longer excluded." in flash_of(page)
    assert "Nothing is excluded." in page
    with session_scope(engine) as session:
        assert digest_repo.exclusions(session)["domain"] == set()


def test_an_author_exclusion_counts_their_posts(desk: TestClient, engine: Engine) -> None:
    asked = desk.get("/desk/exclude", params={"kind": "author", "post_id": "1"})
    assert "2 stored posts</strong> match" in asked.text
    assert "@maria@mastodon.social" in asked.text or "maria" in asked.text
    token = csrf_of(asked.text)
    value = re.search(r'name="value" value="([^"]+)"', asked.text).group(1)  # type: ignore[union-attr]
    desk.post("/desk/exclude", data={"kind": "author", "value": value, "confirm": "yes", "csrf": token})
    with session_scope(engine) as session:
        assert digest_repo.exclusions(session)["author"] == {value}
    again = desk.post(
        "/desk/exclude", data={"kind": "author", "value": value, "confirm": "yes", "csrf": token}
    )
    assert again.status_code == 303
    assert "already excluded" in flash_of(desk.get("/desk").text)


def test_a_post_exclusion_happens_at_once_with_a_message(desk: TestClient, engine: Engine) -> None:
    token = csrf_of(desk.get("/desk").text)
    done = desk.post("/desk/exclude", data={"kind": "post", "post_id": "4", "csrf": token})
    assert done.status_code == 303
    assert "Excluded the post 4: 1 stored post" in flash_of(desk.get("/desk").text)
    with session_scope(engine) as session:
        assert digest_repo.exclusions(session)["post"] == {"4"}


def test_the_exclusions_page_shows_opt_outs_and_who_made_them(
    desk: TestClient, engine: Engine, clock: FakeClock
) -> None:
    with session_scope(engine) as session:
        digest_repo.suppress_author(
            session, "asked@school.example", via="mention", reason="replied optout", now=clock()
        )
        digest_repo.suppress_author(session, "spam@bad.example", via="command", reason="spam", now=clock())
    page = desk.get("/desk/exclusions").text
    rows = dict(re.findall(r'<tr class="suppression"><td>([^<]+)</td>(.*?)</tr>', page, re.S))
    assert "the author (mention)" in rows["asked@school.example"]
    assert "only the author can undo this" in rows["asked@school.example"]
    assert "a curator (command)" in rows["spam@bad.example"]
    token = csrf_of(page)
    refused = desk.post(
        "/desk/exclusions/undo", data={"kind": "suppressed", "value": "asked@school.example", "csrf": token}
    )
    assert refused.status_code == 303
    assert "only they can undo it" in flash_of(desk.get("/desk/exclusions").text)
    lifted = desk.post(
        "/desk/exclusions/undo", data={"kind": "suppressed", "value": "spam@bad.example", "csrf": token}
    )
    assert lifted.status_code == 303
    with session_scope(engine) as session:
        assert digest_repo.suppressed_accounts(session) == {"asked@school.example"}


def test_every_digest_action_answers_with_a_message(desk: TestClient, site: dict[str, int]) -> None:
    digest_id = site["draft"]
    page = desk.get(f"/desk/digests/{digest_id}").text
    token = csrf_of(page)
    post_id = re.search(r'data-post="(\d+)"', page).group(1)  # type: ignore[union-attr]
    expected = {
        "intro": "Intro saved.",
        "blurb": "Blurb saved.",
        "pin": "Pinned",
        "unpin": "Unpinned.",
        "down": "Moved down.",
        "up": "Moved up.",
        "remove": "Removed from this digest.",
    }
    for action, message in expected.items():
        response = desk.post(
            f"/desk/digests/{digest_id}/edit",
            data={"action": action, "post_id": post_id, "text": "x", "csrf": token},
        )
        assert response.status_code == 303, action
        assert message in flash_of(desk.get(f"/desk/digests/{digest_id}").text), action
    approved = desk.post(f"/desk/digests/{digest_id}/status", data={"action": "approve", "csrf": token})
    assert approved.status_code == 303
    assert "Approved" in flash_of(desk.get(f"/desk/digests/{digest_id}").text)
    # A message shows once.
    assert flash_of(desk.get(f"/desk/digests/{digest_id}").text) == ""
    logged_out = desk.post("/logout", data={"csrf": token})
    assert logged_out.status_code == 303
    assert "Logged out curator@school.example." in flash_of(desk.get("/").text)


def test_label_corrections_from_the_desk_are_kept(desk: TestClient, engine: Engine) -> None:
    token = csrf_of(desk.get("/desk").text)
    desk.post("/desk/posts/3/labels", data={"label_change": "remove:tool", "csrf": token})
    with session_scope(engine) as session:
        assert label_repo.effective_labels(session, [3]).get(3, []) == []
    assert hash_password  # the site's curator was made with the real hash


def test_the_review_previews_follow_every_edit(desk: TestClient, site: dict[str, int]) -> None:
    """The thread and email previews are kept for an unchanged digest; an edit shows in both."""
    digest_id = site["draft"]

    def previews() -> tuple[str, str]:
        page = desk.get(f"/desk/digests/{digest_id}").text
        email = re.search(r'<iframe class="email"[^>]*srcdoc="([^"]*)"', page)
        assert email, "the page has no email preview"
        return page.split('<iframe class="email"')[0], html.unescape(email.group(1))

    previews()  # the login's message shows on this one
    page, email = previews()
    assert previews() == (page, email)  # the same digest, the same previews
    token = csrf_of(page)
    post_id = re.search(r'data-post="(\d+)"', page).group(1)  # type: ignore[union-attr]
    for text in ("A clear four-minute briefing", "A shorter blurb"):
        edited = desk.post(
            f"/desk/digests/{digest_id}/edit",
            data={"action": "blurb", "post_id": post_id, "text": text, "csrf": token},
        )
        assert edited.status_code == 303
        page, email = previews()
        assert page.count(text) >= 2  # the blurb's field and the thread's part
        assert text in email


def test_the_review_email_preview_links_to_an_unsubscribe_the_site_accepts(
    desk: TestClient, site: dict[str, int]
) -> None:
    for _ in range(2):  # the second look uses the key the worker keeps
        review = desk.get(f"/desk/digests/{site['draft']}").text
        preview = html.unescape(re.search(r'srcdoc="([^"]*)"', review).group(1))  # type: ignore[union-attr]
        link = re.search(r'href="[^"]*(/unsubscribe\?[^"]+)"', preview)
        assert link, preview[-2000:]
        page = desk.get(html.unescape(link.group(1)))
        assert page.status_code == 200
        assert "Stop sending the weekly digest to" in page.text


def test_the_digests_list_leaves_out_removed_items(desk: TestClient, site: dict[str, int]) -> None:
    digest_id = site["draft"]

    def listed_count() -> int:
        listing = desk.get("/desk/digests").text
        found = re.search(rf'<a href="[^"]*/desk/digests/{digest_id}">.*?<td>(\d+)</td></tr>', listing, re.S)
        assert found, listing
        return int(found.group(1))

    before = listed_count()
    assert before > 0
    page = desk.get(f"/desk/digests/{digest_id}").text
    post_id = re.search(r'data-post="(\d+)"', page).group(1)  # type: ignore[union-attr]
    removed = desk.post(
        f"/desk/digests/{digest_id}/edit",
        data={"action": "remove", "post_id": post_id, "text": "", "csrf": csrf_of(page)},
    )
    assert removed.status_code == 303
    assert listed_count() == before - 1
