"""The curator desk: log in, review recent posts and correct labels, review and approve digests.

Every desk page needs a logged-in curator (others are sent to the login page); every form carries
the session's CSRF token and a POST without it is refused; every action is recorded with the
curator and the time.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from sqlalchemy import Engine
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from bot.config import Settings
from bot.errors import ExemplarError
from bot.jobs.digest import DigestService, Edit
from bot.jobs.store import PostStore
from bot.passwords import verify_password
from bot.unsubscribe_links import unsubscribe_url
from bot.web.security import SESSION_CURATOR, LoginLimiter, csrf_valid, current_curator
from bot.web.views import post_view, sections_view
from digests.lifecycle import EDITABLE
from digests.render.email import render_html
from digests.render.thread import mastodon_length, render_thread
from storage import curators
from storage import digests as digest_repo
from storage import labels as label_repo
from storage import repository as repo
from storage.app_state import signing_key
from storage.db import session_scope
from storage.models import Post as PostRow

INBOX_PAGE = 50
LABELS = ("video", "tool", "question")
Handler = Callable[[Request], Awaitable[Response]]


def desk_routes(
    engine: Engine,
    settings: Settings,
    store: PostStore,
    templates: Jinja2Templates,
    clock: Callable[[], datetime],
    limiter: LoginLimiter,
) -> list[Route]:
    def service(curator: str) -> DigestService:
        return DigestService(engine, settings, store, clock, actor=curator)

    def curator_only(handler: Callable[[Request, str], Awaitable[Response]]) -> Handler:
        async def guarded(request: Request) -> Response:
            curator = current_curator(request)
            if curator is None:
                return RedirectResponse(f"{request.url_for('login')}?next={quote(request.url.path)}", 303)
            return await handler(request, curator)

        return guarded

    def form_action(handler: Callable[[Request, str, FormData], Awaitable[Response]]) -> Handler:
        async def checked(request: Request, curator: str) -> Response:
            form = await request.form()
            if not csrf_valid(request, str(form.get("csrf") or "")):
                raise HTTPException(
                    403, "This form has expired or did not come from this site; reload the page."
                )
            return await handler(request, curator, form)

        return curator_only(checked)

    async def login_page(request: Request) -> Response:
        return templates.TemplateResponse(
            request, "login.html", {"next": _local(request.query_params.get("next"))}
        )

    async def login(request: Request) -> Response:
        form = await request.form()
        email = str(form.get("email") or "").strip().lower()
        client = request.client.host if request.client else "unknown"
        next_page = _local(str(form.get("next") or ""))
        if not csrf_valid(request, str(form.get("csrf") or "")):
            raise HTTPException(403, "This form has expired; reload the page and log in again.")
        if limiter.blocked(email, client):
            return _login_error(request, "Too many failed attempts; wait a few minutes and try again.", 429)
        with session_scope(engine) as session:
            curator = curators.find_curator(session, email)
            ok = curator is not None and verify_password(
                str(form.get("password") or ""), curator.password_hash
            )
            if ok and curator is not None:
                curator.last_login_at = clock()
        if not ok:
            limiter.failed(email, client)
            return _login_error(request, "Wrong email or password.", 401)
        limiter.succeeded(email, client)
        request.session.clear()  # a fresh session (and CSRF token) for the logged-in curator
        request.session[SESSION_CURATOR] = email
        return RedirectResponse(next_page or str(request.url_for("desk_inbox")), 303)

    def _login_error(request: Request, message: str, status: int) -> Response:
        return templates.TemplateResponse(
            request, "login.html", {"error": message, "next": ""}, status_code=status
        )

    async def logout(request: Request, _curator: str, _form: FormData) -> Response:
        request.session.clear()
        return RedirectResponse(str(request.url_for("index")), 303)

    async def inbox(request: Request, _curator: str) -> Response:
        query = request.query_params
        filters = {key: query.get(key, "").strip() for key in ("label", "tag", "source", "since")}
        since = _date(filters["since"])
        page = max(1, int(query.get("page", "1"))) if query.get("page", "1").isdigit() else 1
        with session_scope(engine) as session:
            rows = list(
                repo.iter_posts(
                    session,
                    repo.PostQuery(
                        tag=filters["tag"] or None,
                        label=filters["label"] if filters["label"] in LABELS else None,
                        since=since,
                        limit=INBOX_PAGE + 1,
                        offset=(page - 1) * INBOX_PAGE,
                        source=filters["source"] or None,
                    ),
                    with_tags=False,
                )
            )
            more = len(rows) > INBOX_PAGE
            rows = rows[:INBOX_PAGE]
            labels = label_repo.effective_labels(session, [row.id for row in rows])
            posts = [post_view(row, labels.get(row.id, [])) for row in rows]
        paging = {k: v for k, v in filters.items() if v}
        context = {
            "posts": posts,
            "filters": filters,
            "labels": LABELS,
            "page": page,
            "older": urlencode({**paging, "page": page + 1}) if more else None,
            "newer": urlencode({**paging, "page": page - 1}) if page > 1 else None,
        }
        return templates.TemplateResponse(request, "desk/inbox.html", context)

    async def correct_label(request: Request, curator: str, form: FormData) -> Response:
        post_id = int(request.path_params["post_id"])
        label, change = str(form.get("label")), str(form.get("change"))
        if label not in LABELS or change not in ("add", "remove"):
            raise HTTPException(400, "Unknown label or change")
        with session_scope(engine) as session:
            label_repo.set_curator_label(session, post_id, label, change == "add", by=curator, now=clock())
        return _back(request, f"#post-{post_id}")

    async def exclude(request: Request, curator: str, form: FormData) -> Response:
        kind = str(form.get("kind"))
        post_id = int(str(form.get("post_id") or 0))
        with session_scope(engine) as session:
            post = session.get(PostRow, post_id)
            if post is None or kind not in digest_repo.EXCLUSION_KINDS:
                raise HTTPException(400, "Unknown post or exclusion")
            value = {"post": str(post.id), "author": post.author_acct}.get(kind)
            if value is None:
                value = next((urlsplit(u).hostname or "" for u in post.links), "").removeprefix("www.")
            if value:
                digest_repo.add_exclusion(
                    session, kind, value, by=curator, reason="from the desk", now=clock()
                )
        return _back(request, "")

    async def digests(request: Request, _curator: str) -> Response:
        with session_scope(engine) as session:
            rows = digest_repo.list_digests(session, limit=50)
            listing = [
                {
                    "id": row.id,
                    "status": row.status,
                    "items": len(digest_repo.live_items(row)),
                    "heading": f"#{row.hashtag}, {row.period_start:%d %b} – {row.period_end:%d %b %Y}",
                }
                for row in rows
            ]
        return templates.TemplateResponse(request, "desk/digests.html", {"digests": listing})

    async def review(request: Request, curator: str) -> Response:
        digest_id = int(request.path_params["digest_id"])
        try:
            view = service(curator).view(digest_id)
        except ExemplarError as error:
            raise HTTPException(404, str(error)) from None
        limit = (settings.publish_mastodon.char_limit if settings.publish_mastodon else None) or 500
        thread = [
            {
                "text": part.text,
                "spoiler_text": part.spoiler_text,
                "length": mastodon_length(part.text) + len(part.spoiler_text),
            }
            for part in render_thread(view, char_limit=limit)
        ]
        with session_scope(engine) as session:
            key = signing_key(session)
            history = [
                {
                    "at": e.at.strftime("%Y-%m-%d %H:%M"),
                    "actor": e.actor,
                    "action": e.action,
                    "detail": ", ".join(f"{k}: {v}" for k, v in e.detail.items()),
                }
                for e in digest_repo.events_of(session, digest_id)
            ]
        email = settings.email
        public_url = (email.public_url if email else None) or str(request.base_url).rstrip("/")
        recipient = email.recipients[0] if email and email.recipients else "leader@example.org"
        email_html = render_html(view, unsubscribe_url=unsubscribe_url(public_url, key, recipient))
        context: dict[str, Any] = {
            "digest": view,
            "sections": sections_view(view),
            "editable": view.status in EDITABLE,
            "thread": thread,
            "char_limit": limit,
            "email_html": email_html,
            "history": history,
        }
        return templates.TemplateResponse(request, "desk/digest.html", context)

    async def edit(request: Request, curator: str, form: FormData) -> Response:
        digest_id = int(request.path_params["digest_id"])
        action = str(form.get("action"))
        text = str(form.get("text") or "")
        post_id = int(str(form.get("post_id") or 0)) or None
        digests_service = service(curator)
        if action in ("up", "down"):
            view = digests_service.view(digest_id)
            item = next((i for i in view.items if i.post_id == post_id), None)
            if item is None:
                raise HTTPException(400, "That post is not in this digest")
            order = [i.post_id for i in view.section(item.section)]
            position = order.index(item.post_id) + (0 if action == "up" else 2)
            change = Edit("move", post_id=post_id, position=max(position, 1))
        elif action in ("remove", "pin", "unpin", "blurb", "intro"):
            change = Edit(action, post_id=post_id, text=text)
        else:
            raise HTTPException(400, "Unknown action")
        try:
            digests_service.edit(digest_id, [change])
        except ExemplarError as error:
            raise HTTPException(409, str(error)) from None
        return RedirectResponse(str(request.url_for("desk_digest", digest_id=digest_id)), 303)

    async def transition(request: Request, curator: str, form: FormData) -> Response:
        digest_id = int(request.path_params["digest_id"])
        action = str(form.get("action"))
        if action not in ("approve", "reject"):
            raise HTTPException(400, "Unknown action")
        try:
            service(curator).transition(digest_id, action)
        except ExemplarError as error:
            raise HTTPException(409, str(error)) from None
        return RedirectResponse(str(request.url_for("desk_digest", digest_id=digest_id)), 303)

    return [
        Route("/login", login_page, methods=["GET"], name="login_page"),
        Route("/login", login, methods=["POST"], name="login"),
        Route("/logout", form_action(logout), methods=["POST"], name="logout"),
        Route("/desk", curator_only(inbox), name="desk_inbox"),
        Route(
            "/desk/posts/{post_id:int}/labels",
            form_action(correct_label),
            methods=["POST"],
            name="desk_label",
        ),
        Route("/desk/exclude", form_action(exclude), methods=["POST"], name="desk_exclude"),
        Route("/desk/digests", curator_only(digests), name="desk_digests"),
        Route("/desk/digests/{digest_id:int}", curator_only(review), name="desk_digest"),
        Route("/desk/digests/{digest_id:int}/edit", form_action(edit), methods=["POST"], name="desk_edit"),
        Route(
            "/desk/digests/{digest_id:int}/status",
            form_action(transition),
            methods=["POST"],
            name="desk_transition",
        ),
    ]


def _local(target: str | None) -> str:
    """Only same-site paths are followed after login (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return ""


def _back(request: Request, anchor: str) -> Response:
    referer = request.headers.get("referer", "")
    target = urlsplit(referer)
    path = (
        target.path + (f"?{target.query}" if target.query else "")
        if target.netloc == request.url.netloc
        else ""
    )
    return RedirectResponse((path or str(request.url_for("desk_inbox"))) + anchor, 303)


def _date(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC) if value else None
    except ValueError:
        return None
