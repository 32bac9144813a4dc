"""Archive benchmark: the public pages at 10 and at 1,000 published digests, beside a static file.

    python benchmarks/archive.py [--small 10] [--large 1000] [--requests 200]

Builds two SQLite databases through the real write path (posts stored and classified by PostStore;
digests, their items and their "published" events written as the digest service writes them, in bulk),
runs the real `exemplar serve` on each in turn, and sends sequential requests from one local client to
every archive page: once as configured (pages kept between publishes, what visitors get) and once with
`[archive] cached_pages = 0` (every page rendered from the database, what the first visitor after a
publish gets). For reference it serves a saved copy of `/` with Python's static file server, in the
same run. All servers run at once and each page is asked of them in turn, request by request, so the
machine's noise falls on all alike. Prints p50/p95 per page, the ratio of the large archive to the
small one (target: within 1.3x), and each page's p50 against the static file's, timed beside it.
"""

from __future__ import annotations

import argparse
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
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
    "/browse/video?q=flipped",
    "/browse/video?tag=fliplead",
    "/browse/video?since=2026-10-01",
    "/browse/tool",
    "/browse/tool?tool=Padlet",
    "/browse/question",
    "/browse/question?answered=no",
    "/search?q=video",
    "/search?q=fliplead&page=2",
    "/digests/{latest}",
    "/feed.atom",
    "/feed/video.atom",
]
MODES = {"kept": "", "rendered": "cached_pages = 0\n"}


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


def build(directory: Path, digests: int) -> tuple[dict[str, Path], int]:
    """A config per mode and a database with ``digests`` published weekly digests; returns the
    configs and the newest digest's id."""
    configs = {mode: directory / f"{mode}.toml" for mode in MODES}
    for mode, extra in MODES.items():
        configs[mode].write_text(
            'hashtags = ["fliplead"]\n[database]\nurl = "sqlite:///exemplar.db"\n'
            f'[archive]\npublic_url = "https://archive.example.org"\n{extra}',
            encoding="utf-8",
        )
    engine = create_db_engine(load_settings(configs["kept"]).database_url.reveal())
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
    return configs, digests


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


Timings = tuple[float, float]  # p50, p95 in ms


def percentiles(times: list[float]) -> Timings:
    times = sorted(times)
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def measure_side_by_side(targets: dict[str, tuple[httpx.Client, str]], requests: int) -> dict[str, Timings]:
    """Time each target's page in turn, one request each, round after round: the noise of a shared
    machine falls on every target alike."""
    for client, path in targets.values():
        for _ in range(5):
            client.get(path).raise_for_status()  # warm up (the first look indexes what was published)
    times: dict[str, list[float]] = {name: [] for name in targets}
    for _ in range(requests):
        for name, (client, path) in targets.items():
            began = time.perf_counter()
            client.get(path).raise_for_status()
            times[name].append((time.perf_counter() - began) * 1000)
    return {name: percentiles(taken) for name, taken in times.items()}


