"""The Starlette application behind ``exemplar serve``: the public archive, the curator desk, and
unsubscribe links. Pages work without JavaScript; every asset ships with the package."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from importlib.resources import files
from typing import Any

from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.config import Settings
from bot.jobs.store import PostStore
from bot.web.desk import desk_routes
from bot.web.public import public_routes
from bot.web.security import DeskAuth, LoginLimiter
from bot.web.subscribe import delivery_summary, mailing_routes
from bot.web.threads import thread_limit
from bot.web.unavailable import database_failure_handler, health_check
from bot.web.unsubscribe import unsubscribe_routes
from bot.web.views import path_for
from bot.web.visitor import visitor_context
from digests.mail import EmailTransport
from storage.app_state import signing_key
from storage.db import session_scope
from storage.failures import DATABASE_FAILURES

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' https: data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; frame-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
SESSION_HOURS = 8


SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]


class SecurityHeaders:
    """A Content-Security-Policy and friends on every response (plain ASGI: no per-request tasks)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in SECURITY_HEADERS if name not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(
    engine: Engine,
    clock: Callable[[], datetime],
    settings: Settings | None = None,
    store: PostStore | None = None,
    *,
    secure_cookies: bool = False,
    limiter: LoginLimiter | None = None,
    mail_transport: EmailTransport | None = None,
) -> Starlette:
    """The web application. ``settings`` (and ``store``) enable the archive and the desk; with
    ``[email]`` configured, the subscribe form sends its confirmations through ``mail_transport``
    (default: the configured transport)."""
    templates = Jinja2Templates(directory=str(files("bot") / "web" / "templates"))
    # The templates ship with the package and change only with it: never look at their files again.
    templates.env.auto_reload = False
    templates.env.globals["url_for"] = path_for
    hashtag = settings.digest_hashtag if settings else "fliplead"
    templates.env.globals["hashtag"] = hashtag
    templates.env.globals["subscribe"] = bool(settings and settings.email)
    templates.context_processors.append(visitor_context)
    templates.env.globals["delivery_summary"] = delivery_summary(engine)

    routes: list[Any] = [
        Route("/healthz", health_check(engine)),
        Mount("/static", StaticFiles(directory=str(files("bot") / "web" / "static")), name="static"),
        *unsubscribe_routes(engine, templates, clock, resubscribe=bool(settings and settings.email)),
    ]
    auth = DeskAuth(engine, clock, secure_cookies, limiter=limiter or LoginLimiter())
    if settings is not None:
        post_store = store or PostStore()
        routes += public_routes(engine, settings, post_store, templates, clock)
        routes += desk_routes(engine, settings, post_store, templates, clock, auth)
        routes += mailing_routes(engine, settings, templates, clock, mail_transport)
    with session_scope(engine) as session:
        key = signing_key(session)
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(
            SessionMiddleware,
            secret_key=key,
            session_cookie="exemplar_session",
            max_age=SESSION_HOURS * 3600,
            same_site="lax",
            https_only=secure_cookies,
        ),
    ]
    on_failure = database_failure_handler(hashtag)
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers=dict.fromkeys(DATABASE_FAILURES, on_failure),
        lifespan=thread_limit(engine),
    )
    app.state.desk_auth = auth
    return app
