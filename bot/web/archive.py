"""The public archive: published digests, browse pages for videos, tools and open questions, search,
share cards and Atom feeds. Every page reads one page of rows (see :mod:`storage.archive_queries`),
and an anonymous visitor's page is rendered once per archive fingerprint (see :mod:`bot.web.page_cache`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Engine
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from bot.config import Settings
from bot.jobs.digest import _item_view as digest_item
from bot.jobs.digest import digest_with_items
from bot.jobs.store import PostStore
from bot.web.archive_index import ArchiveIndex
from bot.web.card import render_card
from bot.web.feeds import ATOM_TYPE, FeedEntry, atom_feed, digest_entry, item_entry
from bot.web.page_cache import CachedPage, PageCache, cached_page, etag_matches
from bot.web.threads import BlockingHandler, in_thread
from bot.web.views import digest_summary, item_view, page_meta, sections_view
from bot.web.visitor import ANONYMOUS, is_anonymous
from digests.frozen import item_from_record
from digests.model import SECTION_TITLES, SECTIONS, Digest, DigestItem, Section
from digests.render.sanitize import safe_url
from storage import archive_queries as queries
from storage import digests as digest_repo
from storage import labels as label_repo
from storage import published, search
from storage.db import session_scope
from storage.models import Digest as DigestRow
from storage.models import DigestItemRow

FEED_SIZE = 20  # exemplars in a section's feed
DIGEST_FEED_SIZE = 10  # whole digests in the digests' feed: ten weeks
MAX_DIGESTS_A_PAGE = 10
MAX_PAGE = 100_000
MAX_ID = 2**63 - 1
BROWSE_TITLES: dict[Section, str] = {
    "video": "Curated videos",
    "tool": "Curated tools",
    "question": "Open questions",
}
CARD_CACHE = "public, max-age=86400"
# Archive pages may be kept by browsers and proxies, but checked every time: a removal shows at once.
SHARED_PAGE = "public, no-cache"
VISITOR_PAGE = "private, no-cache"  # the visitor has a session: its cookie may be set again
PERSONAL_PAGE = "private, no-store"  # a curator's page, or one with a message for this visitor


def archive_routes(
    engine: Engine,
    settings: Settings,
    store: PostStore,
    templates: Jinja2Templates,
    index: ArchiveIndex | None = None,
) -> list[Route]:
    base = settings.public_url
    size = settings.archive.page_size
    hashtag = settings.digest_hashtag
    archive_index = index or ArchiveIndex(engine, store)
    pages = PageCache(settings.archive.cached_pages)
    templates.env.globals["site_url"] = base

    def render(request: Request, template: str, context: dict[str, Any]) -> Response:
        if not is_anonymous(request):
            return templates.TemplateResponse(request, template, context)
        page = templates.get_template(template).render({**context, **ANONYMOUS, "request": request})
        return HTMLResponse(page)

    def cached(handler: BlockingHandler) -> BlockingHandler:
        """``handler``'s page, rendered once for everyone who is not signed in, until the archive
        changes."""

        def serve(request: Request) -> Response:
            fingerprint = archive_index.refresh()  # before the page reads anything
            if not is_anonymous(request):
                response = handler(request)
                response.headers["cache-control"] = PERSONAL_PAGE
                return response
            key = f"{request.scope.get('root_path', '')}{request.url.path}?{request.url.query}"
            page = pages.get(fingerprint, key)
            if page is None:
                response = handler(request)
                page = cached_page(bytes(response.body), response.headers["content-type"])
                pages.put(fingerprint, key, page)
            return page_response(request, page)

        return serve

    def index_page(request: Request) -> Response:
        number = page_number(request)
        with session_scope(engine) as session:
            page = queries.published_digests(session, number, min(size, MAX_DIGESTS_A_PAGE))
            counts = queries.section_counts(session, [row.id for row in page.rows])
        if not page.rows and number > 1:
            raise HTTPException(404, "No such page")
        digests = [digest_summary(row, counts[row.id]) for row in page.rows]
        meta = page_meta(
            base,
            request.url.path,
            title=f"#{hashtag} exemplar digests",
            description=f"Every week, the best videos, tools and open questions shared under #{hashtag}, "
            "chosen by curators.",
        )
        return render(
            request,
            "index.html",
            {"digests": digests, "page": pager(request, page), "meta": meta},
        )

    def digest_page(request: Request) -> Response:
        digest_id = path_id(request, "digest_id")
        with session_scope(engine) as session:
            row = queries.published_digest(session, digest_id)
            if row is None:
                raise HTTPException(404, "No such digest")
            [view] = digest_views(session, [row], store)  # as published
        sections = sections_view(view)
        summary = digest_summary(row, {s: len(view.section(s)) for s in SECTIONS})
        thumbnail = next(
            (safe_url(i.thumbnail) for i in view.section("video") if safe_url(i.thumbnail)), None
        )
        meta = page_meta(
            base,
            request.url.path,
            title=view.heading,
            description=" ".join(filter(None, [view.intro, summary["counts"] + "."])),
            image=thumbnail or f"{base}/digests/{digest_id}/card.png",
            kind="article",
        )
        return render(request, "digest.html", {"digest": view, "sections": sections, "meta": meta})

    def digest_card(request: Request) -> Response:
        digest_id = path_id(request, "digest_id")
        with session_scope(engine) as session:
            row = queries.published_digest(session, digest_id, with_items=False)
            if row is None:
                raise HTTPException(404, "No such digest")
            summary = digest_summary(row, queries.section_counts(session, [row.id])[row.id])
        png = render_card(f"#{hashtag}", summary["heading"], summary["counts"] or "Exemplar digest")
        return Response(png, media_type="image/png", headers={"cache-control": CARD_CACHE})

    def site_card(_request: Request) -> Response:
        png = render_card("Exemplar", f"#{hashtag} exemplars", "Videos, tools and open questions, weekly")
        return Response(png, media_type="image/png", headers={"cache-control": CARD_CACHE})

    def item_page(
        request: Request, filters: queries.ItemFilters
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        window = page_window(request)
        by_key = window.before is not None or window.after is not None
        if by_key and not filters.query:
            raise HTTPException(400, "before and after page through a search (give q)")
        with session_scope(engine) as session:
            page = queries.items(session, filters, window.number, size, window=window)
            entries = item_views(session, page.rows, store)
        if not page.rows and (window.number > 1 or by_key):
            raise HTTPException(404, "No such page")
        return entries, pager(request, page)

    def browse(request: Request) -> Response:
        section = request.path_params["section"]
        if section not in SECTIONS:
            raise HTTPException(404, "No such section")
        shown = {key: text_param(request, key) for key in ("q", "tag", "tool", "since", "answered")}
        tool = next((name for name in archive_index.tools if name.casefold() == shown["tool"].casefold()), "")
        filters = queries.ItemFilters(
            section=section,
            query=shown["q"],
            tag=shown["tag"].lstrip("#").lower(),
            tool=tool,
            since=since_param(shown["since"]),
            answered={"yes": True, "no": False}.get(shown["answered"]) if section == "question" else None,
        )
        entries: list[dict[str, Any]]
        if shown["tool"] and not tool:
            entries, page = [], pager(request, queries.Page([], page_window(request).number, False))
        else:
            entries, page = item_page(request, filters)
        title = BROWSE_TITLES[section]
        meta = page_meta(
            base,
            request.url.path,
            title=f"{title} · #{hashtag}",
            description=f"{SECTION_TITLES[section]} shared under #{hashtag}, chosen for its weekly digests.",
        )
        context = {
            "title": title,
            "section": section,
            "entries": entries,
            "filters": shown,
            "tool_choices": archive_index.tools if section == "tool" else [],
            "page": page,
            "meta": meta,
            "feed": f"{request.scope.get('root_path', '')}/feed/{section}.atom",
        }
        return render(request, "browse.html", context)

    def search_page(request: Request) -> Response:
        query = text_param(request, "q")
        entries, page = item_page(request, queries.ItemFilters(query=query))
        meta = page_meta(
            base,
            request.url.path,
            title=f"Search the #{hashtag} archive",
            description=f"Search every video, tool and open question published in #{hashtag} digests.",
        )
        return render(
            request, "search.html", {"query": query, "entries": entries, "page": page, "meta": meta}
        )

    def feed(_request: Request) -> Response:
        with session_scope(engine) as session:
            page = queries.published_digests(session, 1, DIGEST_FEED_SIZE)
            times = queries.publish_times(session, [row.id for row in page.rows])
            entries = [
                digest_entry(view, base, times[view.id])
                for view in digest_views(session, _with_items(session, page.rows), store)
            ]
        return atom_response(f"#{hashtag} exemplar digests", f"{base}/feed.atom", base, entries)

    def section_feed(request: Request) -> Response:
        section = request.path_params["section"]
        if section not in SECTIONS:
            raise HTTPException(404, "No such feed")
        with session_scope(engine) as session:
            page = queries.items(session, queries.ItemFilters(section=section), 1, FEED_SIZE)
            times = queries.publish_times(session, {row.digest_id for row in page.rows})
            shown = digest_items(session, page.rows, store)
            entries = [
                item_entry(item, row.digest_id, base, times[row.digest_id])
                for item, row in zip(shown, page.rows, strict=True)
            ]
        title = f"#{hashtag} · {SECTION_TITLES[section].lower()}"
        return atom_response(title, f"{base}/feed/{section}.atom", base, entries)

    return [
        Route("/", in_thread(cached(index_page)), name="index"),
        Route("/card.png", in_thread(site_card), name="site_card"),
        Route("/digests/{digest_id}", in_thread(cached(digest_page)), name="digest_page"),
        Route("/digests/{digest_id}/card.png", in_thread(digest_card), name="digest_card"),
        Route("/browse/{section}", in_thread(cached(browse)), name="browse"),
        Route("/search", in_thread(cached(search_page)), name="search"),
        Route("/feed.atom", in_thread(cached(feed)), name="feed"),
        Route("/feed/{section}.atom", in_thread(cached(section_feed)), name="section_feed"),
    ]


def page_response(request: Request, page: CachedPage) -> Response:
    """A kept page, or a bodiless 304 when the visitor's copy is this one."""
    headers = {
        "etag": page.etag,
        "cache-control": SHARED_PAGE if not request.cookies else VISITOR_PAGE,
        "vary": "Cookie",
    }
    if etag_matches(request.headers.get("if-none-match", ""), page.etag):
        return Response(status_code=304, headers=headers)
    return Response(page.body, headers={**headers, "content-type": page.content_type})


