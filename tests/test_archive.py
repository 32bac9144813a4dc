"""The public archive, request by request, on a real SQLite file and on PostgreSQL: search that folds
accents and case, the open-questions page, pagination, share cards, feeds read by feedparser, and no
500 whatever the path or query."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

import feedparser
import pytest
from PIL import Image
from sqlalchemy import Engine, event
from starlette.routing import Route
from starlette.testclient import TestClient

from bot.config import ConfigError
from bot.jobs.store import PostStore
from bot.web.app import create_app
from storage.repository import SeenThrough
from storage.search import fold, query_words
from tests.archive_site import PUBLIC_URL, archive_settings, post, publish_week, week_start

OLDER, NEWER = week_start(2), week_start(1)
PUBLISHED_OLDER = OLDER + timedelta(days=8, hours=9, minutes=17)
PUBLISHED_NEWER = NEWER + timedelta(days=8, hours=10, minutes=3)


def older_week() -> list[dict[str, Any]]:
    at = OLDER + timedelta(days=2)
    return [
        post("101", "Nuestro vídeo de la reunión de claustro", user="maria", name="María López",
             created=at, link="https://youtu.be/Xc4ZsXq1a2Y"),
        post("102", "O VÍDEO da nossa reunião pedagógica", user="joao", name="João Silva",
             created=at, link="https://vimeo.com/812345601"),
        post("103", "Une Vidéo de notre réunion inversée", user="claire", name="Claire Dubois",
             created=at, link="https://youtu.be/Bb3kQ9wXz0A"),
        post("104", "We gather staff questions beforehand with this form, and a rubric for the answers",
             user="sam", name="Sam Okafor", created=at, link="https://forms.gle/AbCdEf12345"),
        post("105", "Anyone tried flipping a whole-staff INSET day? Tips welcome!", user="lee",
             name="Lee Chen", created=at),
    ]  # fmt: skip


def newer_week() -> list[dict[str, Any]]:
    at = NEWER + timedelta(days=3)
    return [
        post("201", "Vídeos cortos para familias", user="ana", name="Ana Pérez", created=at,
             link="https://youtu.be/Dd4mR7tYu1B"),
        post("202", "Our new video explainer for parents", user="ben", name="Ben Ode", created=at,
             link="https://youtu.be/Ee5nS8uZv2C"),
        post("203", "Our Menti poll opened the meeting", user="maria", name="María López", created=at,
             link="https://menti.com/al2b3c4d5e"),
        post("204", "How do you keep flipped meetings short? Any advice?", user="kim", name="Kim Park",
             created=at),
        post("205", "Rubric, rubric, rubric: our rubric bank on Padlet", user="noor", name="Noor Haddad",
             created=at, link="https://padlet.com/noor/rubrics"),
    ]  # fmt: skip


@pytest.fixture
def archive(engine: Engine) -> dict[str, int]:
    settings = archive_settings()
    older = publish_week(
        engine,
        settings,
        older_week(),
        start=OLDER,
        published_at=PUBLISHED_OLDER,
        answers={
            "105": [("Ana Pérez", "https://school.example/@ana/900"), ("Ben Ode", "https://x.example/@ben/7")]
        },
    )
    newer = publish_week(engine, settings, newer_week(), start=NEWER, published_at=PUBLISHED_NEWER)
    return {"older": older, "newer": newer}


def client_for(engine: Engine, **settings: Any) -> TestClient:
    app = create_app(engine, lambda: datetime.now(UTC), archive_settings(**settings), PostStore())
    return TestClient(app, follow_redirects=False)


@pytest.fixture
def client(engine: Engine) -> TestClient:
    return client_for(engine)


def authors(html: str) -> list[str]:
    """The authors of the items on a page, in order."""
    return re.findall(r'<div class="item" id="item-\d+">\s*<p><strong>(?:<a href="[^"]*">)?([^<]+)<', html)


def test_a_bad_public_url_names_the_key() -> None:
    with pytest.raises(ConfigError, match=r"archive\.public_url.*not an http\(s\) URL"):
        archive_settings(public_url="archive.school.example")


def test_fold_is_accent_and_case_blind() -> None:
    assert fold("VÍDEO vidéo Vídeos") == "video video videos"
    assert fold("Ærø Œuvre ŁÓDŹ straße İstanbul") == "aero oeuvre lodz strasse istanbul"
    assert fold("padlet.com/r/q, foo_bar") == "padlet com r q foo bar"
    assert query_words('"* NEAR( a OR b) col:val ^x') == ["near", "a", "or", "b", "col", "val", "x"]


def test_search_folds_accents_and_case_and_finds_authors_and_tools(
    client: TestClient, archive: dict[str, int]
) -> None:
    for query in ("video", "VIDEO", "vídeo", "Vidéo"):
        found = authors(client.get("/search", params={"q": query}).text)
        assert sorted(found) == ["Ana Pérez", "Ben Ode", "Claire Dubois", "João Silva", "María López"], query
    videos = authors(client.get("/browse/video", params={"q": "video"}).text)
    assert len(videos) == 5
    assert authors(client.get("/browse/tool", params={"q": "video"}).text) == []
    # Authors by name, without their accents.
    assert sorted(authors(client.get("/search", params={"q": "lopez"}).text)) == ["María López"] * 2
    # A tool's name finds the posts that use it, even when they only link to it.
    assert authors(client.get("/search", params={"q": "google forms"}).text) == ["Sam Okafor"]
    assert authors(client.get("/search", params={"q": "mentimeter"}).text) == ["María López"]
    # Ranked: the post all about rubrics comes before the one that mentions a rubric once.
    assert authors(client.get("/search", params={"q": "rubric"}).text) == ["Noor Haddad", "Sam Okafor"]
    assert "Nothing matches." in client.get("/search", params={"q": "zebra"}).text


def test_the_tool_filter_and_choices_come_from_what_is_published(
    client: TestClient, archive: dict[str, int]
) -> None:
    page = client.get("/browse/tool").text
    assert "<option>Google Forms</option>" in page
    assert "<option>Mentimeter</option>" in page
    assert authors(client.get("/browse/tool", params={"tool": "mentimeter"}).text) == ["María López"]
    assert authors(client.get("/browse/tool", params={"tool": "No such tool"}).text) == []


def test_open_questions_show_who_answered(client: TestClient, archive: dict[str, int]) -> None:
    page = client.get("/browse/question")
    assert page.status_code == 200
    assert authors(page.text) == ["Kim Park", "Lee Chen"]
    assert (
        'Answered by <a href="https://school.example/@ana/900">Ana Pérez</a>, '
        '<a href="https://x.example/@ben/7">Ben Ode</a>.' in page.text
    )
    assert page.text.count("Not answered yet.") == 1
    assert authors(client.get("/browse/question", params={"answered": "yes"}).text) == ["Lee Chen"]
    assert authors(client.get("/browse/question", params={"answered": "no"}).text) == ["Kim Park"]
    assert 'href="/browse/question"' in client.get("/").text


def test_replies_collected_in_a_question_thread_credit_who_answered(engine: Engine) -> None:
    start = week_start(1)
    at = start + timedelta(days=1)
    question = post("501", "Anyone tried flipping parents' evenings? Tips welcome!", user="lee",
                    name="Lee Chen", created=at)  # fmt: skip
    reply = post("502", "We did: ten-minute video first, then questions.", user="ana", name="Ana Pérez",
                 created=at + timedelta(hours=3), in_reply_to_id="501")  # fmt: skip
    own = post("503", "Thanks, will try!", user="lee", name="Lee Chen", created=at + timedelta(hours=4),
               in_reply_to_id="501")  # fmt: skip
    elsewhere = post("504", "Unrelated reply", user="ben", name="Ben Ode", created=at, in_reply_to_id="999")
    seen = SeenThrough("https://mastodon.social", "fliplead")
    publish_week(engine, archive_settings(), [question, reply, own, elsewhere], start=start,
                 published_at=at + timedelta(days=7), seen=seen)  # fmt: skip
    page = client_for(engine).get("/browse/question").text
    assert authors(page) == ["Lee Chen"]
    assert 'Answered by <a href="https://mastodon.social/@ana/502">Ana Pérez</a>.' in page


def test_unknown_sections_and_ids_are_404(client: TestClient, archive: dict[str, int]) -> None:
    for path in (
        "/browse/questions",
        "/browse/Video",
        "/browse/%00",
        f"/digests/{2**64}",
        f"/digests/{2**63}",
        "/digests/0",
        "/digests/abc",
        "/digests/1e3",
        "/digests/%D9%A1",
        "/feed/people.atom",
        f"/remove/{2**70}",
        "/remove/abc",
    ):
        assert client.get(path).status_code == 404, path


def test_index_and_browse_pages_are_paginated_in_a_stable_order(engine: Engine) -> None:
    settings = archive_settings(page_size=2)
    ids = []
    for weeks_ago in range(5, 0, -1):
        start = week_start(weeks_ago)
        at = start + timedelta(days=1)
        statuses = [
            post(f"{weeks_ago}{n}", f"Our staff video number {n}", user=f"lead{weeks_ago}{n}",
                 name=f"Leader {weeks_ago}.{n}", created=at, link=f"https://youtu.be/Xc4ZsXq1a{weeks_ago}{n}")
            for n in range(2)
        ]  # fmt: skip
        ids.append(publish_week(engine, settings, statuses, start=start, published_at=at + timedelta(days=7)))
    client = client_for(engine, page_size=2)

    def digest_links(html: str) -> list[int]:
        return [int(found) for found in re.findall(r'<h2><a href="/digests/(\d+)">', html)]

    pages = [client.get("/", params={"page": n} if n > 1 else {}) for n in (1, 2, 3)]
    assert [page.status_code for page in pages] == [200, 200, 200]
    shown = [digest_links(page.text) for page in pages]
    assert shown == [ids[::-1][0:2], ids[::-1][2:4], ids[::-1][4:5]]
    assert 'rel="next" href="/?page=2"' in pages[0].text
    assert 'rel="prev" href="/"' in pages[1].text
    assert 'rel="next"' not in pages[2].text
    assert client.get("/", params={"page": 4}).status_code == 404

    seen: list[str] = []
    for number in range(1, 6):
        page = client.get("/browse/video", params={"page": number, "tag": "fliplead"})
        assert page.status_code == 200
        seen += authors(page.text)
        if number < 5:
            assert f'href="/browse/video?tag=fliplead&amp;page={number + 1}"' in page.text
    assert len(seen) == len(set(seen)) == 10
    assert seen[:2] == ["Leader 1.0", "Leader 1.1"] or seen[:2] == ["Leader 1.1", "Leader 1.0"]
    assert client.get("/browse/video", params={"page": 6}).status_code == 404
    again = [a for n in range(1, 6) for a in authors(client.get("/browse/video", params={"page": n}).text)]
    assert again == seen
    assert client.get("/browse/video", params={"page": "two"}).status_code == 400
    assert client.get("/browse/video", params={"page": "0"}).status_code == 404
    assert client.get("/browse/video", params={"page": str(2**70)}).status_code == 404


class MetaTags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        key = values.get("property") or values.get("name")
        if tag == "meta" and key and values.get("content") is not None:
            self.tags[key] = str(values["content"])


def meta_of(html: str) -> dict[str, str]:
    parser = MetaTags()
    parser.feed(html)
    return parser.tags


def test_every_page_has_share_card_tags(client: TestClient, archive: dict[str, int]) -> None:
    paths = [
        "/",
        "/browse/video",
        "/browse/tool",
        "/browse/question",
        "/search?q=video",
        f"/digests/{archive['older']}",
        f"/digests/{archive['newer']}",
        "/login",
    ]
    for path in paths:
        page = client.get(path, headers={"host": "evil.example"})
        assert page.status_code == 200, path
        tags = meta_of(page.text)
        for key in (
            "description",
            "og:title",
            "og:description",
            "og:url",
            "og:image",
            "og:type",
            "twitter:card",
            "twitter:title",
            "twitter:description",
            "twitter:image",
        ):
            assert tags.get(key), (path, key)
        assert tags["og:url"].startswith(PUBLIC_URL), path
        assert "evil.example" not in page.text, path
    digest = meta_of(client.get(f"/digests/{archive['older']}").text)
    assert digest["og:type"] == "article"
    assert digest["og:title"].startswith("#fliplead exemplars")
    assert "videos" in digest["og:description"].lower()
    assert digest["og:image"].startswith("https://")


def test_a_digest_without_a_picture_gets_a_generated_card(engine: Engine) -> None:
    settings = archive_settings()
    start = week_start(1)
    at = start + timedelta(days=1)
    question = post("301", "Anyone tried flipping parents' evenings? Tips welcome!", user="lee",
                    name="Lee Chen", created=at)  # fmt: skip
    digest_id = publish_week(engine, settings, [question], start=start, published_at=at + timedelta(days=7))
    client = client_for(engine)
    tags = meta_of(client.get(f"/digests/{digest_id}").text)
    assert tags["og:image"] == f"{PUBLIC_URL}/digests/{digest_id}/card.png"
    card = client.get(f"/digests/{digest_id}/card.png")
    assert card.status_code == 200
    assert card.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(card.content))
    assert (image.format, image.size) == ("PNG", (1200, 630))
    assert client.get("/card.png").headers["content-type"] == "image/png"
    assert client.get(f"/digests/{digest_id + 1}/card.png").status_code == 404


FEEDS = ["/feed.atom", "/feed/video.atom", "/feed/tool.atom", "/feed/question.atom"]


@pytest.mark.parametrize("path", FEEDS)
def test_feeds_parse_and_come_from_the_public_url(
    client: TestClient, archive: dict[str, int], path: str
) -> None:
    response = client.get(path, headers={"host": "forged.example", "x-forwarded-host": "forged.example"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert b"forged.example" not in response.content
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.id == f"{PUBLIC_URL}{path}"
    assert parsed.entries
    publish_times = {PUBLISHED_OLDER.replace(second=0), PUBLISHED_NEWER.replace(second=0)}
    for entry in parsed.entries:
        assert entry.id.startswith(f"{PUBLIC_URL}/digests/")
        assert entry.link.startswith(f"{PUBLIC_URL}/digests/")
        stamp = datetime(*entry.updated_parsed[:6], tzinfo=UTC)
        assert stamp.replace(second=0) in publish_times
        assert "<script" not in entry.content[0].value
    again = feedparser.parse(client.get(path).content)
    assert [e.id for e in again.entries] == [e.id for e in parsed.entries]


def test_section_feeds_hold_their_section_newest_first(client: TestClient, archive: dict[str, int]) -> None:
    videos = feedparser.parse(client.get("/feed/video.atom").content)
    assert len(videos.entries) == 5
    assert [e.author for e in videos.entries[:2]] in (["Ana Pérez", "Ben Ode"], ["Ben Ode", "Ana Pérez"])
    digests = feedparser.parse(client.get("/feed.atom").content)
    assert [e.link for e in digests.entries] == [
        f"{PUBLIC_URL}/digests/{archive['newer']}",
        f"{PUBLIC_URL}/digests/{archive['older']}",
    ]
    questions = feedparser.parse(client.get("/feed/question.atom").content)
    assert any("Ana Pérez" in e.content[0].value for e in questions.entries)
    page = client.get("/browse/question").text
    assert 'href="/feed/question.atom"' in page


HOSTILE_SEGMENTS = [
    "0",
    "-1",
    "1",
    str(2**63),
    str(2**64),
    "9" * 40,
    "abc",
    "1e3",
    "%D9%A1%D9%A2",
    "%00",
    "%FF",
    "..%2F..%2Fetc",
    "%3Cscript%3E",
    "video",
    "question",
    "'%20OR%201=1--",
]
HOSTILE_VALUES = [
    "\x00",
    "%00",
    "'; DROP TABLE posts; --",
    '"*',
    "NEAR(a b)",
    "a OR b AND",
    "col:val",
    "^x",
    "-1",
    "0",
    str(2**64),
    "2026-13-45",
    "0001-01-01",
    "9999-12-31",
    "\ufffe",
    "é" * 600,
    "<script>alert(1)</script>",
    "",
]
QUERY_KEYS = ["q", "tag", "tool", "since", "answered", "page", "state", "code", "email", "token", "next"]


def public_routes(client: TestClient) -> list[Route]:
    routes = [route for route in client.app.routes if isinstance(route, Route)]  # type: ignore[attr-defined]
    return [r for r in routes if not r.path.startswith(("/desk", "/login", "/logout"))]


def test_no_public_url_answers_500_whatever_its_path_and_query(
    client: TestClient, archive: dict[str, int]
) -> None:
    client = TestClient(client.app, follow_redirects=False, raise_server_exceptions=False)
    tried = 0
    for route in public_routes(client):
        params = re.findall(r"{(\w+)(?::\w+)?}", route.path)
        segments = [*HOSTILE_SEGMENTS, str(archive["older"])] if params else [""]
        for n, segment in enumerate(segments):
            path = re.sub(r"{\w+(?::\w+)?}", segment, route.path)
            value = HOSTILE_VALUES[n % len(HOSTILE_VALUES)]
            query = "&".join(f"{key}={quote(value, safe='')}" for key in QUERY_KEYS)
            for method in sorted(route.methods or {"GET"}):
                if method == "HEAD":
                    continue
                if method == "POST":
                    response = client.post(
                        path, data=dict.fromkeys([*QUERY_KEYS, "csrf", "everything"], value)
                    )
                else:
                    response = client.get(f"{path}?{query}")
                    # Bytes that are not UTF-8 at all, as a raw query string.
                    raw = "&".join(f"{key}=%ED%A0%80%FF" for key in QUERY_KEYS)
                    assert client.get(f"{path}?{raw}").status_code < 500, (path, raw)
                tried += 1
                assert response.status_code < 500, (method, path, value, response.text[:300])
    assert tried > 100


def count_statements(engine: Engine, client: TestClient, paths: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    current = {"n": 0}

    def count(*_args: object) -> None:
        current["n"] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        for path in paths:
            assert client.get(path).status_code == 200, path  # warm: the index catches up once
            current["n"] = 0
            assert client.get(path).status_code == 200, path
            counts[path] = current["n"]
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return counts


def test_pages_cost_the_same_number_of_statements_however_big_the_archive(engine: Engine) -> None:
    settings = archive_settings(page_size=5)

    def week(weeks_ago: int) -> int:
        start = week_start(weeks_ago)
        at = start + timedelta(days=1)
        statuses = [
            post(
                f"{weeks_ago}0{n}", words, user=f"u{weeks_ago}x{n}", name=f"Leader {n}", created=at, link=link
            )
            for n, (words, link) in enumerate(
                [
                    ("Our staff video", f"https://youtu.be/Xc4ZsXq1b{weeks_ago:02d}"),
                    ("Another staff video", f"https://vimeo.com/81234{weeks_ago:04d}"),
                    ("Questions on a wall", f"https://padlet.com/s/{weeks_ago}"),
                    ("Anyone tried flipping INSET? Tips welcome!", None),
                ]
            )
        ]
        return publish_week(engine, settings, statuses, start=start, published_at=at + timedelta(days=7))

    first, _second = week(30), week(29)
    paths = lambda: [  # noqa: E731
        "/",
        "/browse/video",
        "/browse/tool",
        "/browse/question",
        "/search?q=staff",
        f"/digests/{first}",
        "/feed.atom",
        "/feed/video.atom",
    ]
    client = client_for(engine, page_size=5)
    small = count_statements(engine, client, paths())
    for weeks_ago in range(28, 16, -1):
        week(weeks_ago)
    big = count_statements(engine, client_for(engine, page_size=5), paths())
    assert big == small
