"""The subscribe form on the archive (double opt-in), and the curator's view of the digest list.

``POST /subscribe`` answers the same whether or not the address is known, so the form cannot tell
anyone who is on the list; it sends a confirmation link, and only following that link (``GET`` shows
a button, ``POST`` confirms) puts the address on the list.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from urllib.parse import quote

from sqlalchemy import Engine
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from bot.config import Settings
from bot.jobs.subscribe import Subscriptions
from bot.web.security import client_network, csrf_valid, current_curator
from bot.web.threads import BlockingHandler, Handler, in_thread, in_thread_with_form
from digests.mail import EmailTransport
from storage import deliveries, login_limits
from storage import subscriptions as subs
from storage.db import session_scope
from storage.login_limits import Backoff

ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
MAX_ADDRESS = 254
# Requests per client network, shared by every worker: enough for a typo or two, not enough to
# mail-bomb a list of strangers.
SUBSCRIBE_BACKOFF = Backoff(free=5, base_seconds=60.0, max_seconds=600.0)


def subscribe_routes(
    service: Subscriptions,
    templates: Jinja2Templates,
    engine: Engine,
    clock: Callable[[], datetime],
    backoff: Backoff = SUBSCRIBE_BACKOFF,
) -> list[Route]:
    def must_wait(client: str) -> bool:
        key = f"subscribe\n{client_network(client)}"
        with session_scope(engine) as session:
            return login_limits.reserve_attempt(session, {key: backoff}, clock()) > 0

    def page(request: Request, status: int = 200, **context: object) -> Response:
        values = {"stage": "form", "address": "", "error": "", "hours": service.email.confirm_hours}
        return templates.TemplateResponse(
            request, "subscribe.html", {**values, **context}, status_code=status
        )

    def form(request: Request) -> Response:
        return page(request)

    def ask(request: Request, data: FormData) -> Response:
        address = str(data.get("email") or "").strip()
        if not csrf_valid(request, str(data.get("csrf") or "")):
            return page(request, 403, address=address, error="This form expired; please try again.")
        if len(address) > MAX_ADDRESS or not ADDRESS.match(address):
            return page(
                request, 400, address=address, error="Please give an email address, e.g. name@school.org."
            )
        client = request.client.host if request.client else "unknown"
        if must_wait(client):
            return page(request, 429, address=address, error="Too many requests; please wait a few minutes.")
        service.ask(address, site=str(request.base_url))
        return page(request, stage="sent", address=subs.normalise_address(address))

    def confirm_page(request: Request) -> Response:
        token = request.query_params.get("token", "")
        address = service.pending_address(token)
        if address is None:
            return page(request, 400, stage="invalid")
        return page(request, stage="confirm", address=address, token=token)

    def confirm(request: Request, data: FormData) -> Response:
        address = service.confirm(str(data.get("token") or ""))
        if address is None:
            return page(request, 400, stage="invalid")
        return page(request, stage="subscribed", address=address)

    return [
        Route("/subscribe", in_thread(form), methods=["GET"], name="subscribe_form"),
        Route("/subscribe", in_thread_with_form(ask), methods=["POST"], name="subscribe"),
        Route("/subscribe/confirm", in_thread(confirm_page), methods=["GET"], name="subscribe_confirm_page"),
        Route("/subscribe/confirm", in_thread_with_form(confirm), methods=["POST"], name="subscribe_confirm"),
    ]


def mailing_desk_routes(engine: Engine, templates: Jinja2Templates) -> list[Route]:
    """``/desk/mailing``: every address on the list with its state, and emails awaiting a check."""

    def curator_only(handler: BlockingHandler) -> Handler:
        def guarded(request: Request) -> Response:
            if current_curator(request) is None:
                return RedirectResponse(f"{request.url_for('login')}?next={quote(request.url.path)}", 303)
            return handler(request)

        return in_thread(guarded)

    def mailing(request: Request) -> Response:
        with session_scope(engine) as session:
            rows = subs.listing(session)
            unsure = deliveries.unconfirmed(session)
            addresses = [
                {
                    "email": row.email,
                    "status": row.status,
                    "source": row.source,
                    "soft_failures": row.soft_failures,
                    "reason": row.suspended_reason or "",
                    "since": row.updated_at,
                }
                for row in rows
            ]
            waiting = [
                {"digest_id": row.digest_id, "recipient": row.recipient, "error": row.last_error or ""}
                for row in unsure
            ]
        return templates.TemplateResponse(
            request, "desk/mailing.html", {"addresses": addresses, "unconfirmed": waiting}
        )

    return [Route("/desk/mailing", curator_only(mailing), name="desk_mailing")]


def mailing_routes(
    engine: Engine,
    settings: Settings,
    templates: Jinja2Templates,
    clock: Callable[[], datetime],
    transport: EmailTransport | None = None,
) -> list[Route]:
    """The desk's digest list page and, when emails are configured, the subscribe form."""
    routes = mailing_desk_routes(engine, templates)
    if settings.email is None:
        return routes
    from bot.jobs.publish import email_transport

    sender = transport or email_transport(settings.email)
    assert sender is not None
    service = Subscriptions(engine, settings.email, sender, settings.digest_hashtag, clock)
    return routes + subscribe_routes(service, templates, engine, clock)


def delivery_summary(engine: Engine) -> Callable[[int], dict[str, object]]:
    """A template function for the desk's digest page: the digest's emails by state, and the
    unconfirmed ones by name (they wait for the curator's check)."""

    def summary(digest_id: int) -> dict[str, object]:
        with session_scope(engine) as session:
            states = deliveries.states(session, digest_id)
        counts: dict[str, int] = {}
        for state in states.values():
            shown = deliveries.UNCONFIRMED if state.status == deliveries.DELIVERING else state.status
            counts[shown] = counts.get(shown, 0) + 1
        unsure = [
            {"recipient": s.recipient, "error": s.last_error or "no answer from the server"}
            for s in sorted(states.values(), key=lambda s: s.recipient)
            if s.status in (deliveries.UNCONFIRMED, deliveries.DELIVERING)
        ]
        return {"counts": sorted(counts.items()), "unconfirmed": unsure}

    return summary