def atom_response(title: str, self_url: str, base: str, entries: list[FeedEntry]) -> Response:
    return Response(atom_feed(title, self_url, base, entries), media_type=ATOM_TYPE)


def _with_items(session: Any, rows: list[Any]) -> list[Any]:
    """The same digests with their items and posts loaded, in one statement per relationship."""
    loaded = {row.id: row for row in queries.digests_with_items(session, [row.id for row in rows])}
    return [loaded[row.id] for row in rows if row.id in loaded]


def digest_views(session: Any, rows: list[DigestRow], store: PostStore) -> list[Digest]:
    """Several stored digests (items and posts loaded) as views, their labels and answers read at once.

    A published digest shows its items as they were published (frozen), removed ones as removed."""
    frozen = published.frozen_items(session, [row.id for row in rows])
    live = {row.id: digest_repo.live_items(row) for row in rows if row.id not in frozen}
    shown = digest_items(session, [item for items in live.values() for item in items], store)
    by_digest: dict[int, list[DigestItem]] = {row.id: [] for row in rows}
    for item_row, item in zip((i for items in live.values() for i in items), shown, strict=True):
        by_digest[item_row.digest_id].append(item)
    for digest_id, items in frozen.items():
        by_digest[digest_id] = [item_from_record(item.record) for item in items]
    return [digest_with_items(row, by_digest[row.id]) for row in rows]


