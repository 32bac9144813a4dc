"""Web benchmark: the desk's pages at 100,000 stored posts, beside a static file of the same inbox.

    python benchmarks/web.py [--posts N] [--requests N] [--concurrency C] [--keep DIR]

Builds a SQLite database of N classified posts (default 100,000: the first 400 are stored and
labelled by the real `PostStore`, the rest are copies of those rows and labels, bulk-inserted with
their own ids, URIs and times), a published digest and a draft. Runs the real
`exemplar serve --workers 2` against it, logs a curator in, and times the pages curators use: the
inbox, its filters, a page deep in its history (by its own "Older posts" cursor), the exclusion
confirmation, the digests list, a draft's review page and a published digest. For reference it
serves a saved copy of the inbox's HTML with Python's static file server, in the same run.

With ``--keep DIR`` the database is built in DIR once and reused by later runs with the same
``--posts`` (a run changes nothing in it that the pages show).

Each page (the static copy too) gets N requests from one client, then N from C concurrent clients,
the pages taking turns request by request so that the machine's load falls on all alike; prints
p50/p95 for both and each page's p50 and p95 against the static copy's. Target: inbox p95 under
50 ms.

Then, while another process holds the database's write lock and a desk form waits on it in one
worker (as a backup or a long write would make it), the same clients time ``/healthz``, the inbox and
the static copy again: p50, p95 and the slowest. A request waiting on the database waits on its own
thread, so nothing beside it should stall.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
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
from storage.inbox import Cursor

PASSWORD = "benchmark-password"
CURATOR = "bench@school.example"
NOW = datetime.now(UTC).replace(microsecond=0)
SPACING = timedelta(minutes=20)
STORED_FOR_REAL = 400
TEXTS = [
    "Our flipped staff briefing, four minutes: https://youtu.be/{n} #fliplead",
    "Anyone tried Screencastify for parent newsletters? #fliplead",
    "We collect questions on a Padlet wall before meetings: https://padlet.com/s/{n} #fliplead",
    "Thank you all for a wonderful term! #fliplead",
    "How do you run a flipped INSET day? Any examples? #fliplead",
]
WAIT_FOR_SERVER = 60.0  # seconds: two workers starting on a loaded machine


def status(n: int) -> dict[str, object]:
    text = TEXTS[n % len(TEXTS)].format(n=n)
    links = re.findall(r"https://\S+", text)
    anchors = "".join(f' <a href="{link}">{link}</a>' for link in links)
    words = re.sub(r"https://\S+", "", text)
    return {
        "id": str(n + 1),
        "uri": f"https://school{n % 20}.example/users/leader{n % 60}/statuses/{n + 1}",
        "url": f"https://school{n % 20}.example/@leader{n % 60}/{n + 1}",
        "created_at": (NOW - SPACING * n).isoformat(),
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


def build(directory: Path, posts: int) -> tuple[Path, dict[str, int]]:
    """The database and config; returns the config's path and the digests' ids."""
    config = directory / "exemplar.toml"
    config.write_text(
        'hashtags = ["fliplead"]\n[database]\nurl = "sqlite:///exemplar.db"\n', encoding="utf-8"
    )
    settings = load_settings(config)
    engine = create_db_engine(settings.database_url.reveal())
    upgrade_schema(engine)
    store = PostStore()
    real = [normalise_status(status(n)) for n in range(min(posts, STORED_FOR_REAL))]
    with session_scope(engine) as session:
        store.save(session, real, seen=None, now=NOW)
        add_curator(session, CURATOR, hash_password(PASSWORD), NOW)
    engine.dispose()
    copy_rows(directory / "exemplar.db", posts)
    engine = create_db_engine(settings.database_url.reveal())
    service = DigestService(engine, settings, store, lambda: NOW, actor="bench")
    week = (NOW - timedelta(days=7), NOW + timedelta(minutes=1))
    published = service.draft(week).digest_id
    service.transition(published, "approve")
    service.transition(published, "publish")
    draft = service.draft(week).digest_id
    engine.dispose()
    return config, {"published": published, "draft": draft}


def build_or_reuse(directory: Path, posts: int) -> tuple[Path, dict[str, int]]:
    """:func:`build`, unless ``directory`` holds a database this benchmark built of ``posts`` posts."""
    built = directory / "built.json"
    if built.exists():
        record = json.loads(built.read_text(encoding="utf-8"))
        if record.get("posts") == posts:
            return directory / "exemplar.toml", {k: int(v) for k, v in record["digests"].items()}
        raise SystemExit(f"{directory} holds a database of {record.get('posts')} posts; use another")
    if any(directory.iterdir()):
        raise SystemExit(f"{directory} is not empty, and holds no database this benchmark built")
    config, digests = build(directory, posts)
    built.write_text(json.dumps({"posts": posts, "digests": digests}), encoding="utf-8")
    return config, digests


def copy_rows(database: Path, posts: int) -> None:
    """Posts beyond the first STORED_FOR_REAL: copies of those rows, tags and labels, in bulk."""
    with sqlite3.connect(database) as db:
        db.execute("PRAGMA synchronous=OFF")
        columns = [row[1] for row in db.execute("PRAGMA table_info(posts)") if row[1] != "id"]
        templates = db.execute(f"SELECT id, {', '.join(columns)} FROM posts ORDER BY id").fetchall()
        labels = db.execute("SELECT * FROM post_labels").fetchall()
        by_post: dict[int, list[tuple[object, ...]]] = {}
        for label in labels:
            by_post.setdefault(int(label[0]), []).append(label[1:])
        where = {name: columns.index(name) + 1 for name in ("uri", "url", "created_at")}
        next_id = int(templates[-1][0]) + 1
        for begin in range(len(templates), posts, 20_000):
            rows, tags, label_rows = [], [], []
            for n in range(begin, min(posts, begin + 20_000)):
                template = templates[n % len(templates)]
                row = list(template)
                row[0] = next_id
                row[where["uri"]] = f"{template[where['uri']]}-{n}"
                row[where["url"]] = f"{template[where['url']]}-{n}"
                row[where["created_at"]] = (
                    (NOW - SPACING * n).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
                )
                rows.append(row)
                tags.append((next_id, "fliplead"))
                label_rows += [(next_id, *label) for label in by_post.get(int(template[0]), [])]
                next_id += 1
            marks = ", ".join("?" * (len(columns) + 1))
            db.executemany(f"INSERT INTO posts (id, {', '.join(columns)}) VALUES ({marks})", rows)
            db.executemany("INSERT INTO post_tags (post_id, tag) VALUES (?, ?)", tags)
            if label_rows:
                width = len(label_rows[0])
                db.executemany(f"INSERT INTO post_labels VALUES ({', '.join('?' * width)})", label_rows)
            db.commit()
        db.execute("ANALYZE")


def desk_pages(posts: int, deep: str, digests: dict[str, int]) -> dict[str, str]:
    """The pages a curator uses, by name: the inbox and its filters, the confirmations, the digests."""
    a_month_ago = (NOW - timedelta(days=30)).date().isoformat()
    return {
        "inbox": "/desk",
        "inbox, label=video": "/desk?label=video",
        "inbox, label=question": "/desk?label=question",
        "inbox, tag=fliplead": "/desk?tag=fliplead",
        "inbox, source=mastodon": "/desk?source=mastodon",
        "inbox, since a month ago": f"/desk?since={a_month_ago}",
        f"inbox, {posts // 2:,} posts down": f"/desk?before={deep}",
        "exclude an author (confirm)": "/desk/exclude?kind=author&post_id=7",
        "digests list": "/desk/digests",
        "draft digest review": f"/desk/digests/{digests['draft']}",
        "published digest page": f"/digests/{digests['published']}",
    }


def deep_cursor(database: Path, depth: int) -> str:
    """The inbox's own cursor for the page that starts ``depth`` posts down."""
    with sqlite3.connect(database) as db:
        found = db.execute(
            "SELECT created_at, id FROM posts ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ?", (depth,)
        ).fetchone()
    created = datetime.fromisoformat(found[0]).replace(tzinfo=UTC)
    return Cursor(created, int(found[1])).token()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(client: httpx.Client, path: str) -> None:
    deadline = time.monotonic() + WAIT_FOR_SERVER
    while time.monotonic() < deadline:
        try:
            client.get(path)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"the server did not answer {path} within {WAIT_FOR_SERVER:.0f} s")


