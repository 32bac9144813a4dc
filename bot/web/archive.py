"""The public archive: published digests, browse pages for videos and tools, and an Atom feed."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree

from markupsafe import escape
from sqlalchemy import Engine, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from bot.config import Settings
from bot.jobs.digest import digest_view
from bot.jobs.store import PostStore
from bot.public_urls import public_base
from bot.web.views import digest_summary, item_view, sections_view
from digests.model import Digest
from digests.render.sanitize import safe_html, safe_url
from storage import digests as digest_repo
from storage.db import session_scope
from storage.models import Digest as DigestRow
from storage.models import PostTag

ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = 20


def archive_routes(
    engine: Engine, settings: Settings, store: PostStore, templates: Jinja2Templates
) -> list[Route]:
    def published(limit: int | None = None) -> list[Digest]:
        with session_scope(engine) as session:
            rows = digest_repo.list_digests(session, statuses=("published",), limit=limit)
            return [digest_view(session, row, store) for row in rows]

    async def index(request: Request) -> Response:
        digests = [digest_summary(d) for d in published()]
        return templates.TemplateResponse(request, "index.html", {"digests": digests})

    async def digest_page(request: Request) -> Response:
        digest_id = int(request.path_params["digest_id"])
        with session_scope(engine) as session:
            row = session.get(DigestRow, digest_id)
            if row is None or row.status != "published":
                raise HTTPException(404, "No such digest")
            view = digest_view(session, row, store)
        return templates.TemplateResponse(
            request, "digest.html", {"digest": view, "sections": sections_view(view)}
        )

    async def browse(request: Request) -> Response:
        section = request.path_params["section"]
        query = request.query_params
        filters = {key: query.get(key, "").strip() for key in ("q", "tag", "tool", "since")}
        entries = []
        digests = published()
        items = [item for digest in digests for item in digest.section(section)]
        tagged = _tags_of(engine, [item.post_id for item in items]) if filters["tag"] else {}
        since = _date(filters["since"])
        for item in items:
            if since and item.created_at < since:
                continue
            if filters["q"] and filters["q"].lower() not in f"{item.text} {item.author_name}".lower():
                continue
            if filters["tool"] and filters["tool"] not in item.tool_names:
                continue
            if filters["tag"] and filters["tag"].lstrip("#").lower() not in tagged.get(item.post_id, set()):
                continue
            entries.append(item_view(item))
        tool_choices = sorted({name for d in digests for i in d.section("tool") for name in i.tool_names})
        title = {"video": "Curated videos", "tool": "Curated tools"}[section]
        context = {
            "title": title,
            "section": section,
            "entries": entries,
            "filters": filters,
            "tool_choices": tool_choices,
        }
        return templates.TemplateResponse(request, "browse.html", context)

    async def feed(request: Request) -> Response:
        return Response(
            atom_feed(
                published(FEED_SIZE), public_base(settings, str(request.base_url)), settings.digest_hashtag
            ),
            media_type="application/atom+xml",
        )

    return [
        Route("/", index, name="index"),
        Route("/digests/{digest_id:int}", digest_page, name="digest_page"),
        Route("/browse/{section:str}", browse, name="browse"),
        Route("/feed.atom", feed, name="feed"),
    ]


def atom_feed(digests: list[Digest], base_url: str, hashtag: str) -> bytes:
    """An Atom 1.0 feed of published digests, each entry linking to its page. Pure."""
    base = base_url.rstrip("/")
    ElementTree.register_namespace("", ATOM)
    feed = ElementTree.Element(f"{{{ATOM}}}feed")

    def add(
        parent: ElementTree.Element, tag: str, text: str | None = None, **attrs: str
    ) -> ElementTree.Element:
        element = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        element.text = text
        return element

    add(feed, "title", f"#{hashtag} exemplar digests")
    add(feed, "id", f"{base}/feed.atom")
    add(feed, "link", href=f"{base}/feed.atom", rel="self")
    add(feed, "link", href=f"{base}/")
    updated = max((d.period_end for d in digests), default=datetime(2026, 1, 1, tzinfo=UTC))
    add(feed, "updated", updated.astimezone(UTC).isoformat())
    add(add(feed, "author"), "name", "Exemplar")
    for digest in digests:
        entry = add(feed, "entry")
        url = f"{base}/digests/{digest.id}"
        add(entry, "title", digest.heading)
        add(entry, "id", url)
        add(entry, "link", href=url)
        add(entry, "updated", digest.period_end.astimezone(UTC).isoformat())
        summary = digest_summary(digest)
        add(entry, "summary", (digest.intro + " " if digest.intro else "") + summary["counts"])
        content = "".join(
            f'<p><a href="{escape(safe_url(i.url) or "")}">{escape(i.author_name)}</a>: '
            f"{safe_html(i.html)}</p>"
            for i in digest.items
        )
        add(entry, "content", safe_html(content), type="html")
    document: bytes = ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document


def _tags_of(engine: Engine, post_ids: list[int]) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    with session_scope(engine) as session:
        rows = session.execute(select(PostTag.post_id, PostTag.tag).where(PostTag.post_id.in_(post_ids)))
        for post_id, tag in rows:
            found.setdefault(post_id, set()).add(tag)
    return found


def _date(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC) if value else None
    except ValueError:
        return None