def digest_items(session: Any, rows: list[DigestItemRow], store: PostStore) -> list[Any]:
    """Digest items (posts loaded) as the renderers' :class:`~digests.model.DigestItem`."""
    ids = [row.post_id for row in rows]
    labels = label_repo.effective_labels(session, ids)
    answers = digest_repo.answers_of(session, ids)
    frozen = {
        (digest_id, item.post_uri): item.record
        for digest_id, items in published.frozen_items(session, {row.digest_id for row in rows}).items()
        for item in items
    }
    return [
        item_from_record(record)
        if (record := frozen.get((row.digest_id, row.post.uri))) is not None
        else digest_item(row, labels.get(row.post_id, []), answers.get(row.post_id, []), store)
        for row in rows
    ]


def item_views(session: Any, rows: list[DigestItemRow], store: PostStore) -> list[dict[str, Any]]:
    return [item_view(item) for item in digest_items(session, rows, store)]


def page_number(request: Request) -> int:
    """``?page=N`` (1 when absent); 400 when it is not a whole number, 404 when it cannot exist."""
    raw = request.query_params.get("page", "").strip()
    if not raw:
        return 1
    if not raw.isdecimal() or not raw.isascii():
        raise HTTPException(400, "page must be a whole number")
    if len(raw) > 7 or not 1 <= int(raw) <= MAX_PAGE:
        raise HTTPException(404, "No such page")
    return int(raw)


