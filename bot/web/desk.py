"""The curator desk: log in, review recent posts and correct labels, exclude what should never be
featured (and undo it), review and approve digests.

Every desk page needs a logged-in curator (others are sent to the login page); every form carries
the session's CSRF token and a POST without it is refused; every action is recorded with the
curator and the time, and answered with a message on the next page. Bad input (an id that cannot
exist, a value no form sends) is a 400 or a 404, never a server error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlencode, urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.exc import DataError
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from bot.config import Settings
from bot.errors import ExemplarError
from bot.jobs.digest import DigestNotFoundError, DigestService, Edit
from bot.jobs.store import PostStore
from bot.unsubscribe_links import unsubscribe_url
from bot.web.flash import flash
from bot.web.inbox_rows import RowCache, row_key
from bot.web.security import DeskAuth, check_password, csrf_token, csrf_valid, current_curator
from bot.web.threads import Handler, in_thread, in_thread_with_form
from bot.web.views import post_view, sections_view
from digests.lifecycle import EDITABLE
from digests.model import Digest, period_label
from digests.render.email import render_html
from digests.render.thread import ThreadPart, mastodon_length, render_thread
from storage import curators
from storage import digests as digest_repo
from storage import exclusions as exclusion_repo
from storage import inbox as inbox_repo
from storage import labels as label_repo
from storage.db import session_scope
from storage.models import Post as PostRow

INBOX_PAGE = 50
LABELS = ("video", "tool", "question")
# Ids are 32-bit on PostgreSQL; nothing larger can name a row.
MAX_ID = 2**31 - 1
# No form field the desk sends is longer; anything longer is refused before it reaches the database.
MAX_FIELD = 20_000


def desk_routes(
    engine: Engine,
    settings: Settings,
    store: PostStore,
    templates: Jinja2Templates,
    clock: Callable[[], datetime],
    auth: DeskAuth,
) -> list[Route]:
    limiter = auth.limiter
    inbox_rows = RowCache()

    def service(curator: str) -> DigestService:
        return DigestService(engine, settings, store, clock, actor=curator)

    def as_curator(request: Request, respond: Callable[[str], Response]) -> Response:
        _check_values(request.query_params.multi_items())
        curator = current_curator(request)
        if curator is None:
            return RedirectResponse(f"{request.url_for('login')}?next={quote(request.url.path)}", 303)
        try:
            return respond(curator)
        except (OverflowError, DataError):
            # A value the database cannot hold (a number too large for its column...).
            raise HTTPException(400, "A value in this request is out of range.") from None

    def curator_only(handler: Callable[[Request, str], Response]) -> Handler:
        def guarded(request: Request) -> Response:
            return as_curator(request, lambda curator: handler(request, curator))

        return in_thread(guarded)

    def form_action(handler: Callable[[Request, str, FormData], Response]) -> Handler:
        def checked(request: Request, form: FormData) -> Response:
            def respond(curator: str) -> Response:
                _check_values(form.multi_items())
                if not csrf_valid(request, _text(form, "csrf")):
                    raise HTTPException(
                        403, "This form has expired or did not come from this site; reload the page."
                    )
                return handler(request, curator, form)

            return as_curator(request, respond)

        return in_thread_with_form(checked)

    def login_page(request: Request) -> Response:
        _check_values(request.query_params.multi_items())
        return templates.TemplateResponse(
            request, "login.html", {"next": _local(request.query_params.get("next"))}
        )

    def login(request: Request, form: FormData) -> Response:
        _check_values(form.multi_items())
        email = _text(form, "email").strip().lower()
        password = _text(form, "password")
        client = request.client.host if request.client else "unknown"
        next_page = _local(_text(form, "next"))
        if not csrf_valid(request, _text(form, "csrf")):
            raise HTTPException(403, "This form has expired; reload the page and log in again.")
        device = auth.device_of(request, email)
        wait = limiter.reserve(engine, email, client, clock(), device=device)
        if wait:
            seconds = max(1, round(wait))
            response = _login_error(
                request, f"Too many failed attempts; try again in {_duration(seconds)}.", 429
            )
            response.headers["Retry-After"] = str(seconds)
            return response
        with session_scope(engine) as session:
            found = curators.find_curator(session, email) if len(email) <= 320 else None
            curator_id, stored = (found.id, found.password_hash) if found else (None, None)
        # The same work for every address: unknown ones are checked against a dummy hash.
        ok = check_password(password, stored)
        if not ok or curator_id is None:
            return _login_error(request, "Wrong email or password.", 401)
        limiter.succeeded(engine, email, client, device=device)
        request.session.clear()  # nothing from before the login carries over
        response = RedirectResponse(next_page or str(request.url_for("desk_inbox")), 303)
        auth.start(request, response, curator_id)
        auth.remember_device(response, email)
        flash(request, f"Logged in as {email}.")
        return response

    def _login_error(request: Request, message: str, status: int) -> Response:
        return templates.TemplateResponse(
            request, "login.html", {"error": message, "next": ""}, status_code=status
        )

    def logout(request: Request, curator: str, _form: FormData) -> Response:
        response = RedirectResponse(str(request.url_for("index")), 303)
        auth.end(request, response)
        request.session.clear()
        flash(request, f"Logged out {curator}.")
        return response

    def inbox(request: Request, _curator: str) -> Response:
        query = request.query_params
        filters = {key: query.get(key, "").strip() for key in ("label", "tag", "source", "since")}
        before, after = _cursor(query.get("before")), _cursor(query.get("after"))
        with session_scope(engine) as session:
            found = inbox_repo.inbox_page(
                session,
                inbox_repo.InboxFilters(
                    tag=filters["tag"] or None,
                    label=filters["label"] if filters["label"] in LABELS else None,
                    source=filters["source"] or None,
                    since=_date(filters["since"]),
                ),
                size=INBOX_PAGE,
                before=before,
                after=after,
            )
            labels = label_repo.effective_labels(session, [row.id for row in found.rows])
        scope = request.scope.get("root_path", "")
        keys = [row_key(scope, row, labels.get(row.id, [])) for row in found.rows]
        row_template = templates.get_template("desk/_inbox_row.html")

        def render_row(i: int, csrf_placeholder: str) -> str:
            row = found.rows[i]
            post = _with_label_choices(post_view(row, labels.get(row.id, [])))
            return row_template.render(request=request, post=post, csrf=csrf_placeholder)

        paging = {k: v for k, v in filters.items() if v}
        context = {
            "posts": found.rows,
            "rows": inbox_rows.rows(keys, render_row, csrf_token(request)),
            "filters": filters,
            "labels": LABELS,
            "paged": before is not None or after is not None,
            "older": urlencode({**paging, "before": found.older.token()}) if found.older else None,
            "newer": urlencode({**paging, "after": found.newer.token()}) if found.newer else None,
            "newest": urlencode(paging),
        }
        return templates.TemplateResponse(request, "desk/inbox.html", context)

    def correct_label(request: Request, curator: str, form: FormData) -> Response:
        post_id = _path_id(request, "post_id")
        change, label = _label_change(form)
        if not label:
            flash(request, "Choose a label to add or remove, then press Apply.")
            return _back(request, f"#post-{post_id}")
        with session_scope(engine) as session:
            if session.get(PostRow, post_id) is None:
                raise HTTPException(404, "No stored post has that id.")
            have = {lab.name for lab in label_repo.effective_labels(session, [post_id]).get(post_id, [])}
            adding = change == "add"
            if adding == (label in have):
                message = f"Post #{post_id} {'already has' if adding else 'does not have'} the label {label}."
            else:
                label_repo.set_curator_label(session, post_id, label, adding, by=curator, now=clock())
                message = f"Post #{post_id}: {'added' if adding else 'removed'} the label {label}."
        flash(request, message)
        return _back(request, f"#post-{post_id}")

    def _exclusion_target(session: Any, form_or_query: Any) -> tuple[str, str]:
        kind = _text(form_or_query, "kind")
        if kind not in digest_repo.EXCLUSION_KINDS:
            raise HTTPException(400, "Unknown kind of exclusion: use post, author or domain.")
        value = exclusion_repo.normalise_value(kind, _text(form_or_query, "value"))
        if not value:
            post = exclusion_repo.exclusion_subject(session, _form_id(form_or_query, "post_id"))
            if post is None:
                raise HTTPException(404, "No stored post has that id.")
            value = {"post": str(post.id), "author": post.author_acct}.get(kind) or _domain_of(post.links)
        if not value:
            raise HTTPException(400, "That post links to no domain.")
        if kind == "post" and (not value.isdigit() or int(value) > MAX_ID):
            raise HTTPException(400, "A post exclusion names a post id.")
        if len(value) > 2048:
            raise HTTPException(400, "That value is too long.")
        return kind, value

    def _confirmation(request: Request, kind: str, value: str, back: str) -> Response:
        with session_scope(engine) as session:
            matches = exclusion_repo.matching_posts(session, kind, value)
            labels = label_repo.effective_labels(session, [row.id for row in matches.sample])
            sample = [post_view(row, labels.get(row.id, [])) for row in matches.sample]
        context = {"kind": kind, "value": value, "matches": matches, "sample": sample, "back": back}
        return templates.TemplateResponse(request, "desk/exclude_confirm.html", context)

    def confirm_exclusion(request: Request, _curator: str) -> Response:
        with session_scope(engine) as session:
            kind, value = _exclusion_target(session, request.query_params)
        return _confirmation(request, kind, value, _back_path(request))

    def exclude(request: Request, curator: str, form: FormData) -> Response:
        with session_scope(engine) as session:
            kind, value = _exclusion_target(session, form)
        back = _local(_text(form, "back")) or _back_path(request)
        if kind != "post" and _text(form, "confirm") != "yes":
            return _confirmation(request, kind, value, back)
        with session_scope(engine) as session:
            existing = {(e.kind, e.value) for e in exclusion_repo.list_exclusions(session)}
            matches = exclusion_repo.matching_posts(session, kind, value)
            if (kind, value) not in existing:
                digest_repo.add_exclusion(
                    session,
                    kind,
                    value,
                    by=curator,
                    reason=_text(form, "reason")[:500] or "from the desk",
                    now=clock(),
                )
        if (kind, value) in existing:
            flash(request, f"The {kind} {value} was already excluded.")
        else:
            flash(
                request,
                f"Excluded the {kind} {value}: {_plural(matches.count, 'stored post')} will be left out "
                "of digests drafted from now on. Undo it on the Exclusions page.",
            )
        return RedirectResponse(back or str(request.url_for("desk_inbox")), 303)

    def exclusions_page(request: Request, _curator: str) -> Response:
        with session_scope(engine) as session:
            context = {
                "exclusions": [
                    {
                        "kind": e.kind,
                        "value": e.value,
                        "reason": e.reason,
                        "by": e.created_by,
                        "at": exclusion_repo.describe_time(e.created_at),
                    }
                    for e in exclusion_repo.list_exclusions(session)
                ],
                "suppressions": [
                    {
                        "acct": s.acct,
                        "reason": s.reason,
                        "by": exclusion_repo.who_suppressed(s),
                        "at": exclusion_repo.describe_time(s.recorded_at),
                        "undoable": s.requested_via in exclusion_repo.CURATOR_SUPPRESSIONS,
                    }
                    for s in exclusion_repo.list_suppressions(session)
                ],
                "unsubscribes": [
                    {"email": u.email, "at": exclusion_repo.describe_time(u.updated_at)}
                    for u in exclusion_repo.list_unsubscribes(session)
                ],
            }
        return templates.TemplateResponse(request, "desk/exclusions.html", context)

    def undo_exclusion(request: Request, _curator: str, form: FormData) -> Response:
        kind, value = _text(form, "kind"), _text(form, "value").strip()
        if kind not in (*digest_repo.EXCLUSION_KINDS, "suppressed") or not value or len(value) > 2048:
            raise HTTPException(400, "Unknown exclusion.")
        with session_scope(engine) as session:
            if kind == "suppressed":
                try:
                    done = exclusion_repo.lift_suppression(session, value)
                except PermissionError as refusal:
                    flash(request, f"{refusal}.")
                    return RedirectResponse(str(request.url_for("desk_exclusions")), 303)
            else:
                done = exclusion_repo.remove_exclusion(session, kind, value)
        if kind == "suppressed":
            message = f"{value} is no longer suppressed: their public posts can be collected again."
        else:
            message = f"The {kind} {value} is no longer excluded."
        flash(request, message if done else f"Nothing to undo: {value} was not on the list.")
        return RedirectResponse(str(request.url_for("desk_exclusions")), 303)

    def digests(request: Request, _curator: str) -> Response:
        with session_scope(engine) as session:
            rows = digest_repo.list_digests(session, limit=50)
            counts = digest_repo.live_item_counts(session, [row.id for row in rows])
            listing = [
                {
                    "id": row.id,
                    "status": row.status,
                    "count": counts.get(row.id, 0),
                    "heading": desk_heading(row.hashtag, row.period_start, row.period_end, row.timezone),
                }
                for row in rows
            ]
        return templates.TemplateResponse(request, "desk/digests.html", {"digests": listing})

    def review(request: Request, curator: str) -> Response:
        digest_id = _path_id(request, "digest_id")
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
            for part in _thread_preview(view, limit)
        ]
        key = auth.signing_key()
        with session_scope(engine) as session:
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
        email_html = _email_preview(view, unsubscribe_url(public_url, key, recipient))
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

    def edit(request: Request, curator: str, form: FormData) -> Response:
        digest_id = _path_id(request, "digest_id")
        action = _text(form, "action")
        text = _text(form, "text")
        digests_service = service(curator)
        if action not in EDIT_MESSAGES:
            raise HTTPException(400, "Unknown action")
        post_id = None if action == "intro" else _form_id(form, "post_id")
        if action in ("up", "down"):
            try:
                view = digests_service.view(digest_id)
            except ExemplarError as error:
                raise HTTPException(404, str(error)) from None
            item = next((i for i in view.items if i.post_id == post_id), None)
            if item is None:
                raise HTTPException(400, "That post is not in this digest")
            order = [i.post_id for i in view.section(item.section)]
            position = order.index(item.post_id) + (0 if action == "up" else 2)
            change = Edit("move", post_id=post_id, position=max(position, 1))
        else:
            change = Edit(action, post_id=post_id, text=text)
        try:
            digests_service.edit(digest_id, [change])
        except ExemplarError as error:
            raise HTTPException(404 if isinstance(error, DigestNotFoundError) else 409, str(error)) from None
        flash(request, EDIT_MESSAGES[action] + (f" (post #{post_id})" if post_id else ""))
        return RedirectResponse(str(request.url_for("desk_digest", digest_id=digest_id)), 303)

    def transition(request: Request, curator: str, form: FormData) -> Response:
        digest_id = _path_id(request, "digest_id")
        action = _text(form, "action")
        if action not in ("approve", "reject"):
            raise HTTPException(400, "Unknown action")
        try:
            status = service(curator).transition(digest_id, action)
        except ExemplarError as error:
            raise HTTPException(404 if isinstance(error, DigestNotFoundError) else 409, str(error)) from None
        flash(
            request,
            "Approved: the next publish run posts and emails it."
            if status == "approved"
            else f"Digest {status}.",
        )
        return RedirectResponse(str(request.url_for("desk_digest", digest_id=digest_id)), 303)

    return [
        Route("/login", in_thread(login_page), methods=["GET"], name="login_page"),
        Route("/login", in_thread_with_form(login), methods=["POST"], name="login"),
        Route("/logout", form_action(logout), methods=["POST"], name="logout"),
        Route("/desk", curator_only(inbox), name="desk_inbox"),
        Route(
            "/desk/posts/{post_id}/labels", form_action(correct_label), methods=["POST"], name="desk_label"
        ),
        Route("/desk/exclude", curator_only(confirm_exclusion), methods=["GET"], name="desk_exclude_confirm"),
        Route("/desk/exclude", form_action(exclude), methods=["POST"], name="desk_exclude"),
        Route("/desk/exclusions", curator_only(exclusions_page), name="desk_exclusions"),
        Route(
            "/desk/exclusions/undo", form_action(undo_exclusion), methods=["POST"], name="desk_exclusion_undo"
        ),
        Route("/desk/digests", curator_only(digests), name="desk_digests"),
        Route("/desk/digests/{digest_id}", curator_only(review), name="desk_digest"),
        Route("/desk/digests/{digest_id}/edit", form_action(edit), methods=["POST"], name="desk_edit"),
        Route(
            "/desk/digests/{digest_id}/status",
            form_action(transition),
            methods=["POST"],
            name="desk_transition",
        ),
    ]


EDIT_MESSAGES = {
    "intro": "Intro saved.",
    "blurb": "Blurb saved.",
    "pin": "Pinned to the top of its section.",
    "unpin": "Unpinned.",
    "remove": "Removed from this digest.",
    "up": "Moved up.",
    "down": "Moved down.",
}


def desk_heading(hashtag: str, start: datetime, end: datetime, timezone: str) -> str:
    """The heading the review page shows: the period in the digest's own time zone, end exclusive."""
    zone = ZoneInfo(timezone)
    return f"#{hashtag} exemplars, {period_label(start.astimezone(zone), end.astimezone(zone))}"


