"""Digest benchmark: draft a weekly digest over an archive of N posts (default 1,000,000).

    python benchmarks/digest.py [--posts N] [--weeks W] [--keep PATH]

Builds a SQLite archive of N posts spread evenly over W weeks (default 156: three years), about half
of them labelled (video, tool or question) and all carrying #fliplead, then times what
`exemplar digest draft --no-refresh` does once it has opened the app: draft the last week's digest
(selection, diversity rules, storing the draft; no network), read it back as a view and render it as
text. First in a fresh process (SQLAlchemy's one-off set-up included: the timing always runs in a new
process), then the median of five more in the same process (the scheduler's case), wall and CPU time.

For reference it reads the same candidates (the week's tagged posts with a label row, and their
label rows) with the sqlite3 module alone, in the same run, and prints the draft's ratio to that.
Target: under 150 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from bot.config import settings_from_mapping
from bot.jobs.digest import DigestService, DraftReport
from bot.jobs.store import PostStore
from digests.model import Digest
from digests.period import last_week
from digests.render.text import render_text
from storage.db import create_db_engine, upgrade_schema

LABELS = ("video", "tool", "question")
NOW = datetime(2026, 11, 25, 9, tzinfo=UTC)


def build_archive(path: Path, posts: int, weeks: int) -> None:
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade_schema(engine)
    engine.dispose()
    rng = random.Random(7)
    span = timedelta(weeks=weeks).total_seconds()
    start = NOW - timedelta(weeks=weeks)
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA synchronous=OFF")
        batch_posts, batch_tags, batch_labels = [], [], []
        for n in range(1, posts + 1):
            created = (start + timedelta(seconds=span * n / posts)).replace(tzinfo=None).isoformat(sep=" ")
            author = f"leader{rng.randrange(5000)}@school{rng.randrange(50)}.example"
            link = json.dumps([f"https://youtu.be/v{rng.randrange(posts)}"]) if n % 3 == 0 else "[]"
            batch_posts.append(
                (
                    n,
                    f"https://school.example/users/x/statuses/{n}",
                    f"https://school.example/@x/{n}",
                    "mastodon",
                    author,
                    "A Leader",
                    "https://school.example/@x",
                    created,
                    f"Post {n} #fliplead",
                    f"<p>Post {n}</p>",
                    "",
                    0,
                    "en",
                    "public",
                    link,
                    "[]",
                    None,
                    rng.randrange(30),
                    rng.randrange(10),
                    rng.randrange(8),
                    "{}",
                    created,
                    created,
                )
            )
            batch_tags.append((n, "fliplead"))
            if n % 2 == 0:
                batch_labels.append((n, LABELS[n % 3], "rule", 1, 0.9, "benchmark", None, created))
            if len(batch_posts) == 20_000:
                _flush(db, batch_posts, batch_tags, batch_labels)
                batch_posts, batch_tags, batch_labels = [], [], []
        _flush(db, batch_posts, batch_tags, batch_labels)
        db.execute("ANALYZE")


def _flush(
    db: sqlite3.Connection,
    posts: list[tuple[object, ...]],
    tags: list[tuple[object, ...]],
    labels: list[tuple[object, ...]],
) -> None:
    db.executemany(
        "INSERT INTO posts (id, uri, url, source, author_acct, author_name, author_url, created_at, text,"
        " html, spoiler_text, sensitive, language, visibility, links, media, card, favourites_count,"
        " reblogs_count, replies_count, raw, first_seen_at, updated_at)"
        f" VALUES ({', '.join('?' * 23)})",
        posts,
    )
    db.executemany("INSERT INTO post_tags (post_id, tag) VALUES (?,?)", tags)
    db.executemany(
        "INSERT INTO post_labels (post_id, label, origin, present, confidence, reason, set_by, updated_at)"
        " VALUES (?,?,?,?,?,?,?,?)",
        labels,
    )
    db.commit()


REDRAFTS = 5
T = TypeVar("T")


def time_draft(path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{path}")
    settings = settings_from_mapping(
        {"hashtags": ["fliplead"], "digest": {"timezone": "UTC"}}, path=path, environ={}
    )
    service = DigestService(engine, settings, PostStore(), lambda: NOW, actor="benchmark")

    def draft_command() -> tuple[DraftReport, Digest]:
        """What `exemplar digest draft` does after opening the app (bot/cli/digest.py)."""
        report = service.draft()
        view = service.view(report.digest_id)
        render_text(view)
        return report, view

    first, first_cpu, (report, view) = timed(draft_command)
    again = [timed(draft_command)[:2] for _ in range(REDRAFTS)]
    warm = statistics.median(wall for wall, _cpu in again)
    warm_cpu = statistics.median(cpu for _wall, cpu in again)
    floor = reference_read(path, *last_week(NOW, "UTC", settings.digest.week_starts))
    print(
        f"draft over {count(path):,} posts ({report.candidates:,} candidates in the week,"
        f" {len(view.items)} items chosen), drafted, viewed and rendered as the command does:"
        f"\n  first draft in a fresh process: {first:.0f} ms ({first_cpu:.0f} ms CPU)"
        f"\n  re-draft, median of {REDRAFTS}: {warm:.0f} ms ({warm_cpu:.0f} ms CPU)"
        f"\n  reference, the same candidates read with sqlite3 alone: {floor:.0f} ms"
        f"\n  ratios to the reference: first {first / floor:.1f}x, re-draft {warm / floor:.1f}x"
    )


def timed(work: Callable[[], T]) -> tuple[float, float, T]:
    """(wall ms, CPU ms, result) of one call."""
    began, began_cpu = time.perf_counter(), time.process_time()
    result = work()
    return (time.perf_counter() - began) * 1000, (time.process_time() - began_cpu) * 1000, result


CANDIDATES_SQL = """
SELECT id, author_acct, created_at, links, spoiler_text, sensitive, favourites_count, reblogs_count,
       replies_count
