"""Archive benchmark: the public pages at 10 and at 1,000 published digests, beside a static file.

    python benchmarks/archive.py [--small 10] [--large 1000] [--requests 200]

Builds two SQLite databases through the real write path (posts stored and classified by PostStore;
digests, their items and their "published" events written as the digest service writes them, in bulk),
runs the real `exemplar serve` on each in turn, and sends sequential requests from one local client to
every archive page. For reference it serves a saved copy of `/` with Python's static file server, in
the same run. Prints p50/p95 per page, the ratio of the large archive to the small one (target:
within 1.3x), and each page's p50 against the static file's.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import insert

from bot.config import load_settings
from bot.jobs.store import PostStore
from bot.networks.mastodon.normalise import normalise_status
from storage.db import create_db_engine, session_scope, upgrade_schema
from storage.models import Digest, DigestEvent, DigestItemRow, Post, table_of

NOW = datetime(2026, 11, 30, tzinfo=UTC)
ITEMS = [
    ("video", "Our flipped staff briefing, four minutes: https://youtu.be/{id} #fliplead"),
    ("video", "Notre vidéo de réunion inversée https://vimeo.com/8{n:08d} #fliplead"),
    ("tool", "We collect questions on a Padlet wall before meetings: https://padlet.com/s/{n} #fliplead"),
    ("tool", "Exit tickets with Google Forms https://forms.gle/{id} #fliplead"),
    ("question", "Anyone tried flipping an INSET day? Tips welcome! ({n}) #fliplead"),
    ("question", "How do you keep flipped meetings short? Any advice? ({n}) #fliplead"),
]
PAGES = [
    "/",
    "/browse/video",
    "/browse/tool",
    "/browse/question",
    "/browse/tool?tool=Padlet",
    "/search?q=video",
    "/digests/{latest}",
    "/feed.atom",
    "/feed/video.atom",
]


def status(n: int, text: str, created: datetime) -> dict[str, object]:
    words = text.format(n=n, id=f"{n:011d}"[-11:])
    links = [word for word in words.split() if word.startswith("https://")]
    anchors = " ".join(f'<a href="{link}">{link}</a>' for link in links)
    plain = " ".join(word for word in words.split() if not word.startswith("https://"))
    return {
        "id": str(n),
        "uri": f"https://school{n % 40}.example/users/leader{n % 300}/statuses/{n}",
        "url": f"https://school{n % 40}.example/@leader{n % 300}/{n}",
        "created_at": created.isoformat(),
        "visibility": "public",
        "content": f"<p>{plain} {anchors}</p>",
        "favourites_count": n % 13,
        "account": {
            "acct": f"leader{n % 300}@school{n % 40}.example",
            "display_name": f"Leader {n % 300}",
            "url": f"https://school{n % 40}.example/@leader{n % 300}",
        },
        "tags": [{"name": "fliplead"}],
    }


def build(directory: Path, digests: int) -> tuple[Path, int]:
    """A config and a database with ``digests`` published weekly digests; returns the newest's id."""
    config = directory / "exemplar.toml"
    config.write_text(
        'hashtags = ["fliplead"]\n[database]\nurl = "sqlite:///exemplar.db"\n'
        '[archive]\npublic_url = "https://archive.example.org"\n',
        encoding="utf-8",
    )
    engine = create_db_engine(load_settings(config).database_url.reveal())
    upgrade_schema(engine)
    store = PostStore()
    weeks = [NOW - timedelta(days=7 * (digests - week)) for week in range(digests)]
    statuses = [
        (week, section, status(week * len(ITEMS) + k, text, start + timedelta(days=1, minutes=k)))
        for week, start in enumerate(weeks)
        for k, (section, text) in enumerate(ITEMS)
    ]
    with session_scope(engine) as session:
        store.save(session, [normalise_status(s) for _, _, s in statuses], seen=None, now=NOW)
        ids = dict(session.query(Post.uri, Post.id))
        session.execute(
            insert(table_of(Digest)),
            [
                {
                    "id": week + 1,
                    "period_start": start,
                    "period_end": start + timedelta(days=7),
                    "timezone": "UTC",
                    "hashtag": "fliplead",
                    "status": "published",
                    "intro": f"Week {week + 1} of flipped leadership.",
                    "created_at": start + timedelta(days=7),
                    "updated_at": start + timedelta(days=8),
                }
                for week, start in enumerate(weeks)
            ],
        )
        session.execute(
            insert(table_of(DigestItemRow)),
            [
                {
                    "digest_id": week + 1,
                    "post_id": ids[str(s["uri"])],
                    "section": section,
                    "position": position % 2,
                    "score": 1.0,
                    "pinned": False,
                    "curated": False,
                    "removed": False,
                    "blurb": "",
                }
                for position, (week, section, s) in enumerate(statuses)
            ],
        )
        session.execute(
            insert(table_of(DigestEvent)),
            [
                {
                    "digest_id": week + 1,
                    "at": start + timedelta(days=8),
                    "actor": "bench",
                    "action": "published",
                    "detail": {},
                }
                for week, start in enumerate(weeks)
            ],
        )
    engine.dispose()
    return config, digests


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(client: httpx.Client, path: str) -> None:
    for _ in range(200):
        try:
            client.get(path)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"the server did not answer {path}")


