"""A desk to test against: stored posts, digests and a curator on a real database, and helpers to
log in and read forms."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from starlette.testclient import TestClient

from bot.config import settings_from_mapping
from bot.jobs.digest import DigestService
from bot.jobs.store import PostStore
from bot.networks.mastodon.normalise import normalise_status
from bot.passwords import hash_password
from bot.web.app import create_app
from bot.web.security import LoginLimiter
from storage.curators import add_curator
from storage.db import session_scope
from tests.conftest import FakeClock
from tests.payloads import account, hashtag_link, status, url_link

CURATOR = "curator@school.example"
PASSWORD = "flipped-meetings-2026"
SETTINGS = settings_from_mapping(
    {"hashtags": ["fliplead"], "digest": {"timezone": "Europe/London"}}, path=Path("x"), environ={}
)


def fill_site(engine: Engine, now: datetime) -> dict[str, int]:
    """Three YouTube videos (two by María), a Padlet tool post, an unlabelled question; a draft."""
    created = (now - timedelta(days=3)).isoformat()
    tag = hashtag_link("fliplead")
    posts = [
        status(
            "1",
            content=f"<p>Briefing {url_link('https://youtu.be/Xc4ZsXq1a2Y')} {tag}</p>",
            created_at=created,
        ),
        status(
            "2",
            content=f"<p>Part two {url_link('https://www.youtube.com/watch?v=abcdefghijk')} {tag}</p>",
            created_at=created,
        ),
        status(
            "3",
            author=account("sam", display_name="Sam Okafor"),
            content=f"<p>Staff questions on Padlet {url_link('https://padlet.com/r/q')} {tag}</p>",
            created_at=created,
        ),
        status(
            "4",
            author=account("lee", display_name="Lee Chen"),
            content=f"<p>We loved the new marking policy {tag}</p>",
            created_at=created,
        ),
        status(
            "5",
            author=account("kim", display_name="Kim Park"),
            content=f"<p>Our clip {url_link('https://m.youtube.com/watch?v=zzzzzzzzzzz')} {tag}</p>",
            created_at=created,
        ),
    ]
    store = PostStore()
    with session_scope(engine) as session:
        store.save(session, [normalise_status(p) for p in posts], seen=None, now=now)
        add_curator(session, CURATOR, hash_password(PASSWORD), now)
    service = DigestService(engine, SETTINGS, store, lambda: now, actor=CURATOR)
    # A week ending at midnight London time: its exclusive end must not show as a day of the period.
    start = datetime(2026, 11, 16, tzinfo=UTC)
    draft = service.draft((start, start + timedelta(days=7))).digest_id
    recent = service.draft((now - timedelta(days=6), now + timedelta(hours=1))).digest_id
    return {"week": draft, "draft": recent}


def desk_app(engine: Engine, clock: FakeClock, limiter: LoginLimiter | None = None) -> Any:
    return create_app(engine, clock, SETTINGS, PostStore(), limiter=limiter)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def log_in(client: TestClient, email: str = CURATOR, password: str = PASSWORD) -> Any:
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"email": email, "password": password, "csrf": token})


def flash_of(html: str) -> str:
    match = re.search(r'<p class="flash" role="status">(.*?)</p>', html, re.S)
    return match.group(1) if match else ""