# A digest as shown is a value (frozen, compared whole), and its previews are pure functions of it:
# a second look at an unchanged digest reuses them, and any edit makes a new value.
@lru_cache(maxsize=16)
def _thread_preview(view: Digest, char_limit: int) -> tuple[ThreadPart, ...]:
    return tuple(render_thread(view, char_limit=char_limit))


@lru_cache(maxsize=16)
def _email_preview(view: Digest, unsubscribe: str) -> str:
    return render_html(view, unsubscribe_url=unsubscribe)


def _with_label_choices(post: dict[str, Any]) -> dict[str, Any]:
    have = [label.name for label in post["labels"]]
    return {**post, "addable": [n for n in LABELS if n not in have], "removable": have}


def _label_change(form: FormData) -> tuple[str, str]:
    """("add" | "remove", label) from the inbox's one control, ``add:video``; ("", "") for none."""
    choice = _text(form, "label_change")
    if not choice:
        if not (form.get("label") or form.get("change")):
            return "", ""
        choice = f"{_text(form, 'change')}:{_text(form, 'label')}"
    change, _, label = choice.partition(":")
    if change not in ("add", "remove") or label not in LABELS:
        raise HTTPException(400, "Unknown label or change")
    return change, label


def _check_values(items: Iterable[tuple[str, Any]]) -> None:
    """Refuse values no desk form sends: NUL characters (no database stores them), huge fields."""
    for name, value in items:
        text = value if isinstance(value, str) else ""
        if "\x00" in name or "\x00" in text or len(text) > MAX_FIELD:
            raise HTTPException(400, f"The field {name[:40]!r} holds a value no desk form sends.")


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _number(text: str) -> int | None:
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def _path_id(request: Request, name: str) -> int:
    number = _number(str(request.path_params.get(name, "")))
    if number is None:
        raise HTTPException(404, "Not found")
    return number


