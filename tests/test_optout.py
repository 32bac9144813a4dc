"""The permanent suppression list: `exemplar optout ACCT`, and "optout" sent to the bot."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner
from mastodon_mock.config import DatabaseConfig, MastodonMockConfig, SeedAccount, SeedConfig
from mastodon_mock.testing import MockServer
from sqlalchemy import Engine, select

from bot.cli import cli
from bot.config import MastodonSource
from bot.consent.optout_requests import optout_senders, process_optout_requests
from bot.jobs.collect import CollectOptions, Collector
from bot.networks.mastodon.client import MastodonClient
from bot.retry import RetryPolicy
from bot.secrets import Secret
from storage import digests as digest_repo
from storage.db import session_scope
from storage.models import Post
from tests.conftest import source_for

SEED = SeedConfig(
    accounts=[
        # Tokens for a mock server, not credentials.
        SeedAccount(username="exemplar", display_name="Exemplar", bot=True, access_token="bot_token"),
        SeedAccount(username="maria", display_name="María López", access_token="maria_token"),
        SeedAccount(username="sam", display_name="Sam Okafor", access_token="sam_token"),
    ]
)


def test_optout_words() -> None:
    def mention(text: str) -> dict[str, object]:
        return {
            "account": {"acct": "sam@x.example", "url": "https://x.example/@sam"},
            "status": {"content": text},
        }

    assert optout_senders([mention("<p>@exemplar optout</p>")]) == ["sam@x.example"]
    assert optout_senders([mention("<p>Please OPT-OUT me</p>"), mention("<p>opt out</p>")]) == [
        "sam@x.example"
    ]
    assert (
        optout_senders([mention("<p>great digest! #optoutside</p>"), mention("<p>I won't opt outright</p>")])
        == []
    )


def test_a_mention_saying_optout_suppresses_the_sender_for_good(
    tmp_path: Path, sqlite_engine: Engine, make_collector: Callable[..., Collector]
) -> None:
    config = MastodonMockConfig(domain="school.example", database=DatabaseConfig(path=":memory:"), seed=SEED)
    with MockServer(config=config) as server:
        server.client("sam").status_post("My flipped meeting #fliplead")
        server.client("maria").status_post("Ours too #fliplead")
        make_collector().collect((source_for(server),), CollectOptions())
        server.client("sam").status_post("@exemplar optout please", visibility="direct")
        server.client("maria").status_post("@exemplar thanks for the digest!")

        # The bot account reads its own notifications.
        bot = MastodonClient(
            MastodonSource(server.base_url, (), Secret("bot_token"), "bot"), RetryPolicy(max_retries=0), 2.0
        )

        def clock() -> datetime:
            return datetime.now(UTC)

        assert process_optout_requests(sqlite_engine, bot, clock) == ["sam@school.example"]
        assert process_optout_requests(sqlite_engine, bot, clock) == []  # already read

        server.client("sam").status_post("Another one #fliplead")
        [summary] = make_collector().collect((source_for(server),), CollectOptions())

    assert summary.skipped["asked to be left out"] == 1
    with session_scope(sqlite_engine) as session:
        assert {row.author_acct for row in session.scalars(select(Post))} == {"maria@school.example"}
        assert digest_repo.suppressed_accounts(session) == {"sam@school.example"}


def test_optout_command(tmp_path: Path) -> None:
    config = tmp_path / "exemplar.toml"
    config.write_text(
        'hashtags = ["fliplead"]\n[database]\nurl = "sqlite:///exemplar.db"\n', encoding="utf-8"
    )
    runner = CliRunner()
    first = runner.invoke(cli, ["--config", str(config), "optout", "@Sam@School.example"])
    assert first.exit_code == 0, first.output
    assert "sam@school.example added to the suppression list; 0 stored posts removed" in first.output
    again = runner.invoke(cli, ["--config", str(config), "optout", "sam@school.example"])
    assert "already on the suppression list" in again.output
    bad = runner.invoke(cli, ["--config", str(config), "optout", "sam"])
    assert bad.exit_code == 2
