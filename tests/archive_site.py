"""Building a published archive for web tests: posts stored and classified, digests drafted, approved
and published through the real services, answers to questions stored as the refresh stores them."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from mastodon_mock.config import DatabaseConfig, MastodonMockConfig
from sqlalchemy import Engine, select

from bot.config import Settings, settings_from_mapping
from bot.jobs.digest import DigestService
from bot.jobs.store import PostStore
from bot.networks.mastodon.normalise import normalise_status
from storage import digests as digest_repo
from storage.db import session_scope
from storage.models import Post, QuestionAnswer
from storage.repository import SeenThrough
from tests.conftest import EDUCATOR_SEED
from tests.live_server import loopback_socket, serving_on
from tests.payloads import account, hashtag_link, status, url_link

PUBLIC_URL = "https://archive.school.example"


def archive_settings(public_url: str = PUBLIC_URL, page_size: int = 20, **digest: Any) -> Settings:
    return settings_from_mapping(
        {
            "hashtags": ["fliplead"],
            "digest": {"timezone": "UTC", **digest},
            "archive": {"public_url": public_url, "page_size": page_size},
        },
        path=Path("x"),
        environ={},
    )


def post(
    post_id: str,
    words: str,
    *,
    user: str,
    name: str,
    created: datetime,
    link: str | None = None,
    domain: str | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A public #fliplead status by ``user``, with ``words`` and an optional link."""
    linked = f" {url_link(link)}" if link else ""
    return status(
        post_id,
        author=account(user, domain=domain, display_name=name),
        content=f"<p>{words}{linked} {hashtag_link('fliplead')}</p>",
        created_at=created.isoformat(),
        **overrides,
    )


def publish_week(
    engine: Engine,
    settings: Settings,
    statuses: Sequence[dict[str, Any]],
    *,
    start: datetime,
    published_at: datetime,
    answers: Mapping[str, Sequence[tuple[str, str]]] | None = None,
    store: PostStore | None = None,
    seen: SeenThrough | None = None,
) -> int:
    """Store ``statuses``, then draft, approve and publish the week from ``start``; returns its id.

    ``answers`` maps a status id to (name, url) pairs of people who answered it.
    """
    store = store or PostStore()
    posts = [normalise_status(s) for s in statuses]
    with session_scope(engine) as session:
        store.save(session, posts, seen=seen, now=published_at)
        for status_id, answered in (answers or {}).items():
            uri = next(p.uri for p in posts if p.uri.endswith(f"/{status_id}"))
            post_id = session.scalars(select(Post.id).where(Post.uri == uri)).one()
            digest_repo.replace_answers(
                session,
                post_id,
                [
                    QuestionAnswer(
                        post_id=post_id,
                        answer_uri=f"{url}#uri",
                        answer_url=url,
                        author_acct=f"{name.split()[0].lower()}@answers.example",
                        author_name=name,
                        created_at=start + timedelta(days=1),
                    )
                    for name, url in answered
                ],
            )
    service = DigestService(engine, settings, store, lambda: published_at, actor="curator@school.example")
    digest_id = service.draft((start, start + timedelta(days=7))).digest_id
    service.transition(digest_id, "approve")
    service.transition(digest_id, "publish")
    return digest_id


def week_start(weeks_ago: int) -> datetime:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=7 * weeks_ago + today.weekday())


def flipped_week_posts(first: datetime, week: int) -> list[dict[str, Any]]:
    """Four posts of one archive week, counted from ``first``: two videos, a tool and a question."""
    at = first + timedelta(weeks=week, days=2)
    return [
        post(f"{week}01", f"Our flipped staff video, week {week}", user="ana", name="Ana Pérez",
             created=at, link=f"https://youtu.be/Wk{week:02d}vid0001"),
        post(f"{week}02", f"A flipped video on feedback, week {week}", user="ben", name="Ben Ode",
             created=at + timedelta(hours=3), link=f"https://youtu.be/Wk{week:02d}vid0002"),
        post(f"{week}03", f"Questions on a Padlet wall before meetings, week {week}", user="sam",
             name="Sam Okafor", created=at + timedelta(hours=5), link=f"https://padlet.com/s/w{week}"),
        post(f"{week}04", f"How do you keep flipped video meetings short, week {week}? Any advice?",
             user="kim", name="Kim Park", created=at + timedelta(hours=7)),
    ]  # fmt: skip


@contextmanager
def instance_on_loopback(directory: Path) -> Iterator[str]:
    """A mastodon_mock instance whose own address is its domain (``127.0.0.1:PORT``, plain http), so
    the profile URLs it gives out are where it really is, as on a real instance; yields its URL."""
    from mastodon_mock.app import create_app

    sock = loopback_socket()
    port = sock.getsockname()[1]
    config = MastodonMockConfig(
        domain=f"127.0.0.1:{port}",
        url_scheme="http",
        database=DatabaseConfig(path=str(directory / f"instance-{port}.sqlite")),
        seed=EDUCATOR_SEED,
    )
    with serving_on(create_app(config), sock, lifespan="on") as url:
        yield url


def local_author(instance: str, username: str, name: str) -> dict[str, Any]:
    """An account payload as ``instance`` gives it for one of its own users."""
    return account(
        username, display_name=name, url=f"{instance}/@{username}", uri=f"{instance}/users/{username}"
    )


def sign_in_at_instance(location: str, username: str) -> str:
    """What the author's browser does at their instance: open the authorize page Exemplar sent it to,
    pick the account, and follow the instance's redirect back. Returns the callback URL."""
    with httpx.Client(timeout=10) as browser:
        picker = browser.get(location)
        assert picker.status_code == 200, picker.text
        fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', picker.text))
        instance = location.split("/oauth/")[0]
        chosen = browser.post(f"{instance}/oauth/authorize", data={**fields, "username": username})
    assert chosen.status_code == 302, chosen.text
    return chosen.headers["location"]