def _form_id(form: Any, name: str) -> int:
    number = _number(_text(form, name))
    if number is None:
        raise HTTPException(400, f"{name} must be a stored id")
    return number


def _cursor(value: str | None) -> inbox_repo.Cursor | None:
    """The page cursor of an inbox link (``before`` or ``after``); 400 for anything else."""
    if value is None or value == "":
        return None
    cursor = inbox_repo.Cursor.parse(value, max_id=MAX_ID)
    if cursor is None:
        raise HTTPException(400, "That page link is not one the desk made; start from the newest posts.")
    return cursor


def _domain_of(links: list[Any]) -> str:
    for link in links:
        host = urlsplit(str(link)).hostname if isinstance(link, str) else None
        if host:
            return exclusion_repo.normalise_value("domain", host)
    return ""


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _duration(seconds: int) -> str:
    if seconds < 90:
        return _plural(seconds, "second")
    return _plural(round(seconds / 60), "minute")


def _local(target: str | None) -> str:
    """Only same-site paths are followed after login (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return ""


def _back_path(request: Request) -> str:
    referer = request.headers.get("referer", "")
    try:
        target = urlsplit(referer)
    except ValueError:
        return ""
    if target.netloc != request.url.netloc:
        return ""
    return _local(target.path + (f"?{target.query}" if target.query else ""))


def _back(request: Request, anchor: str) -> Response:
    return RedirectResponse((_back_path(request) or str(request.url_for("desk_inbox"))) + anchor, 303)


def _date(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC) if value else None
    except ValueError:
        return None
