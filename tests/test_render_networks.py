"""Threads for X and Bluesky: each network's way of counting, and parts that fit it whatever the input."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.networks.bluesky.publish import rich_text, tid
from digests.model import Answer, Digest
from digests.render.measure import (
    BLUESKY_MEASURE,
    X_MEASURE,
    bluesky_length,
    graphemes,
    link_display,
    x_length,
)
from digests.render.thread import render_thread, thread_links
from tests.digest_samples import SAMPLE, item

LONG_LINK = "https://www.example.org/flipped/staff-meeting-videos-2024/part-one?utm_source=mastodon"


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("Flipped staff meeting", 21),
        (f"see {LONG_LINK}", 4 + 23),  # a link is 23 whatever its length
        ("café", 4),
        ("cafe\u0301", 4),  # NFC first: e + combining accent is one character
        ("朝の会", 6),  # CJK weighs 2
        ("👩🏽‍🏫", 2),  # an emoji sequence is one emoji, weighing 2
        ("“quoted” – dash…", 17),  # quotes and dashes weigh 1, the ellipsis 2
    ],
)
def test_x_counts_weighted_characters(text: str, length: int) -> None:
    assert x_length(text) == length


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://padlet.com/r/q", "padlet.com/r/q"),
        ("https://www.loom.com/", "loom.com"),
        ("https://youtu.be/Xc4ZsXq1a2Y?t=42", "youtu.be/Xc4ZsXq1a2Y…"),
        (LONG_LINK, "example.org/flipped/staff-mee…"),
    ],
)
def test_bluesky_shows_links_short(url: str, shown: str) -> None:
    assert link_display(url) == shown
    assert bluesky_length(f"a {url}") == 2 + graphemes(shown)


def test_graphemes_count_what_a_reader_sees() -> None:
    assert graphemes("👩🏽‍🏫 é e\u0301 🇫🇷") == 7


def test_rich_text_facets_point_at_the_right_bytes() -> None:
    text = f"María’s 👩🏽‍🏫 briefing {LONG_LINK} #fliplead #2024 and x.com/#frag"
    builder = rich_text(text)
    posted = builder.build_text().encode("utf-8")
    facets = builder.build_facets()

    features = []
    for facet in facets:
        shown = posted[facet.index.byte_start : facet.index.byte_end].decode("utf-8")
        [feature] = facet.features
        features.append((shown, getattr(feature, "uri", None) or getattr(feature, "tag", None)))
    assert features == [
        ("example.org/flipped/staff-mee…", LONG_LINK),
        ("#fliplead", "fliplead"),
    ]
    assert builder.build_text().startswith("María’s 👩🏽‍🏫 briefing example.org/flipped/staff-mee… #fliplead")


def test_record_keys_are_valid_ordered_tids() -> None:
    keys = [tid(1732880000000000 + n, 7) for n in range(3)]
    assert all(re.fullmatch(r"[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}", key) for key in keys)
    assert keys == sorted(keys)
    assert len(set(keys)) == 3


def test_a_content_warning_becomes_the_first_line_where_the_network_has_none() -> None:
    warned = replace(SAMPLE, items=(item(1, "video", 0, spoiler_text="eye contact", text="Our briefing"),))
    [_, part] = render_thread(warned, measure=X_MEASURE)
    assert part.spoiler_text == ""
    assert part.text.startswith("Videos\n\nCW: eye contact\n\n")
    [_, mastodon_part] = render_thread(warned, char_limit=500)
    assert mastodon_part.spoiler_text == "eye contact"


def test_thread_links_counts_every_link_posted() -> None:
    parts = render_thread(SAMPLE, measure=X_MEASURE)
    assert thread_links(parts) == sum(len(re.findall(r"https?://", part.text)) for part in parts)
    assert thread_links(parts) >= len(SAMPLE.items)


words = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=600)
links = st.sampled_from(["", LONG_LINK, "https://youtu.be/Xc4ZsXq1a2Y", "https://例え.jp/パス/動画"])


@settings(max_examples=120, deadline=None)
@given(
    intro=words,
    texts=st.lists(st.tuples(words, words, words, links), min_size=1, max_size=5),
    warning=words,
)
def test_every_part_fits_x_and_bluesky(
    intro: str, texts: list[tuple[str, str, str, str]], warning: str
) -> None:
    items = tuple(
        item(
            n,
            ("video", "tool", "question")[n % 3],
            n,
            author_name=name,
            text=f"{text} {link}",
            blurb=blurb,
            spoiler_text=warning if n == 0 else "",
            tool_names=("Loom", "Padlet"),
            answers=(Answer(name, LONG_LINK),),
        )
        for n, (name, text, blurb, link) in enumerate(texts)
    )
    digest = Digest(
        id=1,
        status="draft",
        period_start=SAMPLE.period_start,
        period_end=SAMPLE.period_end,
        timezone="UTC",
        hashtag="fliplead",
        intro=intro,
        items=items,
    )
    for measure, length in ((X_MEASURE, x_length), (BLUESKY_MEASURE, bluesky_length)):
        parts = render_thread(digest, measure=measure)
        assert len(parts) >= 1 + len(items)
        for part in parts:
            assert length(part.text) <= measure.limit, (measure.network, part.text)
            assert part.spoiler_text == ""
            assert not re.search(r"(?:^|\s)@\w", part.text)
