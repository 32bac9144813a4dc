"""Database work off the event loop. Every endpoint that may touch the database (and every page: its
template asks who is signed in) is written as a plain function and served through :func:`in_thread`
or :func:`in_thread_with_form`, which run it in the worker's thread pool. One slow query, or a SQLite
file another process holds locked (for up to ``[database] lock_timeout``), then holds up only its
own request, never ``/healthz`` or the requests beside it.

A body runs on one thread from start to end, opening its own sessions (``session_scope``), and never
shares them. The form is read on the event loop first, since reading a request body is asynchronous.

:func:`thread_limit` keeps the pool to as many threads as the engine has connections for, two each,
so that a request never waits for a connection while holding one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from anyio import to_thread
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from storage.db import connection_capacity

Handler = Callable[[Request], Awaitable[Response]]
BlockingHandler = Callable[[Request], Response]
BlockingFormHandler = Callable[[Request, FormData], Response]
Lifespan = Callable[[Any], AbstractAsyncContextManager[None]]
# A body may open a session while another is open (a template helper reading during a render).
CONNECTIONS_A_THREAD = 2


def in_thread(body: BlockingHandler) -> Handler:
    """An endpoint that runs ``body`` in the thread pool."""

    async def endpoint(request: Request) -> Response:
        return await run_in_threadpool(body, request)

    endpoint.__name__ = getattr(body, "__name__", "endpoint")
    return endpoint


def in_thread_with_form(body: BlockingFormHandler) -> Handler:
    """An endpoint that reads the request's form, then runs ``body`` with it in the thread pool."""

    async def endpoint(request: Request) -> Response:
        form = await request.form()
        return await run_in_threadpool(body, request, form)

    endpoint.__name__ = getattr(body, "__name__", "endpoint")
    return endpoint


def worker_threads(engine: Engine) -> int | None:
    """How many threads a worker may run database work on; None to keep anyio's default."""
    capacity = connection_capacity(engine)
    return None if capacity is None else max(1, capacity // CONNECTIONS_A_THREAD)


def thread_limit(engine: Engine) -> Lifespan:
    """A Starlette lifespan that sizes the worker's thread pool to :func:`worker_threads`."""

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        threads = worker_threads(engine)
        if threads is not None:
            to_thread.current_default_thread_limiter().total_tokens = threads
        yield

    return lifespan
