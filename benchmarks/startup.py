"""Start-up benchmark: how long `exemplar` takes before it does anything, against bare Python.

    python benchmarks/startup.py [--runs N]

Measured in the same run, each the median of N runs (default 5), as subprocesses:

* peer: ``python -c pass`` (the interpreter alone) and ``python -c "import click"``;
* ``exemplar --version`` (target: under 0.3 s);
* ``exemplar collect`` against a local seeded Mastodon-compatible server (the demo's mastodon_mock)
  when every post is already stored, so the run finds nothing new (target: under 1 s).

Exemplar's own modules are byte-compiled first, as installing the package does: otherwise, where
``PYTHONDONTWRITEBYTECODE`` is set or the tree is read-only, every run would time compiling them.

The machine this runs on is shared and noisy: read the ratios to the bare interpreter, not the seconds.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.cli.demo import BOT_ACCOUNT, BOT_TOKEN_ENV, _token, demo_instance

EXEMPLAR = [sys.executable, "-c", "from bot.cli import main; main()"]
ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "storage", "digests")


def timed(command: list[str], cwd: Path, runs: int) -> float:
    """The median wall time of ``command`` over ``runs`` runs, in seconds (each must succeed)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=cwd, check=True, capture_output=True, env=dict(os.environ))
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run(arguments: list[str], cwd: Path) -> None:
    answer = subprocess.run([*EXEMPLAR, *arguments], cwd=cwd, capture_output=True, text=True)
    if answer.returncode:
        sys.exit(f"exemplar {' '.join(arguments)} failed: {answer.stderr.strip()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for package in PACKAGES:
        compileall.compile_dir(ROOT / package, quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        bare = timed([sys.executable, "-c", "pass"], directory, args.runs)
        click_only = timed([sys.executable, "-c", "import click"], directory, args.runs)
        version = timed([*EXEMPLAR, "--version"], directory, args.runs)
        os.environ[BOT_TOKEN_ENV] = _token(BOT_ACCOUNT)
        with demo_instance(directory) as demo:
            config = ["--config", str(demo.config_path)]
            run([*config, "db", "upgrade"], directory)
            run([*config, "collect"], directory)
            nothing_new = timed([*EXEMPLAR, *config, "collect", "--no-refresh"], directory, args.runs)
    print(f"python -c pass                 {bare:6.3f} s")
    print(f"python -c 'import click'       {click_only:6.3f} s")
    print(
        f"exemplar --version             {version:6.3f} s   {version / bare:4.1f}x bare python "
        "(target < 0.3 s)"
    )
    print(
        f"exemplar collect, nothing new  {nothing_new:6.3f} s   {nothing_new / bare:4.1f}x bare python "
        "(target < 1 s)"
    )


if __name__ == "__main__":
    main()
