"""Database work runs on the worker's request threads (``bot.web.threads``): the thread pool is sized
to the engine's connections, and requests served at once each use a session of their own, on SQLite
and PostgreSQL. That a locked database holds up only its own request is tested against the real
``exemplar serve`` in tests/test_database_faults_live.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from anyio import to_thread
from sqlalchemy import Engine
from starlette.testclient import TestClient

from bot.web.threads import CONNECTIONS_A_THREAD, worker_threads
from storage import labels as label_repo
from storage.db import POOL_OVERFLOW, POOL_SIZE, connection_capacity, create_db_engine, session_scope
from tests.conftest import FakeClock
from tests.desk_site import CURATOR, PASSWORD, desk_app, fill_site
from tests.live_server import loopback_socket, serving_on

CLIENTS = 8


@pytest.fixture
def desk(engine: Engine, clock: FakeClock) -> Iterator[str]:
    """The desk app served by uvicorn on loopback, its lifespan run as ``exemplar serve`` runs it."""
    fill_site(engine, clock())
    with serving_on(desk_app(engine, clock), loopback_socket(), lifespan="on") as url:
        yield url


def test_the_thread_pool_is_sized_to_the_engines_connections(engine: Engine, clock: FakeClock) -> None:
    assert connection_capacity(engine) == POOL_SIZE + POOL_OVERFLOW
    assert worker_threads(engine) == (POOL_SIZE + POOL_OVERFLOW) // CONNECTIONS_A_THREAD
    with TestClient(desk_app(engine, clock)) as client:  # runs the app's lifespan
        tokens = client.portal.call(lambda: to_thread.current_default_thread_limiter().total_tokens)
    assert tokens == worker_threads(engine)


def test_an_in_memory_database_keeps_the_default_thread_pool(tmp_path: Path) -> None:
    memory = create_db_engine("sqlite://")
    assert connection_capacity(memory) is None
    assert worker_threads(memory) is None
    memory.dispose()


def test_desk_requests_served_at_once_each_apply_exactly_once(desk: str, engine: Engine) -> None:
    """Eight curators' browsers label posts and read the inbox at the same moment: every form is
    checked against its own session's CSRF token and applied once; every page shows its own curator."""

    def logged_in() -> httpx.Client:
        browser = httpx.Client(base_url=desk, timeout=60)
        token = re.search(r'name="csrf" value="([^"]+)"', browser.get("/login").text)
        assert token is not None
        answer = browser.post("/login", data={"email": CURATOR, "password": PASSWORD, "csrf": token.group(1)})
        assert answer.status_code == 303, answer.text
        return browser

    browsers = [logged_in() for _ in range(CLIENTS)]  # one by one: logins at once are throttled
    with ThreadPoolExecutor(CLIENTS) as pool:
        try:
            tokens = [re.findall(r'name="csrf" value="([^"]+)"', b.get("/desk").text)[0] for b in browsers]
            assert len(set(tokens)) == CLIENTS  # a desk session, and its token, for each browser

            def act(number: int) -> tuple[int, int, str]:
                browser, post_id = browsers[number], number % 5 + 1
                label = "question" if number < 5 else "tool"
                form = {"label_change": f"add:{label}", "csrf": tokens[number]}
                changed = browser.post(f"/desk/posts/{post_id}/labels", data=form)
                inbox = browser.get("/desk")
                return changed.status_code, inbox.status_code, inbox.text

            results = list(pool.map(act, range(CLIENTS)))
            forged = browsers[0].post(
                "/desk/posts/1/labels", data={"label_change": "add:tool", "csrf": tokens[1]}
            )
        finally:
            for browser in browsers:
                browser.close()
    assert [(changed, shown) for changed, shown, _ in results] == [(303, 200)] * CLIENTS
    assert all(CURATOR in page for _, _, page in results)
    assert forged.status_code == 403  # another browser's token is refused
    with session_scope(engine) as session:
        labels = label_repo.effective_labels(session, [1, 2, 3, 4, 5])
        corrections = {(post_id, lab.name) for post_id, found in labels.items() for lab in found}
    assert {(n % 5 + 1, "question" if n < 5 else "tool") for n in range(CLIENTS)} <= corrections
