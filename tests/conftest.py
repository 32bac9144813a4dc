"""Shared fixtures: real databases (a SQLite file; PostgreSQL when configured) and real Mastodon servers."""

from __future__ import annotations

import os
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from mastodon_mock.config import DatabaseConfig, MastodonMockConfig, SeedAccount, SeedConfig
from mastodon_mock.testing import MockServer
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from bot.config import CollectSettings, MastodonSource
from bot.jobs.collect import Collector
from bot.posts import Post
from bot.retry import RetryPolicy
from storage.db import create_db_engine, upgrade_schema

POSTGRES_URL_ENV = "EXEMPLAR_TEST_DATABASE_URL"

# Educators on the local instance: tokens are fixtures for a mock server, not credentials.
EDUCATOR_SEED = SeedConfig(
    accounts=[
        SeedAccount(username="maria", display_name="María López", access_token="maria_token"),
        SeedAccount(username="sam", display_name="Sam Okafor", access_token="sam_token"),
        SeedAccount(username="lee", display_name="Lee Chen", access_token="lee_token"),
        SeedAccount(username="optout", display_name="Private Principal", access_token="optout_token"),
    ]
)


def _database_backends() -> list[Any]:
    backends: list[Any] = ["sqlite"]
    if os.environ.get(POSTGRES_URL_ENV):
        backends.append(pytest.param("postgresql", marks=pytest.mark.postgres))
    return backends


@pytest.fixture(params=_database_backends())
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a new PostgreSQL database dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'exemplar.db'}"
        return
    admin_url = make_url(os.environ[POSTGRES_URL_ENV])
    name = f"exemplar_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a fresh database with the schema applied through the migrations."""
    db_engine = create_db_engine(database_url)
    upgrade_schema(db_engine)
    yield db_engine
    db_engine.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite file, for tests about collection rather than about storage."""
    db_engine = create_db_engine(f"sqlite:///{tmp_path / 'collect.db'}")
    upgrade_schema(db_engine)
    yield db_engine
    db_engine.dispose()


def start_instance(tmp_path: Path, domain: str) -> MockServer:
    """A started mock Mastodon instance with educator accounts, its state in a SQLite file."""
    config = MastodonMockConfig(
        domain=domain,
        database=DatabaseConfig(path=str(tmp_path / f"{domain}.sqlite")),
        seed=EDUCATOR_SEED,
    )
    return MockServer(config=config).start()


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[MockServer]:
    server = start_instance(tmp_path, "school.example")
    yield server
    server.stop()


@pytest.fixture
def second_instance(tmp_path: Path) -> Iterator[MockServer]:
    server = start_instance(tmp_path, "district.example")
    yield server
    server.stop()


class FakeClock:
    """A clock tests move by hand; ``sleep`` advances it instead of waiting."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def epoch(self) -> float:
        return self.now.timestamp()

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def source_for(server: MockServer, *hashtags: str, name: str | None = None) -> MastodonSource:
    return MastodonSource(
        base_url=server.base_url,
        hashtags=hashtags or ("fliplead",),
        access_token=None,
        name=name or server.config.domain,
    )


@pytest.fixture
def make_collector(sqlite_engine: Engine, clock: FakeClock) -> Callable[..., Collector]:
    """A collector on the SQLite test database whose retries never really sleep."""

    def build(engine: Engine | None = None, **settings: Any) -> Collector:
        collect_settings = CollectSettings(**{"request_timeout": 2.0, "backoff_seconds": 0.01, **settings})
        policy = RetryPolicy(
            max_retries=collect_settings.max_retries,
            backoff_seconds=collect_settings.backoff_seconds,
            max_rate_limit_wait=collect_settings.max_rate_limit_wait,
            sleep=clock.sleep,
            clock=clock.epoch,
        )
        return Collector(
            engine=engine or sqlite_engine, settings=collect_settings, clock=clock, policy=policy
        )

    return build


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Expose each phase's report on the test item (browser tests take a screenshot on failure)."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"rep_{report.when}", report)


PUBLISHING_SEED = SeedConfig(
    accounts=[
        # Tokens for a mock server, not credentials.
        SeedAccount(username="exemplar", display_name="Exemplar", bot=True, access_token="bot_token"),
        SeedAccount(username="notabot", display_name="Human", access_token="human_token"),
        SeedAccount(username="maria", display_name="María López", access_token="maria_token"),
        SeedAccount(username="sam", display_name="Sam Okafor", access_token="sam_token"),
        SeedAccount(username="lee", display_name="Lee Chen", access_token="lee_token"),
    ]
)


@pytest.fixture
def network() -> Iterator[MockServer]:
    """A Mastodon server with the bot account that publishes digests, a human and three educators."""
    config = MastodonMockConfig(
        domain="school.example", database=DatabaseConfig(path=":memory:"), seed=PUBLISHING_SEED
    )
    with MockServer(config=config) as server:
        yield server


@pytest.fixture
def normalised(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many times each status id went through the real Mastodon normaliser during an import."""
    from bot.jobs import imports
    from bot.networks.mastodon import normalise as mastodon
    from bot.networks.payload import Normaliser

    calls: Counter[str] = Counter()
    real = mastodon.NORMALISER

    def counting(record: Mapping[str, Any]) -> Post:
        calls[str(record.get("id"))] += 1
        return real.normalise(record)

    fmt = imports.FORMATS["mastodon"]
    counted = Normaliser(normalise=counting, account_of=real.account_of)
    monkeypatch.setitem(imports.FORMATS, "mastodon", imports.ImportFormat(fmt.read, counted))
    return calls
