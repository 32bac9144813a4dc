"""Link resolution against a real local HTTP server: redirects, OpenGraph, oEmbed, budgets, hostile links."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from mastodon_mock.testing import MockServer
from sqlalchemy import Engine, select

from bot.config import LinkSettings
from bot.jobs.collect import CollectOptions, Collector
from bot.jobs.links import LinkCache, known_link_test
from bot.jobs.store import PostStore
from bot.links import LinkResolver
from bot.networks.mastodon.normalise import normalise_status
from storage import labels as label_repo
from storage.db import session_scope
from storage.models import LinkInfo
from storage.models import Post as PostRow
from tests.conftest import source_for
from tests.payloads import status, url_link

VIDEO_PAGE = (
    b'<html><head><meta property="og:type" content="video.other">'
    b'<meta property="og:site_name" content="ClipHost">'
    b'<meta property="og:title" content="Our flipped meeting">'
    b"</head><body>video</body></html>"
)
OEMBED_PAGE = (
    b'<html><head><link rel="alternate" type="application/json+oembed" href="/oembed.json">'
    b"<title>Clip</title></head></html>"
)
# Word-pasted and made-up marked sections, which html.parser gives up on, before the OpenGraph.
MARKED_PAGE = (
    b"<html><head><![if !supportLists]><![endif]><![foo[ x ]]><![ y >"
    b'<meta property="og:type" content="video.other"><title>Pasted</title></head></html>'
)
HUGE_PAGE = (
    b"<html><head>" + b"<!-- padding -->" * 100_000 + b'<meta property="og:type" content="video"></head>'
)


class Site(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, Callable[[BaseHTTPRequestHandler], None]]] = {}

    def do_GET(self) -> None:
        handler = self.routes.get(self.path)
        if handler is None:
            self.send_response(404)
            self.end_headers()
            return
        handler(self)

    def log_message(self, *_args: object) -> None:
        return None


def redirect(to: str) -> Callable[[BaseHTTPRequestHandler], None]:
    def handle(request: BaseHTTPRequestHandler) -> None:
        request.send_response(301)
        request.send_header("Location", to)
        request.end_headers()

    return handle


def page(
    body: bytes, content_type: str = "text/html; charset=utf-8", delay: float = 0
) -> Callable[..., None]:
    def handle(request: BaseHTTPRequestHandler) -> None:
        time.sleep(delay)
        request.send_response(200)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        # The resolver hangs up once it has read enough, as it should.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            request.wfile.write(body)

    return handle


Site.routes = {
    "/s/abc": redirect("/go/abc"),
    "/go/abc": redirect("/watch/abc"),
    "/watch/abc": page(VIDEO_PAGE),
    "/loop": redirect("/loop"),
    "/slow": page(VIDEO_PAGE, delay=4),
    "/huge": page(HUGE_PAGE),
    "/marked": page(MARKED_PAGE),
    "/clip.mp4": page(b"\x00" * 100, "video/mp4"),
    "/clip": page(OEMBED_PAGE),
    "/oembed.json": page(b'{"type": "video", "version": "1.0"}', "application/json"),
    "/article": page(b'<html><head><meta property="og:type" content="article"></head></html>'),
}


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def resolver() -> Iterator[LinkResolver]:
    links = LinkResolver(
        LinkSettings(timeout=1.5, max_bytes=65_536, max_redirects=3, allow_private_addresses=True)
    )
    yield links
    links.close()


def test_redirects_are_followed_to_the_page_and_its_open_graph_read(
    site: str, resolver: LinkResolver
) -> None:
    result = resolver.resolve(f"{site}/s/abc")
    assert result.error is None
    assert result.final_url == f"{site}/watch/abc"
    assert (result.og_type, result.site_name, result.title) == (
        "video.other",
        "ClipHost",
        "Our flipped meeting",
    )


def test_marked_sections_html_parser_gives_up_on_are_read_past(site: str, resolver: LinkResolver) -> None:
    result = resolver.resolve(f"{site}/marked")
    assert result.error is None
    assert (result.og_type, result.title) == ("video.other", "Pasted")


def test_oembed_type_is_read_when_there_is_no_open_graph(site: str, resolver: LinkResolver) -> None:
    assert resolver.resolve(f"{site}/clip").og_type == "video"


def test_a_direct_video_file(site: str, resolver: LinkResolver) -> None:
    assert resolver.resolve(f"{site}/clip.mp4").og_type == "video"


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("/loop", "more than 3 redirects"),
        ("/slow", "no answer within 1.5 s"),
        ("/missing", "HTTP 404"),
    ],
)
def test_hostile_or_broken_links_are_reported_not_raised(
    site: str, resolver: LinkResolver, path: str, error: str
) -> None:
    began = time.monotonic()
    result = resolver.resolve(f"{site}{path}")
    assert result.error is not None
    assert error in result.error
    assert time.monotonic() - began < 3.5


def test_reading_stops_at_the_size_cap(site: str, resolver: LinkResolver) -> None:
    result = resolver.resolve(f"{site}/huge")
    assert result.error is None
    assert result.og_type is None  # the tag sits past the first 64 KiB


def test_private_addresses_and_other_schemes_are_refused_by_default(site: str) -> None:
    strict = LinkResolver(LinkSettings())
    try:
        assert strict.resolve(f"{site}/s/abc").error == "refused: the link points into a private network"
        assert strict.resolve("ftp://files.example/a").error == "not a web link"
        assert strict.resolve("javascript:alert(1)").error == "not a web link"
    finally:
        strict.close()


def test_collect_resolves_unknown_links_and_labels_with_what_it_learned(
    site: str, instance: MockServer, sqlite_engine: Engine, make_collector: Callable[..., Collector]
) -> None:
    maria = instance.client("maria")
    maria.status_post(f"Our flipped meeting, watch before Thursday: {site}/s/abc #fliplead")
    maria.status_post(f"Background reading: {site}/article #fliplead")
    maria.status_post(f"This one never answers: {site}/slow #fliplead")
    maria.status_post("Known host, nothing to resolve: https://youtu.be/Xc4ZsXq1a2Y #fliplead")
    settings = LinkSettings(timeout=1.5, allow_private_addresses=True)
    collector = make_collector()
    store = PostStore()
    resolver = LinkResolver(settings)
    collector.links = LinkCache(
        engine=sqlite_engine,
        resolver=resolver,
        settings=settings,
        is_known=known_link_test(store.catalogue),
        clock=lambda: datetime.now(UTC),
    )
    try:
        [summary] = collector.collect((source_for(instance),), CollectOptions())
    finally:
        resolver.close()

    assert summary.ok
    assert collector.links.resolved == 3
    with session_scope(sqlite_engine) as session:
        cached = {row.url: row for row in session.scalars(select(LinkInfo))}
        assert set(cached) == {f"{site}/s/abc", f"{site}/article", f"{site}/slow"}
        assert cached[f"{site}/slow"].error is not None
        rows = {row.text.split(":")[0]: row.id for row in session.scalars(select(PostRow))}
        labels = label_repo.effective_labels(session, list(rows.values()))
    video_post = labels[rows["Our flipped meeting, watch before Thursday"]]
    assert [label.name for label in video_post] == ["video"]
    assert rows["Background reading"] not in labels


def test_the_per_run_budget_caps_resolution(site: str, sqlite_engine: Engine) -> None:
    settings = LinkSettings(timeout=1.5, allow_private_addresses=True, max_links_per_run=2)
    resolver = LinkResolver(settings)
    cache = LinkCache(sqlite_engine, resolver, settings, lambda _url: False, lambda: datetime.now(UTC))
    posts = [
        normalise_status(status(str(n), content=f"<p>{url_link(f'{site}/article?n={n}')}</p>"))
        for n in range(5)
    ]
    try:
        assert cache.resolve_missing(posts) == 2
        assert cache.resolve_missing(posts) == 0
    finally:
        resolver.close()
