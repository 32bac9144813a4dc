"""Throughput of ``classify()`` on one core, on the labelled posts repeated to at least 50,000.

    python benchmarks/classify_speed.py [--data tests/data/labelled_posts.jsonl] [--posts 50000]

Posts are normalised once, before timing: this measures the classifier alone. The catalogue is loaded
before timing too, as a long-running collector would. Prints posts per second; exits 1 when that is
below ``--target`` (5,000 by default).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.classify import classify, load_catalogue  # noqa: E402
from bot.networks.mastodon.normalise import normalise_status  # noqa: E402
from bot.posts import Post  # noqa: E402

DEFAULT_DATA = ROOT / "tests" / "data" / "labelled_posts.jsonl"


def load_posts(path: Path) -> list[Post]:
    """The posts of a labelled JSON-lines file, normalised."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [normalise_status(json.loads(line)["status"]) for line in lines if line.strip()]


def measure(posts: Sequence[Post], count: int) -> tuple[int, float]:
    """Classify ``posts`` round-robin until ``count`` are done; the number done and seconds taken."""
    catalogue = load_catalogue()
    repeats = -(-count // len(posts))
    workload = (list(posts) * repeats)[:count]
    started = time.perf_counter()
    for post in workload:
        classify(post, catalogue)
    return len(workload), time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure classify() throughput on one core.")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="JSON-lines file of labelled posts")
    parser.add_argument("--posts", type=int, default=50_000, help="how many posts to classify")
    parser.add_argument("--target", type=float, default=5_000, help="lowest acceptable posts per second")
    args = parser.parse_args(argv)
    posts = load_posts(args.data)
    done, seconds = measure(posts, max(args.posts, 1))
    rate = done / seconds
    print(f"{done} posts ({len(posts)} distinct) in {seconds:.2f} s: {rate:,.0f} posts/s")
    return 0 if rate >= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
