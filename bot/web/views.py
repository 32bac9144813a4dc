"""What pages show: digests and posts turned into template data, every untrusted part made safe."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol, cast
from urllib.parse import urlsplit
from weakref import WeakKeyDictionary
from zoneinfo import ZoneInfo

from jinja2 import pass_context
from markupsafe import Markup
from starlette.requests import Request
from starlette.routing import BaseRoute, NoMatchFound, Route

from digests.model import SECTION_TITLES, SECTIONS, Digest, DigestItem
from digests.render.sanitize import safe_html, safe_url
from storage.labels import EffectiveLabel
from storage.models import Digest as DigestRow


def item_view(item: DigestItem) -> dict[str, Any]:
    """One exemplar for a page; its HTML sanitised, its links limited to http(s)."""
    video = None
    if item.section == "video":
        link = safe_url(item.card_url) or next((safe_url(u) for u in item.links if safe_url(u)), None)
        video = {
            "url": link or safe_url(item.url),
            "provider": (urlsplit(link).hostname or "").removeprefix("www.") if link else "attached video",
            "title": item.card_title,
            "thumbnail": safe_url(item.thumbnail),
            "length": _length(item.duration_seconds),
        }
    tool_link = (
        next((safe_url(u) for u in item.links if safe_url(u)), None) if item.section == "tool" else None
    )
    return {
        "post_id": item.post_id,
        "section": item.section,
        "section_title": SECTION_TITLES[item.section],
        "author_name": item.author_name or "Someone",
        "author_url": safe_url(item.author_url),
        "url": safe_url(item.url),
        "created_at": item.created_at.strftime("%d %b %Y"),
        "blurb": item.blurb,
        "spoiler_text": item.spoiler_text,
        "html": Markup(safe_html(item.html)),  # sanitised by nh3 just here
        "pinned": item.pinned,
        "reason": item.reason,
        "tools": ", ".join(item.tool_names) if item.section == "tool" else "",
        "tool_link": tool_link,
        "video": video,
        "answers": [{"name": a.name, "url": url} for a in item.answers if (url := safe_url(a.url))],
        "removed": item.removed,
    }


def sections_view(digest: Digest) -> list[dict[str, Any]]:
    return [
        {
            "name": section,
            "title": SECTION_TITLES[section],
            "entries": [item_view(i) for i in digest.section(section)],
        }
        for section in SECTIONS
        if digest.section(section)
    ]


def digest_summary(row: DigestRow, counts: Mapping[str, int]) -> dict[str, Any]:
    """A stored digest in a list: its heading, intro and how many items each section has."""
    zone = ZoneInfo(row.timezone)
    heading = Digest(
        id=row.id,
        status=cast(Any, row.status),
        period_start=row.period_start.astimezone(zone),
        period_end=row.period_end.astimezone(zone),
        timezone=row.timezone,
        hashtag=row.hashtag,
    ).heading
    shown = [f"{counts[s]} {SECTION_TITLES[s].lower()}" for s in SECTIONS if counts.get(s)]
    return {"id": row.id, "heading": heading, "intro": row.intro, "counts": ", ".join(shown)}


def page_meta(
    base: str, path: str, *, title: str, description: str, image: str | None = None, kind: str = "website"
) -> dict[str, str]:
    """What a shared link shows (OpenGraph and Twitter card tags): absolute URLs from ``base``."""
    words = " ".join(description.split())
    return {
        "title": title,
        "description": words if len(words) <= 200 else words[:199].rstrip() + "…",
        "url": f"{base}{path}",
        "image": image or f"{base}/card.png",
        "type": kind,
    }


class ShownPost(Protocol):
    """What the desk shows of a stored post: a whole row, or just these columns of it."""

    @property
    def id(self) -> int: ...
    @property
    def author_acct(self) -> str: ...
    @property
    def author_name(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def html(self) -> str: ...
    @property
    def links(self) -> list[Any]: ...


def post_view(row: ShownPost, labels: list[EffectiveLabel]) -> dict[str, Any]:
    """A stored post for the desk's inbox."""
    return {
        "id": row.id,
        "author": row.author_acct,
        "author_name": row.author_name,
        "url": safe_url(row.url),
        "created_at": row.created_at.strftime("%Y-%m-%d %H:%M"),
        "html": Markup(safe_html(row.html)),  # sanitised by nh3 just here
        "labels": labels,
        "domain": shown_domain(row.links),
    }


def shown_domain(links: Sequence[Any]) -> str | None:
    """The domain the inbox offers to exclude: the first link's host, without ``www.``."""
    for link in links:
        try:
            host = urlsplit(link).hostname if isinstance(link, str) else None
        except ValueError:  # not a URL at all (an unclosed "[" ...)
            continue
        if host:
            return host.removeprefix("www.") or None
    return None


def _length(seconds: float | None) -> str:
    """``102.0`` → ``"1:42"``; empty when unknown."""
    if not seconds:
        return ""
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d}"


@pass_context
def path_for(context: Mapping[str, Any], name: str, /, **path_params: Any) -> str:
    """``url_for`` for templates, as a path: links never carry the request's ``Host`` header.

    The route is found by its name (Starlette tries every route in turn, which a page with a form
    per post pays a hundred times over); the route itself fills in and checks the parameters."""
    request: Request = context["request"]
    app = request.app
    named = _NAMED_ROUTES.get(app)
    if named is None:
        with _NAMED_ROUTES_LOCK:  # request threads render pages at once
            named = _NAMED_ROUTES.get(app)
            if named is None:
                named = _NAMED_ROUTES[app] = _plain_routes(app.routes)
    route = named.get(name)
    try:
        found = route.url_path_for(name, **path_params) if route else None
    except NoMatchFound:  # another route of that name, with other parameters
        found = None
    return str(request.scope.get("root_path", "")) + str(found or app.url_path_for(name, **path_params))


_NAMED_ROUTES: WeakKeyDictionary[Any, dict[str, Route]] = WeakKeyDictionary()
_NAMED_ROUTES_LOCK = threading.Lock()


def _plain_routes(routes: Sequence[BaseRoute]) -> dict[str, Route]:
    """The first plain route of each name (mounts are left to Starlette's own search)."""
    named: dict[str, Route] = {}
    for route in routes:
        if isinstance(route, Route):
            named.setdefault(route.name, route)
    return named
