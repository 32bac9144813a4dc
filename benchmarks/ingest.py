"""Ingest benchmark: how fast Exemplar stores posts, and how many requests a collection costs.

    python benchmarks/ingest.py [--store N] [--collect N]

(a) store-only: normalise, screen and upsert N statuses (default 50,000) in batches of 500 into a
    fresh SQLite file, as ``exemplar import`` does. The statuses are cloned from real responses
    recorded from a local Mastodon-compatible server. Reports posts/s and the resident memory after
    each fifth of the run (flat memory means those figures stay level).
(b) end to end: collect N posts (default 20,000) from a local mastodon_mock over HTTP, from an empty
    database. Reports posts/s and requests made against the ceil(N/40)+1 target.
"""

from __future__ import annotations

import argparse
import copy
import math
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from mastodon_mock.config import DatabaseConfig, MastodonMockConfig, SeedAccount, SeedConfig
from mastodon_mock.testing import MockServer

from bot.cli.demo import demo_data
from bot.config import CollectSettings, MastodonSource
from bot.consent.screen import screen
from bot.jobs.collect import CollectOptions, Collector
from bot.networks.mastodon.client import to_plain
from bot.networks.mastodon.normalise import normalise_status
from bot.networks.mastodon.timeline import account_of_status
from bot.retry import RetryPolicy
from storage import repository as repo
from storage.db import create_db_engine, session_scope, upgrade_schema

BATCH = 500
SEED = SeedConfig(
    accounts=[
        # Benchmark-only tokens for a throwaway local server.
        SeedAccount(
            username=a["username"], display_name=a["display_name"], access_token=f"bench-{a['username']}"
        )
        for a in demo_data()["accounts"]
        if "#nobot" not in a["note"]
    ]
)


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def record_statuses(count: int) -> list[dict[str, Any]]:
    """Real API responses: post through a local server and read the hashtag timeline back."""
    posts = demo_data()["posts"]
    with MockServer(seed=SEED) as server:
        users = [a.username for a in SEED.accounts]
        for i in range(count):
            server.client(users[i % len(users)]).status_post(posts[i % len(posts)]["text"])
        reader = server.client(users[0])
        recorded: list[dict[str, Any]] = []
        max_id = None
        while len(recorded) < count:
            page = reader.timeline_hashtag("fliplead", limit=40, max_id=max_id)
            if not page:
                break
            recorded.extend(to_plain(status) for status in page)
            max_id = page[-1].id
    return recorded


def cloned(recorded: list[dict[str, Any]], total: int) -> Iterator[dict[str, Any]]:
    """``total`` distinct statuses cloned from the recorded ones (new ids, URIs and times)."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(total):
        status = copy.deepcopy(recorded[n % len(recorded)])
        status_id = str(10**15 + n)
        status["id"] = status_id
        status["uri"] = status["url"] = f"https://bench.example/@{status['account']['username']}/{status_id}"
        status["created_at"] = (start + timedelta(seconds=n)).isoformat().replace("+00:00", "Z")
        yield status


def bench_store(total: int, workdir: Path) -> None:
    recorded = record_statuses(200)
    engine = create_db_engine(f"sqlite:///{workdir / 'store.db'}")
    upgrade_schema(engine)
    statuses = cloned(recorded, total)
    stored = 0
    checkpoints = {math.ceil(total * k / 5) for k in range(1, 6)}
    rss_samples: list[str] = []
    elapsed = 0.0
    while stored < total:
        batch = [next(statuses) for _ in range(min(BATCH, total - stored))]
        began = time.perf_counter()  # cloning the test data is not part of what is measured
        screened = screen(batch, normalise_status, account_of_status, where="bench")
        with session_scope(engine) as session:
            repo.save_posts(session, screened.posts, seen=None, now=datetime.now(UTC))
        elapsed += time.perf_counter() - began
        before = stored
        stored += len(batch)
        if any(before < point <= stored for point in checkpoints):
            rss_samples.append(f"{stored}: {rss_mib():.0f} MiB")
    with session_scope(engine) as session:
        assert repo.count_posts(session) == total
    print(f"(a) store-only: {total} statuses in {elapsed:.1f} s = {total / elapsed:,.0f} posts/s")
    print(f"    resident memory after: {'; '.join(rss_samples)}")


def seed_timeline(database: Path, total: int) -> None:
    """Write ``total`` #fliplead statuses straight into the mock server's database (the API is too slow)."""
    posts = demo_data()["posts"]
    with sqlite3.connect(database) as db:
        account_ids = [row[0] for row in db.execute("SELECT id FROM accounts ORDER BY id")]
        base_id = 10**12
        now = datetime.now(UTC).replace(tzinfo=None)
        rows = []
        tags = []
        for n in range(total):
            status_id = base_id + 2 * n
            text = posts[n % len(posts)]["text"]
            rows.append(
                (
                    status_id,
                    account_ids[n % len(account_ids)],
                    f"<p>{text}</p>",
                    text,
                    (now - timedelta(seconds=total - n)).isoformat(sep=" "),
                    False,
                    "",
                    "public",
                    "en",
                    "accepted",
                    "public",
                    "[]",
                )
            )
            tags.append((status_id + 1, status_id, "fliplead"))
        db.executemany(
            "INSERT INTO statuses (id, account_id, content, text, created_at, sensitive, spoiler_text,"
            " visibility, language, quote_state, quote_approval_policy, edit_history)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        db.executemany("INSERT INTO status_tags (id, status_id, name) VALUES (?,?,?)", tags)


def bench_collect(total: int, workdir: Path) -> None:
    mock_db = workdir / "mock.sqlite"
    config = MastodonMockConfig(domain="bench.example", database=DatabaseConfig(path=str(mock_db)), seed=SEED)
    with MockServer(config=config) as server:
        seed_timeline(mock_db, total)
        engine = create_db_engine(f"sqlite:///{workdir / 'collect.db'}")
        upgrade_schema(engine)
        settings = CollectSettings(backfill_days=3650)
        collector = Collector(
            engine=engine,
            settings=settings,
            clock=lambda: datetime.now(UTC),
            policy=RetryPolicy(max_retries=2),
        )
        source = MastodonSource(
            base_url=server.base_url, hashtags=("fliplead",), access_token=None, name="bench"
        )
        began = time.perf_counter()
        [summary] = collector.collect((source,), CollectOptions())
        elapsed = time.perf_counter() - began
    assert summary.ok, summary.errors
    target = math.ceil(total / 40) + 1
    print(
        f"(b) end to end: {summary.new} of {total} posts in {elapsed:.1f} s "
        f"= {summary.new / elapsed:,.0f} posts/s; {summary.requests} requests (target at most {target})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--store", type=int, default=50_000, help="statuses for the store-only run (0 skips it)"
    )
    parser.add_argument(
        "--collect", type=int, default=20_000, help="posts for the end-to-end run (0 skips it)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="exemplar-bench-") as tmp:
        if args.store:
            bench_store(args.store, Path(tmp))
        if args.collect:
            bench_collect(args.collect, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