def path_id(request: Request, name: str) -> int:
    """A numeric id from the path; 404 unless it is one a database row can have."""
    raw = str(request.path_params[name])
    if not raw.isdecimal() or not raw.isascii() or len(raw) > 19 or not 0 < int(raw) <= MAX_ID:
        raise HTTPException(404, "Not found")
    return int(raw)


def text_param(request: Request, name: str, limit: int = 200) -> str:
    """A query parameter as safe text: control characters (NUL included) dropped, length capped."""
    value = request.query_params.get(name, "")
    return "".join(char for char in value if char.isprintable())[:limit].strip()


def since_param(value: str) -> datetime | None:
    """``YYYY-MM-DD`` as the start of that day in UTC; anything else is no filter."""
    try:
        day = date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None
    return datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None


def page_window(request: Request) -> queries.Window:
    """``?page=N``, or a search's ``?before=KEY`` / ``?after=KEY`` (archive keys, see
    :func:`storage.search.archive_key`); 400 for a key that is not one."""
    keys = {name: request.query_params.get(name, "").strip() for name in ("before", "after")}
    given = {name: raw for name, raw in keys.items() if raw}
    if not given:
        return queries.Window(number=page_number(request))
    if len(given) > 1:
        raise HTTPException(400, "give before or after, not both")
    [(name, raw)] = given.items()
    if not raw.isdecimal() or not raw.isascii() or len(raw) > 19 or int(raw) > search.MAX_KEY:
        raise HTTPException(400, f"{name} must be a page key from a link")
    return queries.Window(**{name: int(raw)})


def pager(request: Request, page: queries.Page[Any]) -> dict[str, Any]:
    """Links to the pages beside this one, keeping the other query parameters: by key for a search
    (``before`` the last row shown, ``after`` the first), by number otherwise."""
    kept = {
        key: value
        for key, value in request.query_params.items()
        if key not in ("page", "before", "after") and value
    }

    def link(**extra: str) -> str:
        params = {**kept, **extra}
        return f"{request.url.path}?{urlencode(params)}" if params else request.url.path

    if page.keys:
        return {
            "number": page.number,
            "previous": link(after=str(page.keys[0])) if page.has_previous else None,
            "next": link(before=str(page.keys[-1])) if page.has_next else None,
        }
    number = page.number or 1
    previous = None
    if number > 1:
        previous = link(page=str(number - 1)) if number > 2 else link()
    return {
        "number": page.number,
        "previous": previous,
        "next": link(page=str(number + 1)) if page.has_next else None,
    }
