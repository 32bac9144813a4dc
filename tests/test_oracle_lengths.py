"""Exemplar's lengths against the networks' own libraries, run in node: npm twitter-text's parseTweet
for X, @atproto/api's RichText.graphemeLength for Bluesky (installed in tests/oracles by scripts/test).

Texts go to one node process per batch, as JSON on stdin; every rendered thread part is checked too.
"""

from __future__ import annotations

import atexit
import itertools
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.networks.bluesky.publish import rich_text
from digests.model import Answer, Digest
from digests.render.measure import BLUESKY_MEASURE, X_MEASURE, graphemes, x_length
from digests.render.thread import render_thread
from digests.render.twitter_text import link_count, parse_tweet
from tests.digest_samples import SAMPLE, item

ORACLES = Path(__file__).parent / "oracles"


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the official libraries say of one text."""

    x_weighted_length: int
    x_valid: bool
    x_links: int
    bluesky_graphemes: int


def _oracle_available() -> bool:
    return shutil.which("node") is not None and (ORACLES / "node_modules" / "twitter-text").is_dir()


if not _oracle_available():
    if os.environ.get("CI") == "true":
        raise RuntimeError("the counting oracles are missing on CI: scripts/install-oracles installs them")
    pytest.skip(
        "node or tests/oracles/node_modules is missing (scripts/install-oracles)", allow_module_level=True
    )


class Oracle:
    """One node process running tests/oracles/measure.js: a JSON array of texts per line in, their
    verdicts per line out (starting node and @atproto/api once, not per batch)."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[str] | None = None

    def ask(self, texts: list[str]) -> list[Verdict]:
        process = self._started()
        assert process.stdin is not None
        assert process.stdout is not None
        # ASCII escapes keep each batch on one line, and lone surrogates reach JavaScript as they are.
        process.stdin.write(json.dumps(texts) + "\n")
        process.stdin.flush()
        line = process.stdout.readline()
        assert line, "the oracle stopped (its error is in the captured stderr)"
        verdicts: list[dict[str, Any]] = json.loads(line)
        assert len(verdicts) == len(texts)
        return [Verdict(**verdict) for verdict in verdicts]

    def _started(self) -> subprocess.Popen[str]:
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(
                ["node", str(ORACLES / "measure.js")],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
            )
            atexit.register(self.close)
        return self._process

    def close(self) -> None:
        if self._process is not None and self._process.poll() is None:
            assert self._process.stdin is not None
            assert self._process.stdout is not None
            self._process.stdin.close()
            self._process.wait(timeout=10)
            self._process.stdout.close()


ORACLE = Oracle()


def ask(texts: list[str]) -> list[Verdict]:
    """The official verdicts on ``texts``."""
    return ORACLE.ask(texts)


def assert_x_agrees(texts: list[str]) -> None:
    wrong = []
    for text, verdict in zip(texts, ask(texts), strict=True):
        ours = parse_tweet(text)
        mine = (ours.weighted_length, ours.valid, link_count(text))
        if mine != (verdict.x_weighted_length, verdict.x_valid, verdict.x_links):
            wrong.append((text, ours, verdict))
    assert not wrong, f"{len(wrong)} of {len(texts)} texts counted unlike twitter-text, e.g. {wrong[:3]!r}"


# --- adversarial pieces ----------------------------------------------------------------------------

