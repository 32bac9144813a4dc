"""Throughput of ``classify()`` on one core, on the labelled posts repeated to at least 50,000.

    python benchmarks/classify_speed.py [--data tests/data/labelled_posts.jsonl] [--posts 50000]
                                        [--peer ../other-checkout]

Posts are normalised once, before timing: this measures the classifier alone. The catalogue is loaded
before timing too, as a long-running collector would. Prints posts per second (wall clock and CPU
time, which a busy machine disturbs less); exits 1 when that is below ``--target`` (10,000 by default).
``--peer DIR`` also measures the Exemplar checkout in DIR (another branch, the last release) on the
same posts in the same run, alternating with this one, and prints the ratio.
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
    done, seconds, _ = measure_both(posts, count)
    return done, seconds


def measure_both(posts: Sequence[Post], count: int) -> tuple[int, float, float]:
    """Like :func:`measure`, with the CPU seconds too."""
    catalogue = load_catalogue()
    repeats = -(-count // len(posts))
    workload = (list(posts) * repeats)[:count]
    started, started_cpu = time.perf_counter(), time.process_time()
    for post in workload:
        classify(post, catalogue)
    return len(workload), time.perf_counter() - started, time.process_time() - started_cpu


# Run in a fresh interpreter with a peer checkout first on the path: whichever layout it has.
_PEER_SCRIPT = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from bot.classify import classify, load_catalogue
try:
    from bot.networks.mastodon.normalise import normalise_status
except ImportError:
    from bot.normalise.mastodon import normalise_status
lines = open(sys.argv[2], encoding="utf-8").read().splitlines()
posts = [normalise_status(json.loads(line)["status"]) for line in lines if line.strip()]
count = int(sys.argv[3])
catalogue = load_catalogue()
workload = (posts * -(-count // len(posts)))[:count]
started = time.process_time()
for post in workload:
    classify(post, catalogue)
print(len(workload) / (time.process_time() - started))
"""


def peer_rate(peer: Path, data: Path, count: int) -> float:
    """CPU posts per second of the checkout in ``peer`` on the posts in ``data``."""
    import subprocess

    result = subprocess.run(
        [sys.executable, "-c", _PEER_SCRIPT, str(peer.resolve()), str(data.resolve()), str(count)],
        capture_output=True,
        text=True,
        check=False,
        cwd=peer,
    )
    if result.returncode != 0:
        raise SystemExit(
            f"classify_speed: the peer in {peer} failed: {result.stderr.strip().splitlines()[-1:]}"
        )
    return float(result.stdout.strip())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure classify() throughput on one core.")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="JSON-lines file of labelled posts")
    parser.add_argument("--posts", type=int, default=50_000, help="how many posts to classify")
    parser.add_argument("--target", type=float, default=10_000, help="lowest acceptable posts per second")
    parser.add_argument("--peer", type=Path, help="also measure the Exemplar checkout in this directory")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds with --peer (best counts)")
    args = parser.parse_args(argv)
    posts = load_posts(args.data)
    count = max(args.posts, 1)
    if args.peer is None:
        done, seconds, cpu = measure_both(posts, count)
        rate = done / seconds
        print(
            f"{done} posts ({len(posts)} distinct) in {seconds:.2f} s: {rate:,.0f} posts/s"
            f" ({done / cpu:,.0f} posts per CPU second)"
        )
        return 0 if rate >= args.target else 1
    ours, theirs = 0.0, 0.0
    for _ in range(max(args.rounds, 1)):
        done, _seconds, cpu = measure_both(posts, count)
        ours = max(ours, done / cpu)
        theirs = max(theirs, peer_rate(args.peer, args.data, count))
    print(f"this checkout: {ours:,.0f} posts per CPU second; peer {args.peer}: {theirs:,.0f}")
    print(f"ratio {ours / theirs:.2f}")
    return 0 if ours >= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