Percentiles = tuple[float, float, float]  # p50, p95 and the slowest, in ms
# Beside a lock: the timings, the error answers by page, and what became of the waiting form.
BesideLock = tuple[dict[str, Percentiles], dict[str, int], str]
STATIC = "static copy of the inbox"
LOCKED_PAGES = ("/healthz", "inbox")
LOCK_HELD_SECONDS = 45.0  # at most, beside the pages; `serve` waits 30 s for a lock by default


def measure(
    clients: dict[str, httpx.Client],
    pages: dict[str, str],
    requests: int,
    concurrency: int,
    *,
    warm_up: bool = True,
    failures: dict[str, int] | None = None,
) -> dict[str, Percentiles]:
    """(p50, p95, slowest) in ms of each page, from ``concurrency`` clients. The pages take turns,
    request by request, so that a burst of load on this shared machine falls on all of them alike.
    An error answer (or none within the client's timeout, or a broken connection) stops the run,
    unless ``failures`` is given: then it is counted there, by page, with the time it took."""

    def one(label: str) -> tuple[str, float]:
        client = clients[STATIC if label == STATIC else "exemplar"]
        began = time.perf_counter()
        try:
            client.get(pages[label]).raise_for_status()
        except (httpx.HTTPStatusError, httpx.TransportError):
            if failures is None:
                raise
            failures[label] = failures.get(label, 0) + 1
        return label, (time.perf_counter() - began) * 1000

    turns = [label for _ in range(requests) for label in pages]
    with ThreadPoolExecutor(concurrency) as pool:
        if warm_up:
            list(pool.map(one, [label for label in pages for _ in range(3)]))
        found: dict[str, list[float]] = {label: [] for label in pages}
        for label, elapsed in pool.map(one, turns):
            found[label].append(elapsed)
    return {label: percentiles(times) for label, times in found.items()}