EMOJI = [
    "👩🏽‍🏫",
    "👨‍👩‍👧‍👦",
    "🏳️‍🌈",
    "🏴‍☠️",
    "👁️‍🗨️",
    "❤️‍🔥",
    "🧑🏿‍🤝‍🧑🏻",
    "🫱🏼‍🫲🏿",
    "😶‍🌫️",
    "🧔‍♂️",
    "🇫🇷",
    "🇺🇳",
    "🇯🇵🇰🇷",
    "🏴󠁧󠁢󠁳󠁣󠁴󠁿",
    "🏴󠁧󠁢󠁥󠁮󠁧󠁿",
    "1️⃣",
    "#️⃣",
    "*⃣",
    "9\u20e3",
    "👍🏿",
    "✋🏻",
    "🙇‍♀️",
    "☺",
    "☺️",
    "❤",
    "❤️",
    "©",
    "©️",
    "®",
    "™",
    "↔️",
    "‼️",
    "🈁",
    "🆗",
    "🪿",
    "🫨",
    "🩷",
    "🐦‍⬛",
    "🍋‍🟩",
    "👍\U0001f3fe\u200d",
    "\u200d",
    "\ufe0f",
    "\U0001f3fd",
    "🇫",
    "\U000e0067",
]
WORDS = [
    "flipped",
    "réunion",
    "inversée",
    "Schüler",
    "ﬁn",
    "naïve",
    "e\u0301",
    "a\u0308\u0301",
    "Ω",
    "朝の会",
    "教研",
    "수업",
    "ภาษาไทย",
    "हिन्दी",
    "العربية",
    "עברית",
    "Ελληνικά",
    "Русский",
    "ſ",
    "K",
    "İstanbul",
    "ı",
    "…",
    "“quoted”",
    "–",
    "—",
    "‘",
    "\u00a0",
    "\u2028",
    "\u3000",
    "\u202e",
    "\ufeff",
    "\ufffe",
    "#fliplead",
    "@sam@school.example",
    "＠sam",
    "$AAPL",
    "!",
    "?",
    ":",
    ";",
    "(",
    ")",
    ",",
]
DOMAINS = [
    "padlet.com/x",
    "bit.ly/y",
    "t.co/abc",
    "www.example.com",
    "example.org",
    "a.b",
    "foo.example",
    "youtu.be/Xc4ZsXq1a2Y?t=42",
    "google.co.uk/path",
    "example.notatld",
    "test.py",
    "x.com/#frag",
    "例え.jp",
    "пример.рф",
    "ПРИМЕР.РФ",
    "xn--r8jz45g.jp",
    "münchen.de/straße",
    "EXAMPLE.COM",
    "sub.domain.example.io/a_b-c/~d",
    "loom.com/share/abc.",
    "canva.com)",
    "(genial.ly/x)",
    "1.2.3.4",
    "http://",
    "https://",
    "https://school.example/@maria/1",
    "https://例え.jp/パス/動画",
    "https://www.example.org/flipped/staff-meeting-videos-2024/part-one?utm_source=mastodon",
    "http://t.co/" + "a" * 41,
    "https://example.com/(parens)",
    "https://example.com/path.",
    "mailto:a@b.c",
    "a@b.com",
    "@padlet.com",
    "#padlet.com",
    "$padlet.com",
    "-padlet.com",
    "_padlet.com",
    "/padlet.com",
]
SEPARATORS = [" ", "", "\n", ". ", ", ", "\t", " — "]

pieces = st.sampled_from(EMOJI + WORDS + DOMAINS)
generated = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30
)  # anything at all, astral planes and unassigned code points included
adversarial = st.lists(
    st.tuples(st.one_of(pieces, pieces, generated), st.sampled_from(SEPARATORS)), max_size=25
).map(lambda parts: "".join(piece + separator for piece, separator in parts))


def test_fixed_adversarial_texts_count_as_twitter_text_counts_them() -> None:
    texts = ["", " ", "a" * 280, "a" * 281, "朝" * 140, "朝" * 141, "👩🏽‍🏫" * 140, "👩🏽‍🏫" * 141]
    # Each pair run together: where one piece ends and the next starts is where counters go wrong.
    texts += [a + b for a, b in itertools.product(EMOJI + DOMAINS, DOMAINS)]
    texts += [a + b for a, b in itertools.product(EMOJI + WORDS, EMOJI)]
    texts += [f"{word}{domain}" for word in WORDS for domain in DOMAINS]
    texts += ["padlet.com/x " * 12, "see: " + " ".join(DOMAINS), "https://a.example/" + "p" * 5000]
    assert_x_agrees(texts)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(adversarial, min_size=40, max_size=80))
def test_generated_texts_count_as_twitter_text_counts_them(texts: list[str]) -> None:
    assert_x_agrees(texts)


def test_the_issue_s_examples_count_as_x_counts_them() -> None:
    texts = ["padlet.com/x", "bit.ly/y", "Padlet: padlet.com/x et bit.ly/y 👩🏽‍🏫🇫🇷1️⃣"]
    verdicts = ask(texts)
    assert [v.x_weighted_length for v in verdicts] == [23, 23, 8 + 23 + 4 + 23 + 1 + 6]
    assert [x_length(text) for text in texts] == [v.x_weighted_length for v in verdicts]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(adversarial, min_size=40, max_size=80))
