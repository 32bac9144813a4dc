"""Ingest benchmark: how fast Exemplar stores posts, and how many requests a collection costs.

    python benchmarks/ingest.py [--store N] [--collect N]

(a) import: N statuses (default 50,000, cloned from real responses recorded from a local
    Mastodon-compatible server) saved as JSON lines, then ``exemplar import --format mastodon`` of
    that file into a fresh SQLite database, as a user runs it (a subprocess: read, normalise, screen,
    classify, store; the default ``--jobs``, one worker per usable CPU), again (every record unchanged:
    skipped by its stored payload digest), and with ``--jobs 1`` (all in one process). The
    peer, in the same run: ``sqlite-utils insert --nl --pk uri`` of the same file (a raw insert, no
    normalising), and again with ``--ignore``. Prints each rate and the ratio to the peer (the
    machines here are noisy: the ratios are what count).
(b) end to end: collect N posts (default 20,000) from a local mastodon_mock over HTTP, from an empty
    database. Reports posts/s and requests made against the ceil(N/40)+1 target.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import sqlite3
import subprocess
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
from bot.jobs.collect import CollectOptions, Collector
from bot.jobs.import_pool import usable_cpus
from bot.networks.mastodon.client import to_plain
from bot.retry import RetryPolicy
from storage.db import create_db_engine, upgrade_schema

BATCH = 500
REIMPORT_TARGET = 20_000  # posts/s for a re-import of unchanged records (issue 15)
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


def timed_run(command: list[str], cwd: Path) -> float:
    began = time.perf_counter()
    answer = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - began
    if answer.returncode:
        sys.exit(f"{' '.join(command)} failed: {answer.stderr.strip()}")
    return elapsed


def exemplar_command(workdir: Path, database: str) -> list[str]:
    """``exemplar`` as a user runs it, on a fresh SQLite database of its own."""
    config = workdir / f"{database}.toml"
    config.write_text(
        f'hashtags = ["fliplead"]\n[database]\nurl = "sqlite:///{database}"\n', encoding="utf-8"
    )
    exemplar = [sys.executable, "-c", "from bot.cli import main; main()", "--config", str(config)]
    timed_run([*exemplar, "db", "upgrade"], workdir)
    return exemplar


def bench_import(total: int, workdir: Path) -> None:
    recorded = record_statuses(200)
    export = workdir / "statuses.jsonl"
    with export.open("w", encoding="utf-8") as handle:
        for status in cloned(recorded, total):
            handle.write(json.dumps(status) + "\n")
    exemplar = exemplar_command(workdir, "import.db")
    alone = exemplar_command(workdir, "import-alone.db")
    imported = timed_run([*exemplar, "import", "--format", "mastodon", str(export)], workdir)
    reimported = timed_run([*exemplar, "import", "--format", "mastodon", str(export)], workdir)
    in_process = timed_run([*alone, "import", "--format", "mastodon", "--jobs", "1", str(export)], workdir)
    for database in ("import.db", "import-alone.db"):
        with sqlite3.connect(workdir / database) as db:
            assert db.execute("SELECT count(*) FROM posts").fetchone()[0] == total
    sqlite_utils = [str(Path(sys.executable).with_name("sqlite-utils")), "insert", "peer.db", "posts"]
    raw = timed_run([*sqlite_utils, str(export), "--nl", "--pk", "uri"], workdir)
    raw_again = timed_run([*sqlite_utils, str(export), "--nl", "--pk", "uri", "--ignore"], workdir)

    def line(what: str, seconds: float, peer: float, peer_name: str) -> str:
        return (
            f"    {what:<34} {total / seconds:>8,.0f} posts/s  ({seconds:5.1f} s)  "
            f"{peer / seconds:4.2f}x {peer_name} ({total / peer:,.0f} posts/s)"
        )

    print(
        f"(a) import of {total:,} statuses (JSON lines, {export.stat().st_size / 2**20:.0f} MiB); "
        f"default --jobs here: {usable_cpus()}"
    )
    print(line("exemplar import (new records)", imported, raw, "sqlite-utils insert --nl --pk uri"))
    print(line("exemplar import --jobs 1 (new)", in_process, raw, "sqlite-utils insert --nl --pk uri"))
    print(line("exemplar import again (unchanged)", reimported, raw_again, "sqlite-utils insert --ignore"))
    print(
        f"    targets (issue 15): new records at least 1.00x the raw insert; unchanged at least "
        f"{REIMPORT_TARGET:,} posts/s (here {total / reimported:,.0f}, "
        f"{total / reimported / REIMPORT_TARGET:.2f}x the target)"
    )


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
    parser.add_argument("--store", type=int, default=50_000, help="statuses for the import run (0 skips it)")
    parser.add_argument(
        "--collect", type=int, default=20_000, help="posts for the end-to-end run (0 skips it)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="exemplar-bench-") as tmp:
        if args.store:
            bench_import(args.store, Path(tmp))
        if args.collect:
            bench_collect(args.collect, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
