"""Renderers, compared with stored expected outputs (``UPDATE_EXPECTED=1 pytest tests/test_render.py``
rewrites them; read the diff before committing), plus properties that must hold for any input."""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digests.model import Answer, Digest
from digests.render.email import render_email
from digests.render.json import digest_to_json
from digests.render.sanitize import safe_html, safe_url
from digests.render.text import render_text
from digests.render.thread import mastodon_length, render_thread
from tests.digest_samples import SAMPLE, item

EXPECTED = Path(__file__).parent / "data" / "expected"
MENTION = re.compile(r"(?<![\w/%])@\w+")


def matches_expected(name: str, actual: str) -> None:
    path = EXPECTED / name
    if os.environ.get("UPDATE_EXPECTED"):
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8"), f"{name} changed; UPDATE_EXPECTED=1 rewrites it"


def test_thread_matches_the_expected_parts() -> None:
    parts = render_thread(SAMPLE, char_limit=500)
    rendered = json.dumps(
        [{"text": p.text, "spoiler_text": p.spoiler_text} for p in parts], ensure_ascii=False, indent=1
    )
    matches_expected("thread.json", rendered + "\n")


def test_text_matches_the_expected_output() -> None:
    matches_expected("digest.txt", render_text(SAMPLE, archive_url="https://exemplar.example.org/digests/7"))


def test_email_parts_match_the_expected_output() -> None:
    message = render_email(
        SAMPLE,
        sender="Exemplar <digest@school.example>",
        recipient="head@oakfield.example",
        unsubscribe_url="https://exemplar.example.org/unsubscribe?email=head%40oakfield.example&token=abc",
    )
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    matches_expected("email.txt", str(text.get_content()))
    matches_expected("email.html", str(html.get_content()))


def test_the_thread_fits_numbers_its_parts_and_never_mentions_anyone() -> None:
    parts = render_thread(SAMPLE, char_limit=500)
    assert len(parts) == 6
    assert parts[0].text.startswith("#fliplead exemplars, 16–22 November 2026")
    assert "#fliplead" in parts[0].text
    for number, part in enumerate(parts, start=1):
        assert part.text.endswith(f"({number}/6)")
        assert mastodon_length(part.text) + len(part.spoiler_text) <= 500
        assert not MENTION.search(part.text)
    assert parts[3].spoiler_text == "Conflicto escolar"  # the CW is carried over
    assert "Videos" in parts[1].text
    assert "https://school.example/users/maria/statuses/1" in parts[1].text  # a link with no @ in it
    assert "Answered by Sam Okafor https://school.example/%40sam/51" in parts[5].text


def test_the_thread_respects_a_small_instance_limit() -> None:
    parts = render_thread(SAMPLE, char_limit=200)
    assert all(mastodon_length(p.text) + len(p.spoiler_text) <= 200 for p in parts)


def test_a_long_intro_continues_over_several_parts() -> None:
    long = replace(SAMPLE, intro=" ".join(["A week of flipped meetings across the network."] * 40))
    parts = render_thread(long, char_limit=500)
    assert len(parts) > 6
    assert all(mastodon_length(p.text) <= 500 for p in parts)
    assert "#fliplead" in parts[0].text


def test_the_email_is_multipart_inlined_and_safe() -> None:
    message = render_email(
        SAMPLE,
        sender="digest@school.example",
        recipient="head@oakfield.example",
        unsubscribe_url="https://exemplar.example.org/unsubscribe?email=head%40oakfield.example&token=abc",
        unsubscribe_mailto="mailto:digest@school.example?subject=unsubscribe",
        archive_url="https://exemplar.example.org/digests/7",
    )
    parsed = message_from_bytes(message.as_bytes(), policy=default_policy)
    assert parsed.get_content_type() == "multipart/alternative"
    assert parsed["Subject"] == "#fliplead exemplars, 16–22 November 2026"
    assert parsed["List-Unsubscribe"] == (
        "<https://exemplar.example.org/unsubscribe?email=head%40oakfield.example&token=abc>, "
        "<mailto:digest@school.example?subject=unsubscribe>"
    )
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html_part = parsed.get_body(preferencelist=("html",))
    text_part = parsed.get_body(preferencelist=("plain",))
    assert html_part is not None
    assert text_part is not None
    html, text = str(html_part.get_content()), str(text_part.get_content())
    assert "<style" not in html
    assert 'name="viewport"' in html
    assert "max-width: 600px" in html
    assert not re.search(r"""\ssrc=["']?https?:""", html)  # no remote images or scripts
    assert "<script" not in html
    assert "onerror" not in html
    assert "javascript:" not in html
    assert "unsubscribe?email=head%40oakfield.example" in html
    assert "Unsubscribe: https://exemplar.example.org/unsubscribe" in text
    for entry in SAMPLE.items:
        assert entry.url in html  # every exemplar linked to its original post
    assert not MENTION.search(text)


def test_json_has_every_section_and_item() -> None:
    data = digest_to_json(SAMPLE)
    assert [len(data["sections"][s]) for s in ("video", "tool", "question")] == [3, 1, 1]
    assert data["sections"]["question"][0]["answers"] == [
        {"name": "Sam Okafor", "url": "https://school.example/@sam/51"}
    ]
    json.dumps(data)


@pytest.mark.parametrize(
    "html",
    [
        "<p>hi<script>alert(1)</script></p>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        '<a href=" JaVaScRiPt:alert(1)">x</a>',
        "<svg><script>alert(1)</script></svg>",
        '<iframe src="https://evil.example"></iframe>',
    ],
)
def test_hostile_html_is_inert(html: str) -> None:
    cleaned = safe_html(html).lower()
    for danger in ("<script", "onerror", "javascript:", "<iframe", "<img", "<svg"):
        assert danger not in cleaned


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://a.example/x", True),
        ("javascript:alert(1)", False),
        ("data:text/html,x", False),
        ("//a.example", False),
    ],
)
def test_only_web_links_are_kept(url: str, safe: bool) -> None:
    assert (safe_url(url) is not None) is safe


words = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=600)


@settings(max_examples=150, deadline=None)
@given(
    intro=words,
    texts=st.lists(st.tuples(words, words, words), min_size=1, max_size=6),
    limit=st.integers(min_value=120, max_value=600),
)
def test_every_part_fits_and_mentions_no_one(
    intro: str, texts: list[tuple[str, str, str]], limit: int
) -> None:
    items = tuple(
        item(
            n,
            ("video", "tool", "question")[n % 3],
            n,
            author_name=name,
            text=text,
            blurb=blurb,
            answers=(Answer(name, "https://x.example/@someone/1"),),
        )
        for n, (name, text, blurb) in enumerate(texts)
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
    for part in render_thread(digest, char_limit=limit):
        assert mastodon_length(part.text) + len(part.spoiler_text) <= limit
        assert not re.search(r"(?<![\w/%])@\w+@[\w.-]+", part.text)
        assert not re.search(r"(?:^|\s)@\w", part.text)