def percentiles(times: list[float]) -> Percentiles:
    times = sorted(times)
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)], times[-1]


def measure_while_locked(
    clients: dict[str, httpx.Client],
    pages: dict[str, str],
    database: Path,
    requests: int,
    concurrency: int,
) -> BesideLock:
    """Timings from ``concurrency`` clients while another process holds the database's write lock and
    a desk form (an exclusion) waits for it in one worker; the error answers, by page; and what became
    of the form (it should still wait at the end, and complete once the lock is released)."""
    client = clients["exemplar"]
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/desk/exclusions").text)
    if token is None:
        raise SystemExit("the desk has no CSRF token")
    form = {"csrf": token.group(1), "kind": "domain", "value": "spam.example", "confirm": "yes"}
    holder = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    released = threading.Lock()

    def release() -> None:
        with released:
            if holder.in_transaction:
                holder.execute("ROLLBACK")

    # Let go after a while even if the requests are still stalled (they are, where a request waiting
    # on the database holds up its worker), so that the run ends.
    deadline = threading.Timer(LOCK_HELD_SECONDS, release)
    deadline.start()
    with ThreadPoolExecutor(1) as background:
        try:
            waiting = background.submit(client.post, "/desk/exclude", data=form)
            time.sleep(0.5)  # the form reaches a worker and waits on the lock
            failed: dict[str, int] = {}
            found = measure(clients, pages, requests, concurrency, warm_up=False, failures=failed)
            still_waiting = not waiting.done()
        finally:
            deadline.cancel()
            release()
            holder.close()
        try:
            answer = f"answered HTTP {waiting.result().status_code}"
        except httpx.TimeoutException:
            answer = "had no answer in time"
    return (
        found,
        failed,
        f"{'still waited' if still_waiting else 'had ended'} at the end, then {answer}",
    )


def serve_and_measure(
    directory: Path,
    config: Path,
    pages: dict[str, str],
    requests: int,
    concurrency: int,
    *,
    beside_a_lock: bool = True,
) -> BesideLock | None:
    """Timings from one client, then from ``concurrency`` clients, of the pages and the static copy,
    printed as soon as they are taken; then (unless not ``beside_a_lock``) from ``concurrency``
    clients while a desk form waits on a locked database."""
    port, static_port = free_port(), free_port()
    exemplar = Path(sys.executable).with_name("exemplar")
    log = (directory / "serve.log").open("w", encoding="utf-8")
    server = subprocess.Popen(
        [str(exemplar), "--config", str(config), "-q", "serve", "--port", str(port), "--workers", "2"],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    site = directory / "static"
    site.mkdir(exist_ok=True)
    static = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "http.server",
            str(static_port),
            "--bind",
            "127.0.0.1",
            "--directory",
            str(site),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    try:
        with (
            httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60, limits=limits) as client,
            httpx.Client(base_url=f"http://127.0.0.1:{static_port}", timeout=60, limits=limits) as peer,
        ):
            wait_for(client, "/healthz")
            log_in(client)
            (site / "inbox.html").write_text(client.get(pages["inbox"]).text, encoding="utf-8")
            wait_for(peer, "/inbox.html")
            clients = {"exemplar": client, STATIC: peer}
            everything = {**pages, STATIC: "/inbox.html"}
            single = measure(clients, everything, requests, 1)
            print("  measured from one client", flush=True)
            many = measure(clients, everything, requests, concurrency)
            print(f"  measured from {concurrency} clients", flush=True)
            print_pages(pages, single, many, requests, concurrency)
            if not beside_a_lock:
                return None
            beside_lock = {
                **{label: everything[label] for label in LOCKED_PAGES if label in everything},
                "/healthz": "/healthz",
                STATIC: "/inbox.html",
            }
            locked = measure_while_locked(
                clients, beside_lock, directory / "exemplar.db", requests, concurrency
            )
    except (httpx.HTTPError, SystemExit):
        print((directory / "serve.log").read_text(encoding="utf-8")[-3000:], file=sys.stderr)
        raise
    finally:
        for process in (server, static):
            process.terminate()
            process.wait(timeout=30)
        log.close()
    return locked


