"""Collection benchmark: `exemplar collect` against a bare client loop, in time and memory.

    python benchmarks/collect.py [--posts N]

A local Mastodon-compatible server (mastodon_mock) holds N #fliplead posts (default 400). Measured in
the same run, each as its own process (wall time, and peak resident memory from ``wait4``):

* peer: a bare Mastodon.py loop paging the hashtag timeline (40 a page) and storing each status as
  raw JSON in a SQLite table;
* ``exemplar collect`` of the same timeline into a fresh database (the schema created beforehand,
  not timed): screen, normalise, classify, store.

Target: Exemplar within 1.3x of the peer in both. The machines here are noisy: read the ratios.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mastodon_mock.config import DatabaseConfig, MastodonMockConfig
from mastodon_mock.testing import MockServer

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The same seeded timeline as the ingest benchmark.
from ingest import SEED, seed_timeline

BARE_LOOP = """
import json, sqlite3, sys
from mastodon import Mastodon
api = Mastodon(api_base_url=sys.argv[1], ratelimit_method="throw", version_check_mode="none")
db = sqlite3.connect(sys.argv[2])
db.execute("CREATE TABLE statuses (id TEXT PRIMARY KEY, raw TEXT)")
max_id = None
while True:
    page = api.timeline_hashtag("fliplead", limit=40, max_id=max_id)
    if not page:
        break
    with db:
        db.executemany(
            "INSERT OR IGNORE INTO statuses VALUES (?, ?)",
            [(str(s["id"]), json.dumps(s, default=str)) for s in page],
        )
    max_id = page[-1]["id"]
print(db.execute("SELECT count(*) FROM statuses").fetchone()[0])
"""


def measured(command: list[str], cwd: Path) -> tuple[float, float, str]:
    """Wall seconds, peak resident MiB and standard output of ``command`` (which must succeed)."""
    out_path, err_path = cwd / "stdout.txt", cwd / "stderr.txt"
    with out_path.open("w") as out, err_path.open("w") as err:
        began = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - began
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        sys.exit(f"{' '.join(command[:3])} failed: {err_path.read_text().strip()}")
    return elapsed, usage.ru_maxrss / 1024, out_path.read_text()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="exemplar-bench-") as tmp:
        workdir = Path(tmp)
        mock_db = workdir / "mock.sqlite"
        config = MastodonMockConfig(
            domain="bench.example", database=DatabaseConfig(path=str(mock_db)), seed=SEED
        )
        with MockServer(config=config) as server:
            seed_timeline(mock_db, args.posts)
            exemplar_config = workdir / "exemplar.toml"
            exemplar_config.write_text(
                'hashtags = ["fliplead"]\n[database]\nurl = "sqlite:///collect.db"\n'
                "[collect]\nbackfill_days = 3650\n"
                f'[[mastodon]]\nbase_url = "{server.base_url}"\nname = "bench"\n',
                encoding="utf-8",
            )
            exemplar = [
                sys.executable,
                "-c",
                "from bot.cli import main; main()",
                "--config",
                str(exemplar_config),
            ]
            subprocess.run([*exemplar, "db", "upgrade"], cwd=workdir, check=True, capture_output=True)
            peer_time, peer_mib, stored = measured(
                [sys.executable, "-c", BARE_LOOP, server.base_url, str(workdir / "bare.db")], workdir
            )
            ours_time, ours_mib, summary = measured([*exemplar, "collect"], workdir)
    print(f"collect of {args.posts} posts from a local mastodon_mock")
    print(
        f"  bare Mastodon.py loop, raw JSON  {peer_time:6.2f} s  {peer_mib:6.1f} MiB  "
        f"({stored.strip()} stored)"
    )
    print(f"  exemplar collect                 {ours_time:6.2f} s  {ours_mib:6.1f} MiB  ({summary.strip()})")
    print(f"  ratio (target <= 1.3)            {ours_time / peer_time:6.2f}x    {ours_mib / peer_mib:6.2f}x")


if __name__ == "__main__":
    main()
