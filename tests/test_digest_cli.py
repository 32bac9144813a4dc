"""The curator's digest commands, end to end through the CLI against a local Mastodon server."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from mastodon_mock.config import DatabaseConfig, MastodonMockConfig, SeedAccount, SeedConfig
from mastodon_mock.testing import MockServer

from bot.cli import cli

SEED = SeedConfig(
    accounts=[
        # Tokens for a mock server, not credentials.
        SeedAccount(username="exemplar", display_name="Exemplar", bot=True, access_token="bot_token"),
        SeedAccount(username="maria", display_name="María López", access_token="maria_token"),
        SeedAccount(username="sam", display_name="Sam Okafor", access_token="sam_token"),
    ]
)


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, MockServer]]:
    config = MastodonMockConfig(domain="school.example", database=DatabaseConfig(path=":memory:"), seed=SEED)
    server = MockServer(config=config).start()
    server.client("maria").status_post("Our flipped briefing: https://youtu.be/Xc4ZsXq1a2Y #fliplead")
    server.client("sam").status_post("Anyone tried Screencastify for parent newsletters? #fliplead")
    monkeypatch.setenv("BOT_TOKEN", "bot_token")
    path = tmp_path / "exemplar.toml"
    path.write_text(
        f"""hashtags = ["fliplead"]
