"""The Starlette application behind ``exemplar serve``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from importlib.resources import files

from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from bot.web.unsubscribe import unsubscribe_routes

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' https: data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


class SecurityHeaders(BaseHTTPMiddleware):
    """A Content-Security-Policy and friends on every response."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


def create_app(engine: Engine, clock: Callable[[], datetime]) -> Starlette:
    templates = Jinja2Templates(directory=str(files("bot") / "web" / "templates"))

    async def health(_request: Request) -> Response:
        return PlainTextResponse("ok")

    routes = [Route("/healthz", health), *unsubscribe_routes(engine, templates, clock)]
    return Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)])