def test_graphemes_count_as_atproto_counts_them(texts: list[str]) -> None:
    # Unassigned code points are left out: which of them join a grapheme depends on the Unicode
    # version each side was built with, not on the rule.
    texts = [text for text in texts if all(_assigned(char) for char in text)]
    verdicts = ask(texts)
    wrong = [(t, graphemes(t), v.bluesky_graphemes) for t, v in zip(texts, verdicts, strict=True)]
    wrong = [entry for entry in wrong if entry[1] != entry[2]]
    assert not wrong, wrong[:3]


def _assigned(char: str) -> bool:
    import unicodedata

    return unicodedata.category(char) != "Cn"


# --- every rendered part, checked by the official libraries -----------------------------------------

LINKS = st.sampled_from(["", "https://youtu.be/Xc4ZsXq1a2Y", "https://例え.jp/パス/動画", *DOMAINS[:8]])


def digest_of(intro: str, entries: list[tuple[str, str, str, str]], warning: str) -> Digest:
    items = tuple(
        item(
            n,
            ("video", "tool", "question")[n % 3],
            n,
            author_name=name,
            text=f"{text} {link}",
            links=(link,) if link.startswith("https://") else (),
            spoiler_text=warning if n == 0 else "",
            tool_names=("Loom", "padlet.com"),
            answers=(Answer(name, "https://school.example/@sam/51"),),
        )
        for n, (name, text, link, _) in enumerate(entries)
    )
    return Digest(
        id=1,
        status="draft",
        period_start=SAMPLE.period_start,
        period_end=SAMPLE.period_end,
        timezone="UTC",
        hashtag="fliplead",
        intro=intro,
        items=items,
    )


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    digests=st.lists(
        st.tuples(
            adversarial,
            st.lists(st.tuples(adversarial, adversarial, LINKS, adversarial), min_size=1, max_size=4),
            adversarial,
        ),
        min_size=2,
        max_size=5,
    )
)
def test_every_rendered_part_is_valid_on_x_and_fits_bluesky(
    digests: list[tuple[str, list[tuple[str, str, str, str]], str]],
) -> None:
    x_parts: list[str] = []
    bluesky_posted: list[str] = []
    for intro, entries, warning in digests:
        digest = digest_of(intro, entries, warning)
        x_parts += [part.text for part in render_thread(digest, measure=X_MEASURE, archive_url=ARCHIVE)]
        bluesky_posted += [
            rich_text(part.text).build_text()  # the text as posted: links shown short
            for part in render_thread(digest, measure=BLUESKY_MEASURE, archive_url=ARCHIVE)
        ]
    verdicts = ask(x_parts + bluesky_posted)
    for text, verdict in zip(x_parts, verdicts[: len(x_parts)], strict=True):
        assert verdict.x_valid, (verdict, text)
        assert verdict.x_weighted_length <= 280
    for text, verdict in zip(bluesky_posted, verdicts[len(x_parts) :], strict=True):
        assert verdict.bluesky_graphemes <= 300, (verdict, text)


ARCHIVE = "https://exemplar.school.example/digests/1"


def test_the_sample_digest_s_parts_are_valid_everywhere() -> None:
    x_parts = [p.text for p in render_thread(SAMPLE, measure=X_MEASURE, archive_url=ARCHIVE)]
    bluesky = [
        rich_text(p.text).build_text()
        for p in render_thread(SAMPLE, measure=BLUESKY_MEASURE, archive_url=ARCHIVE)
    ]
    verdicts = ask(x_parts + bluesky)
    assert all(v.x_valid for v in verdicts[: len(x_parts)])
    assert all(v.bluesky_graphemes <= 300 for v in verdicts[len(x_parts) :])
    assert [x_length(t) for t in x_parts] == [v.x_weighted_length for v in verdicts[: len(x_parts)]]


def test_the_rules_exemplar_runs_are_those_of_the_installed_twitter_text() -> None:
    exported = subprocess.run(
        ["node", str(ORACLES / "export-twitter-text.js")], capture_output=True, text=True, check=True
    ).stdout
    shipped = Path(__file__).parent.parent / "digests" / "render" / "data" / "twitter_text.json"
    assert json.loads(exported) == json.loads(shipped.read_text(encoding="utf-8")), (
        "twitter-text changed: run scripts/update-twitter-text-data"
    )
