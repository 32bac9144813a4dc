"""Unsubscribe routes: the short link in every digest email (``/u/TOKEN``), the one-click POST mail
clients send to it (RFC 8058), and the older ``/unsubscribe?email=…&token=…`` links.

The token is the proof: an unguessable secret kept with the subscription, so these routes need no
account, no session and no CSRF token. ``GET`` asks for confirmation (link scanners must not
unsubscribe anyone); ``POST`` unsubscribes, which is also what one-click unsubscribe sends.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from bot.unsubscribe_links import token_matches
from bot.web.threads import in_thread, in_thread_with_form
from storage import subscriptions as subs
from storage.app_state import signing_key
from storage.db import session_scope

NOT_VALID = "This unsubscribe link is incomplete or was altered."


def unsubscribe_routes(
    engine: Engine, templates: Jinja2Templates, clock: Callable[[], datetime], *, resubscribe: bool = False
) -> list[Route]:
    """``resubscribe``: the pages offer to subscribe again (the app has a subscribe form)."""

    def page(request: Request, title: str, message: str, status: int = 200, **extra: object) -> Response:
        context = {"title": title, "message": message, "confirm": False, "resubscribe": False, **extra}
        return templates.TemplateResponse(request, "unsubscribe.html", context, status_code=status)

    def done(request: Request, email: str) -> Response:
        return page(
            request,
            "Unsubscribed",
            f"{email} will not receive Exemplar digests any more.",
            resubscribe=resubscribe,
        )

    def address_of(token: str) -> str | None:
        with session_scope(engine) as session:
            row = subs.find_by_token(session, token)
            return row.email if row is not None else None

    def confirm_token(request: Request) -> Response:
        email = address_of(request.path_params["token"])
        if email is None:
            return page(request, "Link not valid", NOT_VALID, 404)
        return page(
            request,
            "Unsubscribe from Exemplar digests",
            f"Stop sending the weekly digest to {email}?",
            confirm=True,
            email=email,
            action=request.url.path,
        )

    def unsubscribe_token(request: Request) -> Response:
        with session_scope(engine) as session:
            row = subs.find_by_token(session, request.path_params["token"])
            if row is not None:
                subs.unsubscribe(session, row.email, clock())
                email = row.email
        if row is None:
            return page(request, "Link not valid", NOT_VALID, 404)
        return done(request, email)

    def valid(email: str, token: str) -> bool:
        with session_scope(engine) as session:
            return bool(email) and bool(token) and token_matches(signing_key(session), email, token)

    def confirm(request: Request) -> Response:
        email = request.query_params.get("email", "")
        token = request.query_params.get("token", "")
        if not valid(email, token):
            return page(request, "Link not valid", NOT_VALID, 400)
        return page(
            request,
            "Unsubscribe from Exemplar digests",
            f"Stop sending the weekly digest to {email}?",
            confirm=True,
            email=email,
            token=token,
            action="/unsubscribe",
        )

    def unsubscribe(request: Request, form: FormData) -> Response:
        email = str(form.get("email") or request.query_params.get("email", ""))
        token = str(form.get("token") or request.query_params.get("token", ""))
        if not valid(email, token):
            return page(request, "Link not valid", NOT_VALID, 400)
        with session_scope(engine) as session:
            subs.unsubscribe(session, email, clock())
        return done(request, subs.normalise_address(email))

    return [
        Route("/u/{token:str}", in_thread(confirm_token), methods=["GET"], name="unsubscribe_token_confirm"),
        Route("/u/{token:str}", in_thread(unsubscribe_token), methods=["POST"], name="unsubscribe_token"),
        Route("/unsubscribe", in_thread(confirm), methods=["GET"], name="unsubscribe_confirm"),
        Route("/unsubscribe", in_thread_with_form(unsubscribe), methods=["POST"], name="unsubscribe"),
    ]
