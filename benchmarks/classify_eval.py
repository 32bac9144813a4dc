"""Score the classifier against hand-labelled posts: precision, recall and F1 per label, and macro-F1.

    python benchmarks/classify_eval.py [--data tests/data/labelled_posts.jsonl] [--threshold 0.92]
                                       [--split tuning|holdout]

Each line of the data file is ``{"status": <Mastodon Status JSON>, "labels": [...], "split": "...",
"note": "..."}``. ``split`` is ``tuning`` for posts the rules were tuned on and ``holdout`` for posts
they never were (a line without it counts as tuning). Each split is scored on its own, then the whole
file. Every misclassified post is listed with what was expected, what came out and why. The exit code
is 1 when the macro-F1 of any split is below the threshold, so CI can run this as a check.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO, get_args

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.classify import Label, LabelName, classify  # noqa: E402
from bot.networks.mastodon.normalise import normalise_status  # noqa: E402
from bot.posts import Post  # noqa: E402

LABEL_NAMES: tuple[str, ...] = get_args(LabelName)
DEFAULT_DATA = ROOT / "tests" / "data" / "labelled_posts.jsonl"
DEFAULT_THRESHOLD = 0.92
SPLITS = ("tuning", "holdout")


@dataclass(frozen=True, slots=True)
class Example:
    """A labelled post: the normalised post and the labels a person gave it."""

    post: Post
    expected: frozenset[str]
    note: str
    split: str = "tuning"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the classifier said about one example."""

    example: Example
    labels: tuple[Label, ...]

    @property
    def got(self) -> frozenset[str]:
        return frozenset(label.name for label in self.labels)


@dataclass(frozen=True, slots=True)
class LabelScore:
    """Precision, recall and F1 of one label, with the counts behind them."""

    name: str
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def load_examples(path: Path) -> list[Example]:
    """The labelled posts in a JSON-lines file, normalised."""
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        record: dict[str, Any] = json.loads(line)
        unknown = set(record["labels"]) - set(LABEL_NAMES)
        if unknown:
            raise ValueError(f"{path}:{number}: unknown labels {sorted(unknown)}")
        split = record.get("split", "tuning")
        if split not in SPLITS:
            raise ValueError(f"{path}:{number}: split must be one of {', '.join(SPLITS)}, not {split!r}")
        examples.append(
            Example(
                normalise_status(record["status"]), frozenset(record["labels"]), record.get("note", ""), split
            )
        )
    return examples


def evaluate(examples: Iterable[Example]) -> list[Outcome]:
    """Classify every example."""
    return [Outcome(example, classify(example.post)) for example in examples]


def score(outcomes: Sequence[Outcome]) -> list[LabelScore]:
    """Per-label counts and scores, in label order."""
    scores = []
    for name in LABEL_NAMES:
        tp = sum(name in o.got and name in o.example.expected for o in outcomes)
        fp = sum(name in o.got and name not in o.example.expected for o in outcomes)
        fn = sum(name not in o.got and name in o.example.expected for o in outcomes)
        scores.append(LabelScore(name, tp, fp, fn))
    return scores


def macro_f1(scores: Sequence[LabelScore]) -> float:
    """The unweighted mean of the per-label F1 scores."""
    return sum(s.f1 for s in scores) / len(scores)


def report(
    outcomes: Sequence[Outcome],
    scores: Sequence[LabelScore],
    out: TextIO | None = None,
    *,
    title: str = "",
    list_wrong: bool = True,
) -> None:
    """Print the score table, then every misclassified post (to ``out``, standard output by default)."""
    out = out or sys.stdout
    print(f"{title}{': ' if title else ''}{len(outcomes)} posts", file=out)
    print(f"{'label':<10}{'precision':>10}{'recall':>10}{'F1':>8}{'TP':>6}{'FP':>5}{'FN':>5}", file=out)
    for s in scores:
        print(
            f"{s.name:<10}{s.precision:>10.3f}{s.recall:>10.3f}{s.f1:>8.3f}"
            f"{s.true_positives:>6}{s.false_positives:>5}{s.false_negatives:>5}",
            file=out,
        )
    print(f"macro-F1 {macro_f1(scores):.3f}", file=out)
    if not list_wrong:
        print(file=out)
        return
    wrong = [o for o in outcomes if o.got != o.example.expected]
    print(f"\n{len(wrong)} misclassified", file=out)
    for o in wrong:
        text = " ".join((o.example.post.spoiler_text + " " + o.example.post.text).split())
        print(
            f"- {o.example.post.remote_id} ({o.example.split}) expected {sorted(o.example.expected)}"
            f" got {sorted(o.got)}",
            file=out,
        )
        print(f"    {text[:100]}", file=out)
        for label in o.labels:
            print(f"    {label.name} ({label.confidence:.2f}): {label.reason}", file=out)
        if o.example.note:
            print(f"    note: {o.example.note}", file=out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Score the classifier on labelled posts.")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="JSON-lines file of labelled posts")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD, help="lowest passing macro-F1")
    parser.add_argument("--split", choices=SPLITS, help="score only this part of the file")
    args = parser.parse_args(argv)
    outcomes = evaluate(load_examples(args.data))
    if args.split:
        outcomes = [o for o in outcomes if o.example.split == args.split]
    parts = [(name, [o for o in outcomes if o.example.split == name]) for name in SPLITS]
    parts = [(name, part) for name, part in parts if part]
    failing = False
    for name, part in parts:
        part_scores = score(part)
        report(part, part_scores, title=name, list_wrong=False)
        failing = failing or macro_f1(part_scores) < args.threshold
    scores = score(outcomes)
    report(outcomes, scores, title="all")
    return 0 if macro_f1(scores) >= args.threshold and not failing else 1


if __name__ == "__main__":
    sys.exit(main())