FROM posts
WHERE created_at >= ? AND created_at < ?
  AND EXISTS (SELECT 1 FROM post_tags WHERE post_id = posts.id AND tag = 'fliplead')
  AND EXISTS (SELECT 1 FROM post_labels WHERE post_id = posts.id AND label IN ('video', 'tool', 'question'))
ORDER BY created_at
"""
LABELS_SQL = """
SELECT post_labels.post_id, label, origin, present FROM post_labels JOIN posts ON posts.id = post_id
WHERE created_at >= ? AND created_at < ?
"""


def reference_read(path: Path, start: datetime, end: datetime) -> float:
    """Median ms of reading the week's candidates and their labels with sqlite3, decoding links."""
    bounds = tuple(
        moment.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds") for moment in (start, end)
    )
    times = []
    with sqlite3.connect(path) as db:
        for _ in range(REDRAFTS):
            began = time.perf_counter()
            rows = [(*row[:3], json.loads(row[3]), *row[4:]) for row in db.execute(CANDIDATES_SQL, bounds)]
            labels = db.execute(LABELS_SQL, bounds).fetchall()
            times.append((time.perf_counter() - began) * 1000)
            if not rows or not labels:
                raise SystemExit("the reference read found no candidates: is this the benchmark's archive?")
    return statistics.median(times)


def count(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT count(*) FROM posts").fetchone()[0])


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--weeks", type=int, default=156)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the archive at this path")
    parser.add_argument("--time-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="exemplar-bench-") as tmp:
        path = args.keep or Path(tmp) / "archive.db"
        if args.time_only:
            time_draft(path)
            return 0
        if not path.exists():
            began = time.perf_counter()
            build_archive(path, args.posts, args.weeks)
            print(f"built an archive of {args.posts:,} posts in {time.perf_counter() - began:.0f} s")
        # Timed in a new process, so that the first draft is the first thing SQLAlchemy does there.
        timing = [sys.executable, __file__, "--time-only", "--keep", str(path)]
        return subprocess.run(timing, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
