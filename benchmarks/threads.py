"""How long rendering a digest as a thread takes on each network, and how many posts and links it makes.

    python benchmarks/threads.py [--items 30] [--rounds 200]

Rendering is pure (no I/O); X's weighted count and Bluesky's grapheme count are the costly parts.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from digests.model import Answer, Digest, DigestItem
from digests.render.measure import BLUESKY_MEASURE, X_MEASURE, TextMeasure, mastodon_measure
from digests.render.thread import render_thread, thread_links
from tests.digest_samples import SAMPLE, item

TEXT = (
    "Nuestra reunión «flipped» en vídeo 🎬 para el claustro: cómo preparamos la sesión, qué herramientas "
    "usamos y qué preguntas recibimos de las familias 👩🏽‍🏫 https://www.example.org/flipped/staff/2026?x=1 "
)


def digest_of(items: int) -> Digest:
    many: list[DigestItem] = [
        item(
            n,
            ("video", "tool", "question")[n % 3],
            n,
            author_name=f"María López {n} 🌍",
            text=TEXT * 3,
            tool_names=("Loom", "Padlet"),
            answers=(Answer("Sam Okafor", "https://school.example/users/sam/statuses/1"),),
        )
        for n in range(items)
    ]
    return replace(SAMPLE, items=tuple(many), intro="A week of flipped staff meetings. " * 10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    digest = digest_of(args.items)
    measures: list[TextMeasure] = [mastodon_measure(500), X_MEASURE, BLUESKY_MEASURE]
    for measure in measures:
        began = time.perf_counter()
        for _ in range(args.rounds):
            parts = render_thread(digest, measure=measure)
        per_thread = (time.perf_counter() - began) / args.rounds * 1000
        print(
            f"{measure.network:9} {per_thread:7.2f} ms a thread of {args.items} items: "
            f"{len(parts)} posts, {thread_links(parts)} links"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
