"""Web benchmark: latency of the desk inbox (500 posts stored) and of a digest page under load.

    python benchmarks/web.py [--requests N] [--concurrency C]

Runs the real `exemplar serve --workers 2` (one per core) in its own processes against a SQLite
database of 500 classified posts and a published digest, logs a curator in, then sends N requests
per page from C concurrent local clients and prints p50/p95/max latency for each page.
Target: p95 under 100 ms.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from bot.config import load_settings
from bot.jobs.digest import DigestService
from bot.jobs.store import PostStore
from bot.networks.mastodon.normalise import normalise_status
from bot.passwords import hash_password
from storage.curators import add_curator
from storage.db import create_db_engine, session_scope, upgrade_schema

PASSWORD = "benchmark-password"
NOW = datetime.now(UTC)
TEXTS = [
    "Our flipped staff briefing, four minutes: https://youtu.be/{n} #fliplead",
    "Anyone tried Screencastify for parent newsletters? #fliplead",
    "We collect questions on a Padlet wall before meetings: https://padlet.com/s/{n} #fliplead",
    "Thank you all for a wonderful term! #fliplead",
]


def build(directory: Path) -> tuple[Path, int]:
    config = directory / "exemplar.toml"
    config.write_text(
        'hashtags = ["fliplead"]\n[database]\nurl = "sqlite:///exemplar.db"\n', encoding="utf-8"
    )
    settings = load_settings(config)
    engine = create_db_engine(settings.database_url.reveal())
    upgrade_schema(engine)
    store = PostStore()
    statuses = []
    for n in range(500):
        text = TEXTS[n % len(TEXTS)].format(n=n)
        links = re.findall(r"https://\S+", text)
        anchors = "".join(f' <a href="{link}">{link}</a>' for link in links)
        words = re.sub(r"https://\S+", "", text)
        statuses.append(
            {
                "id": str(n + 1),
                "uri": f"https://school{n % 20}.example/users/leader{n % 60}/statuses/{n + 1}",
                "url": f"https://school{n % 20}.example/@leader{n % 60}/{n + 1}",
                "created_at": (NOW - timedelta(minutes=20 * n)).isoformat(),
                "visibility": "public",
                "content": f"<p>{words}{anchors}</p>",
                "favourites_count": n % 13,
                "account": {
                    "acct": f"leader{n % 60}@school{n % 20}.example",
                    "display_name": f"Leader {n % 60}",
                    "url": f"https://school{n % 20}.example/@leader{n % 60}",
                },
                "tags": [{"name": "fliplead"}],
            }
        )
    with session_scope(engine) as session:
        store.save(session, [normalise_status(s) for s in statuses], seen=None, now=NOW)
        add_curator(session, "bench@school.example", hash_password(PASSWORD), NOW)
    service = DigestService(engine, settings, store, lambda: NOW, actor="bench")
    digest_id = service.draft((NOW - timedelta(days=7), NOW + timedelta(minutes=1))).digest_id
    service.transition(digest_id, "approve")
    service.transition(digest_id, "publish")
    engine.dispose()
    return config, digest_id


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def measure(client: httpx.Client, path: str, requests: int, concurrency: int) -> list[float]:
    def one(_: int) -> float:
        began = time.perf_counter()
        response = client.get(path)
        response.raise_for_status()
        return (time.perf_counter() - began) * 1000

    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(one, range(requests)))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="exemplar-web-") as tmp:
        config, digest_id = build(Path(tmp))
        port = free_port()
        exemplar = Path(sys.executable).with_name("exemplar")
        server = subprocess.Popen(
            [str(exemplar), "--config", str(config), "-q", "serve", "--port", str(port), "--workers", "2"],
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            base = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=base, timeout=10) as client:
                for _ in range(100):
                    try:
                        client.get("/healthz")
                        break
                    except httpx.TransportError:
                        time.sleep(0.1)
                token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
                assert token is not None
                client.post(
                    "/login",
                    data={"email": "bench@school.example", "password": PASSWORD, "csrf": token.group(1)},
                )
                for label, path in (
                    ("desk inbox (500 posts)", "/desk"),
                    ("digest page", f"/digests/{digest_id}"),
                ):
                    measure(client, path, 20, 1)  # warm up
                    times = sorted(measure(client, path, args.requests, args.concurrency))
                    p95 = times[int(len(times) * 0.95) - 1]
                    p50 = statistics.median(times)
                    print(
                        f"{label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms "
                        f"({args.requests} requests, {args.concurrency} concurrent)"
                    )
        finally:
            server.terminate()
            server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
