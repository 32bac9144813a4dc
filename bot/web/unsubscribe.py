"""Unsubscribe routes: the link in every digest email, and the one-click POST mail clients send.

The link carries the address and a signature of it (see :mod:`bot.unsubscribe_links`), so it works without
an account or a session. ``GET`` asks for confirmation (link scanners must not unsubscribe anyone);
``POST`` unsubscribes, which is also what RFC 8058 one-click unsubscribe sends.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from bot.unsubscribe_links import token_matches
from storage import publications
from storage.app_state import signing_key
from storage.db import session_scope


def unsubscribe_routes(
    engine: Engine, templates: Jinja2Templates, clock: Callable[[], datetime]
) -> list[Route]:
    def page(request: Request, title: str, message: str, status: int = 200, **extra: object) -> Response:
        context = {"title": title, "message": message, "confirm": False, **extra}
        return templates.TemplateResponse(request, "unsubscribe.html", context, status_code=status)

    def valid(email: str, token: str) -> bool:
        with session_scope(engine) as session:
            return bool(email) and bool(token) and token_matches(signing_key(session), email, token)

    async def confirm(request: Request) -> Response:
        email = request.query_params.get("email", "")
        token = request.query_params.get("token", "")
        if not valid(email, token):
            return page(request, "Link not valid", "This unsubscribe link is incomplete or was altered.", 400)
        return page(
            request,
            "Unsubscribe from Exemplar digests",
            f"Stop sending the weekly digest to {email}?",
            confirm=True,
            email=email,
            token=token,
            action=str(request.url_for("unsubscribe")),
        )

    async def unsubscribe(request: Request) -> Response:
        form = await request.form()
        email = str(form.get("email") or request.query_params.get("email", ""))
        token = str(form.get("token") or request.query_params.get("token", ""))
        if not valid(email, token):
            return page(request, "Link not valid", "This unsubscribe link is incomplete or was altered.", 400)
        with session_scope(engine) as session:
            publications.unsubscribe(session, email, clock())
        return page(request, "Unsubscribed", f"{email} will not receive Exemplar digests any more.")

    return [
        Route("/unsubscribe", confirm, methods=["GET"], name="unsubscribe_confirm"),
        Route("/unsubscribe", unsubscribe, methods=["POST"], name="unsubscribe"),
    ]