def measure(client: httpx.Client, path: str, requests: int) -> tuple[float, float]:
    for _ in range(5):
        client.get(path).raise_for_status()  # warm up (the first look indexes what was published)
    times = []
    for _ in range(requests):
        began = time.perf_counter()
        client.get(path).raise_for_status()
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def serve_and_measure(config: Path, latest: int, requests: int) -> tuple[dict[str, tuple[float, float]], str]:
    port = free_port()
    exemplar = Path(sys.executable).with_name("exemplar")
    server = subprocess.Popen(
        [str(exemplar), "--config", str(config), "-q", "serve", "--port", str(port)],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            wait_for(client, "/healthz")
            results = {path: measure(client, path.format(latest=latest), requests) for path in PAGES}
            index_html = client.get("/").text
    finally:
        server.terminate()
        server.wait(timeout=10)
    return results, index_html


def static_reference(directory: Path, html: str, requests: int) -> tuple[float, float]:
    site = directory / "static"
    site.mkdir()
    (site / "index.html").write_text(html, encoding="utf-8")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(site)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            wait_for(client, "/index.html")
            return measure(client, "/index.html", requests)
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--small", type=int, default=10)
    parser.add_argument("--large", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="exemplar-archive-") as tmp:
        runs = {}
        for size in (args.small, args.large):
            directory = Path(tmp) / str(size)
            directory.mkdir()
            began = time.perf_counter()
            config, latest = build(directory, size)
            print(f"built {size} published digests in {time.perf_counter() - began:.1f} s", flush=True)
            runs[size], index_html = serve_and_measure(config, latest, args.requests)
        static = static_reference(Path(tmp), index_html, args.requests)
    small, large = runs[args.small], runs[args.large]
    print(f"\n{args.requests} sequential requests a page, one client; p50/p95 in ms")
    small_label, large_label = f"{args.small} digests", f"{args.large} digests"
    print(f"{'page':28} {small_label:>16} {large_label:>16} {'ratio p50':>10} {'x static':>9}")
    for path in PAGES:
        (s50, s95), (l50, l95) = small[path], large[path]
        ratio, versus_static = l50 / s50, l50 / static[0]
        print(
            f"{path:28} {s50:7.1f} /{s95:6.1f}  {l50:7.1f} /{l95:6.1f}  {ratio:9.2f}x {versus_static:8.1f}x"
        )
    print(f"{'static copy of / (reference)':28} {static[0]:7.1f} /{static[1]:6.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
