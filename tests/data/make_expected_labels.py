"""Write ``expected/labelled_posts_labels.jsonl``: exactly what the classifier says about each labelled post.

    python tests/data/make_expected_labels.py          # after a deliberate change to the rules

One line per post of ``labelled_posts.jsonl``, in order: its id and every label as name, confidence
and reason. ``tests/test_classify_dataset.py`` checks the classifier still says exactly this, so work
that should change nothing (making it faster) cannot change a word; a change to the rules regenerates
the file and shows in its diff which posts it touched.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.classify import classify  # noqa: E402
from bot.networks.mastodon.normalise import normalise_status  # noqa: E402

POSTS = ROOT / "tests" / "data" / "labelled_posts.jsonl"
EXPECTED = ROOT / "tests" / "data" / "expected" / "labelled_posts_labels.jsonl"


def classified(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each record's status id and the classifier's labels for it, as JSON-ready values."""
    return [
        {
            "id": record["status"]["id"],
            "labels": [
                [label.name, label.confidence, label.reason]
                for label in classify(normalise_status(record["status"]))
            ],
        }
        for record in records
    ]


def read_records(path: Path = POSTS) -> list[dict[str, Any]]:
    """The labelled records of a JSON-lines file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> None:
    lines = [json.dumps(entry, ensure_ascii=False) for entry in classified(read_records())]
    EXPECTED.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} posts' labels to {EXPECTED.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
