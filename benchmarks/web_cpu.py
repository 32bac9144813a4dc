"""Server CPU per request of the desk's pages, from the server process's own clock in /proc.

    python benchmarks/web_cpu.py --keep DIR [--posts N] [--requests N]

Wall-clock percentiles on a shared 2-core machine mostly measure the neighbours; the CPU a request
costs the server does not. This builds (or reuses, with ``--keep``, the same directory as
``benchmarks/web.py --keep``) the same database as ``benchmarks/web.py``, runs
``exemplar serve --workers 1`` (one process, so /proc/PID/stat holds all its work), logs a curator in
and, page by page, sends N requests from one client and divides the CPU the server used by N.
For reference the static copy of the inbox is served by Python's static file server, and its CPU per
request is printed beside the pages' (Linux only).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from web import build_or_reuse, deep_cursor, desk_pages, free_port, log_in, wait_for

TICKS = os.sysconf("SC_CLK_TCK")
WARM_UP = 20
LOOPBACK = ("--bind", "127.0.0.1")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU of ``pid`` (the fields after the command's name in /proc/PID/stat)."""
    stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def cpu_per_request(client: httpx.Client, pid: int, path: str, requests: int) -> float:
    """Milliseconds of the server's CPU per request of ``path``, after a warm-up."""
    for _ in range(WARM_UP):
        client.get(path).raise_for_status()
    before = cpu_seconds(pid)
    for _ in range(requests):
        client.get(path).raise_for_status()
    return (cpu_seconds(pid) - before) / requests * 1000


def spawn(command: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("w", encoding="utf-8") as stream:
        return subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=stream, env={**os.environ, "PYTHONUNBUFFERED": "1"}
        )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--keep", type=Path, metavar="DIR", help="build the database in DIR once")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="exemplar-web-cpu-") as scratch:
        directory = args.keep or Path(scratch)
        directory.mkdir(parents=True, exist_ok=True)
        config, digests = build_or_reuse(directory, args.posts)
        deep = deep_cursor(directory / "exemplar.db", args.posts // 2)
        pages = desk_pages(args.posts, deep, digests)
        port, static_port = free_port(), free_port()
        exemplar = str(Path(sys.executable).with_name("exemplar"))
        site = directory / "static"
        site.mkdir(exist_ok=True)
        server = spawn(
            [exemplar, "--config", str(config), "-q", "serve", "--port", str(port), "--workers", "1"],
            directory / "serve-cpu.log",
        )
        static = spawn(
            [sys.executable, "-m", "http.server", str(static_port), *LOOPBACK, "--directory", str(site)],
            directory / "static-cpu.log",
        )
        try:
            with (
                httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client,
                httpx.Client(base_url=f"http://127.0.0.1:{static_port}", timeout=60) as peer,
            ):
                wait_for(client, "/healthz")
                log_in(client)
                (site / "inbox.html").write_text(client.get("/desk").text, encoding="utf-8")
                wait_for(peer, "/inbox.html")
                began = time.perf_counter()
                print(f"server CPU per request, ms ({args.requests} requests a page, one client)")
                for label, path in pages.items():
                    print(f"{label:<34} {cpu_per_request(client, server.pid, path, args.requests):6.2f}")
                static_cpu = cpu_per_request(peer, static.pid, "/inbox.html", args.requests)
                print(f"{'static copy of the inbox':<34} {static_cpu:6.2f}")
                print(f"({time.perf_counter() - began:.0f} s)")
        finally:
            for process in (server, static):
                process.terminate()
                process.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