[database]
url = "sqlite:///exemplar.db"
[collect]
request_timeout = 5
[[mastodon]]
base_url = "{server.base_url}"
[publish.mastodon]
base_url = "{server.base_url}"
access_token_env = "BOT_TOKEN"
[email]
from = "digest@school.example"
recipients = ["head@oakfield.example"]
""",
        encoding="utf-8",
    )
    yield path, server
    server.stop()


def run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)


def test_the_curator_cycle(setup: tuple[Path, MockServer]) -> None:
    config, server = setup
    assert run(config, "collect").exit_code == 0
    start = (datetime.now(UTC) - timedelta(days=3)).strftime("%Y-%m-%d")

    drafted = run(config, "digest", "draft", "--start", start, "--json", "--by", "claire")
    data = json.loads(drafted.output)
    digest_id = data["id"]
    assert data["status"] == "draft"
    assert [len(data["sections"][s]) for s in ("video", "tool", "question")] == [1, 0, 1]
    question = data["sections"]["question"][0]
    assert question["author_name"] == "Sam Okafor"
    assert "Screencastify" in question["tools"]

    listed = run(config, "digest", "list").output
    assert f"{digest_id}  draft" in listed.replace("    ", "")

    edited = run(
        config,
        "digest",
        "edit",
        str(digest_id),
        "--blurb",
        str(question["post_id"]),
        "A question worth answering",
        "--intro",
        "Two good posts this week.",
        "--by",
        "claire",
    )
    assert edited.exit_code == 0, edited.output
    assert "2 edits applied" in edited.output

    text = run(config, "digest", "show", str(digest_id)).output
    assert "Two good posts this week." in text
    assert "A question worth answering" in text
    thread = run(config, "digest", "show", str(digest_id), "--format", "thread").output
    assert "--- part 1 of 3" in thread
    assert "#fliplead" in thread
    email = run(config, "digest", "show", str(digest_id), "--format", "email").output
    assert "Subject: #fliplead exemplars" in email
    assert (
        "List-Unsubscribe: <http://127.0.0.1:8000/unsubscribe?email=head%40oakfield.example&token=" in email
    )

    refused = CliRunner().invoke(cli, ["--config", str(config), "digest", "publish", str(digest_id)])
    assert refused.exit_code == 1
    assert "only approved digests publish" in refused.output

    assert "is approved" in run(config, "digest", "approve", str(digest_id), "--by", "claire").output
    dry = run(config, "digest", "publish", str(digest_id), "--dry-run")
    # The video keeps its own link beside the link to its post: 3 links.
    assert "Mastodon: would post a thread of 3 posts with 3 links:" in dry.output
    assert "would email 1 leaders: head@oakfield.example" in dry.output
    bot = server.client("exemplar")
    assert not bot.account_statuses(bot.me())  # a dry run posts nothing

    published = run(config, "digest", "publish", str(digest_id), "--by", "claire")
    assert "Mastodon: 3 of 3 posts posted now; the thread starts at http" in published.output
    assert "emails: 1 sent" in published.output
    assert f"digest {digest_id} is published" in published.output
    again = run(config, "digest", "publish", str(digest_id))
    assert "Mastodon: 0 of 3 posts posted now" in again.output
    assert "emails: 0 sent, 1 already sent" in again.output
    assert len(list((config.parent / "outbox").glob("*.eml"))) == 1

    history = run(config, "digest", "show", str(digest_id), "--history").output
    for action in ("drafted", "edit:blurb", "edit:intro", "approved", "published"):
        assert action in history
    assert "claire" in history


def test_edit_needs_something_to_do(setup: tuple[Path, MockServer]) -> None:
    config, _ = setup
    result = CliRunner().invoke(cli, ["--config", str(config), "digest", "edit", "1"])
    assert result.exit_code == 2
    assert "nothing to do" in result.output


def test_unknown_digest(setup: tuple[Path, MockServer]) -> None:
    config, _ = setup
    result = CliRunner().invoke(cli, ["--config", str(config), "digest", "show", "99"])
    assert result.exit_code == 1
    assert "no digest 99" in result.output


def test_exclude_command(setup: tuple[Path, MockServer]) -> None:
    config, _ = setup
    assert "excluded domain youtu.be" in run(config, "exclude", "domain", "www.YouTu.be").output.lower()
    assert (
        "excluded author sam@school.example" in run(config, "exclude", "author", "@Sam@school.example").output
    )


def test_each_network_previews_its_thread_cut_by_its_own_measure(setup: tuple[Path, MockServer]) -> None:
    from bot.cli.digest import THREAD_FORMATS
    from bot.config import find_config, load_settings
    from bot.networks.registry import network_named
    from digests.render.measure import BLUESKY_MEASURE, X_MEASURE

    config, _server = setup
    assert run(config, "collect").exit_code == 0
    start = (datetime.now(UTC) - timedelta(days=3)).strftime("%Y-%m-%d")
    digest_id = json.loads(run(config, "digest", "draft", "--start", start, "--json").output)["id"]
    settings = load_settings(find_config(config))

    networks = {name: network_named(name) for name in THREAD_FORMATS.values()}
    assert None not in networks.values()
    for fmt, name in THREAD_FORMATS.items():
        network = networks[name]
        assert network is not None
        measure = network.preview_measure(settings)
        preview = run(config, "digest", "show", str(digest_id), "--format", fmt)
        assert preview.exit_code == 0, preview.output
        parts = [part.split("\n", 1)[1].strip() for part in preview.output.split("--- part ")[1:]]
        assert parts, preview.output
        assert all(measure.length(part) <= measure.limit for part in parts)
    measures = {name: network.preview_measure(settings) for name, network in networks.items() if network}
    assert measures["x"] is X_MEASURE
    assert measures["bluesky"] is BLUESKY_MEASURE
    assert measures["mastodon"].network == "mastodon"


# Runs the command in this new process, then says whether SQLAlchemy configured the ORM's mappers.
FRESH_DRAFT = """
import sys
from bot.cli.root import cli
from storage.models import Post
cli.main(sys.argv[1:], standalone_mode=False)
print("mappers configured:", Post.__mapper__.configured)
"""


def test_a_draft_in_a_fresh_process_never_configures_the_orm(setup: tuple[Path, MockServer]) -> None:
    """`exemplar digest draft` reads and writes over the tables only, so the first draft in a process
    does not pay SQLAlchemy's one-off mapper configuration (see benchmarks/digest.py)."""
    config, _server = setup
    assert run(config, "collect").exit_code == 0
    start = (datetime.now(UTC) - timedelta(days=3)).strftime("%Y-%m-%d")
    command = ["--config", str(config), "digest", "draft", "--no-refresh", "--start", start, "--json"]
    for _draft_then_redraft in range(2):
        done = subprocess.run(
            [sys.executable, "-c", FRESH_DRAFT, *command],
            capture_output=True,
            text=True,
            cwd=config.parent,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        shown, _, configured = done.stdout.rpartition("mappers configured:")
        data = json.loads(shown)
        assert [len(data["sections"][s]) for s in ("video", "tool", "question")] == [1, 0, 1]
        assert "Screencastify" in data["sections"]["question"][0]["tools"]
        assert configured.strip() == "False"
    listed = run(config, "digest", "list").output
    assert listed.count("draft") == 1
