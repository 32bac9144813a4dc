"""The worker processes of ``exemplar import --jobs N``: their work comes back, their errors too, and a
worker that dies breaks the pool at once, leaving no process behind."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import wait
from pathlib import Path

import pytest

from bot.classify.catalogue import load_catalogue
from bot.jobs.import_formats import Payload
from bot.jobs.import_pool import WorkerDiedError, WorkPool
from tests.payloads import status


def payloads(count: int, first: int = 1) -> list[Payload]:
    return [Payload(n, json.dumps(status(str(n)))) for n in range(first, first + count)]


def test_an_error_in_the_work_reaches_the_importing_process_and_the_pool_goes_on(tmp_path: Path) -> None:
    with WorkPool(2, "mastodon", tmp_path / "export.jsonl", load_catalogue()) as pool:
        failing = pool.submit([Payload(1, 5)])  # type: ignore[arg-type]  # not text: the parser raises
        working = pool.submit(payloads(3))

        with pytest.raises(TypeError):
            pool.result(failing)
        assert len(pool.result(working)) == 3
        assert len(pool.result(pool.submit(payloads(2)))) == 2
    assert multiprocessing.active_children() == []


def test_a_worker_killed_at_work_fails_its_batch_and_every_one_after_it(tmp_path: Path) -> None:
    with WorkPool(1, "mastodon", tmp_path / "export.jsonl", load_catalogue()) as pool:
        assert len(pool.result(pool.submit(payloads(1)))) == 1
        (worker,) = multiprocessing.active_children()
        at_work = pool.submit(payloads(3_000))
        waiting = [pool.submit(payloads(10, first)) for first in (5_000, 6_000)]
        assert worker.pid is not None
        os.kill(worker.pid, signal.SIGKILL)
        started = time.monotonic()

        for future in [at_work, *waiting]:
            with pytest.raises(WorkerDiedError, match=f"worker 1 of 1, pid {worker.pid}: killed by SIGKILL"):
                pool.result(future)
        with pytest.raises(WorkerDiedError):
            pool.submit(payloads(1))
        assert time.monotonic() - started < 10
    assert multiprocessing.active_children() == []


def test_batches_and_answers_larger_than_any_pipe_flow_both_ways_at_once(tmp_path: Path) -> None:
    # Each batch, and each answer (a post keeps its text and its HTML), is megabytes: more than a pipe
    # holds. With several sent and unanswered, the worker writes an answer while this process still
    # writes it the next batch; each side must be reading while the other writes.
    words = "flipped classroom parent newsletters video feedback " * 800
    big = [
        Payload(n, json.dumps(status(str(n), content=f"<p>{words} #fliplead {n}</p>"))) for n in range(1, 101)
    ]
    assert sum(len(payload.text) for payload in big) > 4 * 1024 * 1024
    with WorkPool(1, "mastodon", tmp_path / "export.jsonl", load_catalogue()) as pool:
        futures = [pool.submit(big) for _ in range(5)]
        finished, _ = wait(futures, timeout=120)
        if len(finished) < len(futures):  # deadlocked: end the worker, so that the pool can stop
            for child in multiprocessing.active_children():
                child.kill()
        assert len(finished) == len(futures), "batches and answers blocked each other"
        for future in futures:
            done = pool.result(future)
            texts = [work.records[0].post.text for work in done if work.records[0].post is not None]
            assert len(texts) == len(big)
            assert all(text.endswith(f"#fliplead {n}") for n, text in enumerate(texts, 1))
    assert multiprocessing.active_children() == []


# In a fresh interpreter (no resource tracker running yet, as in `exemplar import`): Ctrl-C comes
# while a worker is being started. The importing process must not be cut short in the middle, and
# the new process must be born with SIGINT blocked.
_STARTING_UNDER_CTRL_C = """
import multiprocessing, os, signal, threading, time
from bot.jobs.import_pool import _ctrl_c_held

# A thread of the pool's, as when the second worker starts: the kernel gives it the SIGINT.
threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
context = multiprocessing.get_context("spawn")
process = context.Process(target=time.sleep, args=(30,), daemon=True)
interrupted_inside = False
try:
    with _ctrl_c_held():
        os.kill(os.getpid(), signal.SIGINT)
        try:
            process.start()
            time.sleep(0.2)
        except KeyboardInterrupt:
            interrupted_inside = True
except KeyboardInterrupt:
    raised_after = True
else:
    raised_after = False
with open(f"/proc/{process.pid}/status") as status:
    blocked = next(int(line.split()[1], 16) for line in status if line.startswith("SigBlk:"))
process.terminate()
print(interrupted_inside, raised_after, bool(blocked & (1 << (signal.SIGINT - 1))))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads a process's signal mask in /proc")
def test_ctrl_c_while_a_worker_starts_waits_for_the_start_and_the_worker_is_born_with_it_blocked() -> None:
    answer = subprocess.run(
        [sys.executable, "-c", _STARTING_UNDER_CTRL_C], capture_output=True, text=True, timeout=60, check=True
    )
    interrupted_inside, raised_after, born_blocked = answer.stdout.split()
    assert (interrupted_inside, raised_after, born_blocked) == ("False", "True", "True"), answer.stderr
