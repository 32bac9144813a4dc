"""`exemplar serve --workers 2` for real: thirty password guesses sent at once, across worker
processes, and only the free attempts are checked; a session ended in one worker is ended in all."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from bot.passwords import hash_password
from storage.curators import add_curator
from storage.db import create_db_engine, session_scope, upgrade_schema
from tests.conftest import FakeClock
from tests.live_server import exemplar_serving

CURATOR = "curator@school.example"
PASSWORD = "flipped-meetings-2026"


@pytest.fixture
def server(tmp_path: Path, database_url: str, clock: FakeClock) -> Iterator[str]:
    engine = create_db_engine(database_url)
    upgrade_schema(engine)
    with session_scope(engine) as session:
        add_curator(session, CURATOR, hash_password(PASSWORD), clock())
    engine.dispose()
    config = tmp_path / "exemplar.toml"
    config.write_text(f'hashtags = ["fliplead"]\n[database]\nurl = "{database_url}"\n', encoding="utf-8")
    with exemplar_serving(config, tmp_path) as url:
        yield url


def login_form(client: httpx.Client, url: str) -> str:
    page = client.get(f"{url}/login")
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


def test_parallel_guesses_and_logout_across_workers(server: str) -> None:
    logout_in_one_worker_ends_the_session_in_every_worker(server)
    with httpx.Client(timeout=60) as browser:
        token = login_form(browser, server)
        cookies = dict(browser.cookies)

    def guess(number: int) -> int:
        with httpx.Client(timeout=60, cookies=cookies) as attacker:
            data = {"email": CURATOR, "password": f"guess-{number}", "csrf": token}
            return attacker.post(f"{server}/login", data=data).status_code

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(guess, range(30)))
    elapsed = time.monotonic() - started
    assert sorted(set(statuses)) == [401, 429]
    # The five free attempts, then one more each time a doubling wait (1 s, 2 s, 4 s...) ran out while
    # the guesses were still arriving; counted per worker, far more would get through.
    waits_elapsed = math.floor(math.log2(elapsed + 1)) + 1
    assert 5 <= statuses.count(401) <= 5 + waits_elapsed, (statuses, elapsed)


def logout_in_one_worker_ends_the_session_in_every_worker(server: str) -> None:
    with httpx.Client(timeout=30) as browser:
        token = login_form(browser, server)
        logged_in = browser.post(
            f"{server}/login", data={"email": CURATOR, "password": PASSWORD, "csrf": token}
        )
        assert logged_in.status_code == 303
        copied = browser.cookies["exemplar_desk"]
        desk = browser.get(f"{server}/desk")
        assert desk.status_code == 200
        csrf = re.search(r'name="csrf" value="([^"]+)"', desk.text).group(1)  # type: ignore[union-attr]
        assert browser.post(f"{server}/logout", data={"csrf": csrf}).status_code == 303
    # Many requests with the copied cookie: whichever worker answers, the desk stays shut.
    for _ in range(6):
        with httpx.Client(timeout=30, cookies={"exemplar_desk": copied}) as thief:
            assert thief.get(f"{server}/desk").status_code == 303
