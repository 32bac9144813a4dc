"""The digest's candidate query: the period's posts and their labels read in two range scans must
agree with the label rules as SQL states them (:func:`storage.labels.has_label`) and with
:func:`storage.labels.effective_labels`, curator corrections included."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from bot.networks.mastodon.normalise import normalise_status
from storage import digests as digest_repo
from storage import labels as label_repo
from storage.db import session_scope
from storage.repository import save_posts
from tests.payloads import status

LABELS = ("video", "tool", "question")
START = datetime(2026, 11, 16, tzinfo=UTC)
END = START + timedelta(days=7)


@dataclass(frozen=True)
class RuleLabel:
    name: str
    confidence: float = 0.9
    reason: str = "a rule"


def test_candidates_and_their_labels_agree_with_the_label_rules(engine: Engine) -> None:
    chance = random.Random(15)
    now = datetime(2026, 11, 25, tzinfo=UTC)
    posts = []
    for n in range(120):
        created = START + timedelta(hours=n * 2 - 24)  # some before the period, some after
        tags = ["fliplead"] if n % 7 else ["other"]
        posts.append(
            normalise_status(
                status(str(1000 + n), tags=tags, created_at=created.isoformat().replace("+00:00", "Z"))
            )
        )
    with session_scope(engine) as session:
        ids = save_posts(session, posts, seen=None, now=now).written
        rule_labels = {
            post_id: [RuleLabel(label) for label in LABELS if chance.random() < 0.4]
            for post_id in ids.values()
        }
        label_repo.replace_rule_labels(session, rule_labels, now)
        for post_id in ids.values():
            if chance.random() < 0.4:
                label = chance.choice(LABELS)
                label_repo.set_curator_label(
                    session, post_id, label, chance.random() < 0.5, by="kim", now=now
                )

    with session_scope(engine) as session:
        expected_rows = digest_repo.candidate_posts(
            session, start=START, end=END, hashtags=["fliplead"], labels=LABELS
        )
        expected_labels = label_repo.effective_labels(session, [row.id for row in expected_rows])
        found = digest_repo.candidates_with_labels(
            session, start=START, end=END, hashtags=["fliplead"], labels=LABELS
        )

    assert expected_rows  # the test data has candidates, and posts that are not
    assert [row.id for row, _labels in found] == [row.id for row in expected_rows]
    assert [tuple(row) for row, _labels in found] == [tuple(row) for row in expected_rows]
    assert {row.id: labels for row, labels in found} == {
        row.id: frozenset(label.name for label in expected_labels.get(row.id, [])) for row in expected_rows
    }
