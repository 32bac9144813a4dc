"""When the database fails under a running server: a 503 page, one log line, and a health check
that says so. The pool reconnects by itself (``pool_pre_ping``), so the next request after the
database is back works without a restart."""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import Engine, text
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from bot.web.threads import Handler, in_thread
from storage.failures import DATABASE_FAILURES, one_line

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Temporarily unavailable · #{hashtag}</title>
<link rel="stylesheet" href="/static/exemplar.css">
</head>
<body>
<main id="content">
<h1>Temporarily unavailable</h1>
<p>Exemplar cannot reach its database just now, so this page cannot be shown and nothing you sent
was saved. Please try again in a minute.</p>
</main>
</body>
</html>
"""


def unavailable_page(hashtag: str) -> HTMLResponse:
    """The 503 page. It is self-contained: the usual layout reads the session from the database."""
    return HTMLResponse(
        _PAGE.format(hashtag=html.escape(hashtag)),
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"},
    )


def database_failure_handler(hashtag: str) -> Callable[[Request, Exception], Awaitable[Response]]:
    """A Starlette exception handler: log the failure in one line, answer with the 503 page."""

    async def handle(request: Request, error: Exception) -> Response:
        log.error("%s %s: database unavailable: %s", request.method, request.url.path, one_line(error))
        return unavailable_page(hashtag)

    return handle


def health_check(engine: Engine) -> Handler:
    """``/healthz``: ``ok`` when the database answers, else 503 (why goes to the log, not to the
    public: the message names the database)."""

    def database_answers() -> str | None:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except DATABASE_FAILURES as error:
            return one_line(error)
        return None

    def health(_request: Request) -> Response:
        failure = database_answers()
        if failure is None:
            return PlainTextResponse("ok")
        log.error("health check: database unavailable: %s", failure)
        return PlainTextResponse(
            "unhealthy: the database is unavailable\n", status_code=503, headers={"Cache-Control": "no-store"}
        )

    return in_thread(health)