def start(stack: ExitStack, command: list[str], health: str) -> httpx.Client:
    """Run a server on a free port until ``stack`` closes; returns a client that reaches it."""
    port = free_port()
    server = subprocess.Popen(
        [part.replace("{port}", str(port)) for part in command],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    stack.callback(server.wait, timeout=10)
    stack.callback(server.terminate)
    client = stack.enter_context(httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60))
    wait_for(client, health)
    return client


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--small", type=int, default=10)
    parser.add_argument("--large", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--pages", nargs="+", metavar="PAGE", default=PAGES, help="only these of the pages (as listed above)"
    )
    args = parser.parse_args()
    pages = list(args.pages)
    sizes = (args.small, args.large)
    exemplar = str(Path(sys.executable).with_name("exemplar"))
    results: dict[str, dict[str, Timings]] = {}
    with tempfile.TemporaryDirectory(prefix="exemplar-archive-") as tmp, ExitStack() as stack:
        clients: dict[tuple[str, int], httpx.Client] = {}
        latest: dict[int, int] = {}
        for size in sizes:
            directory = Path(tmp) / str(size)
            directory.mkdir()
            began = time.perf_counter()
            configs, latest[size] = build(directory, size)
            print(f"built {size} published digests in {time.perf_counter() - began:.1f} s", flush=True)
            for mode, config in configs.items():
                serve = [exemplar, "--config", str(config), "-q", "serve", "--port", "{port}"]
                clients[mode, size] = start(stack, serve, "/healthz")
        site = Path(tmp) / "static"
        site.mkdir()
        (site / "index.html").write_text(clients["kept", args.large].get("/").text, encoding="utf-8")
        static_server = [sys.executable, "-m", "http.server", "{port}", "--bind", "127.0.0.1"]
        static = start(stack, [*static_server, "--directory", str(site)], "/index.html")
        for path in pages:
            targets = {
                f"{mode} {size}": (client, path.format(latest=latest[size]))
                for (mode, size), client in clients.items()
            }
            results[path] = measure_side_by_side(
                {**targets, "static": (static, "/index.html")}, args.requests
            )
            print(f"measured {path}", flush=True)
        floor = {size: index_floor(Path(tmp) / str(size) / "exemplar.db") for size in sizes}
    print(f"\n{args.requests} requests a page and server, one client, the servers in turn; p50/p95 in ms")
    for mode, heading in (
        ("kept", "pages as served (kept between publishes)"),
        ("rendered", "every page rendered from the database ([archive] cached_pages = 0)"),
    ):
        print(f"\n{heading}")
        report(results, pages, mode, args.small, args.large)
    print("\nreference: the full-text index alone reading a page of matches newest first (sqlite3, LIMIT 21)")
    for query, (small_ms, small_matches) in floor[args.small].items():
        large_ms, large_matches = floor[args.large][query]
        print(
            f"{'q=' + query:32} {small_ms:7.1f} ms ({small_matches:,} matches)  {large_ms:7.1f} ms"
            f" ({large_matches:,} matches)  {large_ms / small_ms:9.2f}x"
        )
    return 0


SEARCHED = ("flipped", "video", "fliplead")


def index_floor(database: Path) -> dict[str, tuple[float, int]]:
    """For each searched word: median ms for SQLite's index to read its newest 21 matches in archive
    order (what the search pages cannot go below), and how many published items match."""
    found = {}
    with sqlite3.connect(database) as db:
        for word in SEARCHED:
            times = []
            for _ in range(21):
                began = time.perf_counter()
                db.execute(
                    "SELECT rowid FROM archive_search_fts WHERE archive_search_fts MATCH ?"
                    " ORDER BY rowid DESC LIMIT 21",
                    (f'"{word}"*',),
                ).fetchall()
                times.append((time.perf_counter() - began) * 1000)
            (matches,) = db.execute(
                "SELECT count(*) FROM archive_search_fts WHERE archive_search_fts MATCH ?", (f'"{word}"*',)
            ).fetchone()
            found[word] = (statistics.median(times), int(matches))
    return found


def report(
    results: dict[str, dict[str, Timings]], pages: list[str], mode: str, small: int, large: int
) -> None:
    print(
        f"{'page':32} {f'{small} digests':>16} {f'{large} digests':>16} {'ratio p50':>10} "
        f"{'static':>14} {'x static':>9}"
    )
    for path in pages:
        (s50, s95), (l50, l95) = results[path][f"{mode} {small}"], results[path][f"{mode} {large}"]
        f50, f95 = results[path]["static"]
        print(
            f"{path:32} {s50:7.1f} /{s95:6.1f}  {l50:7.1f} /{l95:6.1f}  {l50 / s50:9.2f}x "
            f"{f50:6.1f} /{f95:5.1f} {l50 / f50:8.1f}x"
        )


if __name__ == "__main__":
    sys.exit(main())