def log_in(client: httpx.Client) -> None:
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    if token is None:
        raise SystemExit("the login page has no CSRF token")
    answer = client.post("/login", data={"email": CURATOR, "password": PASSWORD, "csrf": token.group(1)})
    if answer.status_code != 303:
        raise SystemExit(f"could not log in: HTTP {answer.status_code}")


def print_pages(
    pages: dict[str, str],
    single: dict[str, Percentiles],
    many: dict[str, Percentiles],
    requests: int,
    concurrency: int,
) -> None:
    print(
        f"\n{requests} requests a page from 1 client, then from {concurrency}, the pages taking"
        " turns; p50/p95 in ms; × static: p50 and p95 against the static copy's, same clients"
    )
    clients = f"{concurrency} clients"
    print(f"{'page':32} {'1 client':>14} {'× static':>11} {clients:>14} {'× static':>11}")
    (s50_ref, s95_ref, _), (m50_ref, m95_ref, _) = single[STATIC], many[STATIC]
    for label in pages:
        (s50, s95, _), (m50, m95, _) = single[label], many[label]
        print(
            f"{label:32} {s50:6.1f} /{s95:6.1f} {s50 / s50_ref:4.1f} /{s95 / s95_ref:4.1f}"
            f" {m50:6.1f} /{m95:6.1f} {m50 / m50_ref:4.1f} /{m95 / m95_ref:4.1f}"
        )
    print(f"{STATIC:32} {s50_ref:6.1f} /{s95_ref:6.1f} {'':11} {m50_ref:6.1f} /{m95_ref:6.1f}", flush=True)


def print_beside_lock(beside_lock: BesideLock, concurrency: int) -> None:
    locked, failed, form = beside_lock
    print(
        f"\nWhile another process holds the write lock and a desk form waits on it in one worker"
        f" ({concurrency} clients; the form {form}):"
    )
    print(f"{'page':32} {'p50 / p95 / slowest':>27} {'× static':>22} {'errors':>7}")
    l50_ref, l95_ref, lmax_ref = locked[STATIC]
    for label, (l50, l95, lmax) in locked.items():
        ratios = (
            "" if label == STATIC else f"{l50 / l50_ref:5.1f} /{l95 / l95_ref:6.1f} /{lmax / lmax_ref:6.1f}"
        )
        print(f"{label:32} {l50:7.1f} /{l95:8.1f} /{lmax:8.1f} {ratios:>22} {failed.get(label, 0):7}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--keep", type=Path, metavar="DIR", help="build the database in DIR once, and reuse it after"
    )
    parser.add_argument(
        "--no-lock", action="store_true", help="time the pages only, not beside a locked database"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="exemplar-web-") as scratch:
        tmp = args.keep or Path(scratch)
        tmp.mkdir(parents=True, exist_ok=True)
        began = time.perf_counter()
        config, digests = build_or_reuse(tmp, args.posts)
        print(f"{args.posts:,} classified posts ready in {time.perf_counter() - began:.1f} s", flush=True)
        deep = deep_cursor(Path(tmp) / "exemplar.db", args.posts // 2)
        pages = desk_pages(args.posts, deep, digests)
        locked = serve_and_measure(
            tmp, config, pages, args.requests, args.concurrency, beside_a_lock=not args.no_lock
        )
    if locked is not None:
        print_beside_lock(locked, args.concurrency)
    return 0


if __name__ == "__main__":
    sys.exit(main())
