"""Thread parts keep what a reader needs: the link each post shares, the link to the post, the archive
page on the first part, and words with nothing left hanging where a link was taken out."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from digests.render.measure import BLUESKY_MEASURE, X_MEASURE, mastodon_measure, x_length
from digests.render.thread import render_thread, without_links
from tests.digest_samples import SAMPLE, item

ARCHIVE = "https://exemplar.school.example/digests/7"
# A part's words may not end with what only introduced a link that is gone (hashtags may follow).
HANGING = re.compile(r"(?:[:：→👉=]|->|\s[-–—])\s*(?:#\w+\s*)*$")


def one_item(**fields: object) -> list[str]:
    digest = replace(SAMPLE, items=(item(1, "video", 0, **fields),))
    return [part.text for part in render_thread(digest, measure=mastodon_measure(500))]


def words_line(part: str) -> str:
    """The post's words in a part: after the section title and the author's name."""
    line = part.split("\n\n", 1)[-1].split("\n", 1)[0]
    return line.removeprefix("María López").removeprefix(": ")


def test_an_item_keeps_the_video_it_shares_and_the_link_to_its_post() -> None:
    _, part = one_item(
        text="La vidéo de la réunion est en ligne : https://youtu.be/Xc4ZsXq1a2Y #fliplead",
        links=("https://youtu.be/Xc4ZsXq1a2Y",),
        url="https://school.example/@maria/1",
        uri="https://school.example/users/maria/statuses/1",
    )
    assert "Video: https://youtu.be/Xc4ZsXq1a2Y" in part
    assert "Post: https://school.example/users/maria/statuses/1" in part
    assert "est en ligne : #fliplead" not in part
    assert "est en ligne #fliplead" in words_line(part)


def test_a_link_written_only_in_the_text_is_kept_too() -> None:
    _, part = one_item(text="Watch → https://vimeo.com/812345678", links=())
    assert "Video: https://vimeo.com/812345678" in part
    assert not HANGING.search(words_line(part))


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("La vidéo est en ligne : https://youtu.be/x #fliplead", "La vidéo est en ligne #fliplead"),
        ("Regardez 👉 https://a.example/v", "Regardez"),
        ("Notre guide (https://a.example/g).", "Notre guide."),
        ("https://a.example/v est en ligne", "est en ligne"),
        ("Outil : https://padlet.com/r/q — à essayer", "Outil — à essayer"),
        ("well-known https://x.example/z ok", "well-known ok"),
        ("Video -> https://x.example/z", "Video"),
    ],
)
def test_taking_links_out_leaves_nothing_hanging(text: str, words: str) -> None:
    assert without_links(text) == words


def test_the_first_part_links_to_the_archive_page_on_every_network() -> None:
    for measure in (mastodon_measure(500), X_MEASURE, BLUESKY_MEASURE, mastodon_measure(120)):
        head = render_thread(SAMPLE, measure=measure, archive_url=ARCHIVE)[0].text
        assert ARCHIVE in head, measure.network
        assert "#fliplead" in head
    assert "/digests/" not in render_thread(SAMPLE, measure=X_MEASURE)[0].text  # no public_url, no link


def test_links_without_a_scheme_count_23_on_x_so_parts_still_fit() -> None:
    text = " ".join(["padlet.com/x bit.ly/y"] * 40)
    for part in render_thread(replace(SAMPLE, intro=text), measure=X_MEASURE):
        assert x_length(part.text) <= 280


tails = st.sampled_from([":", " :", " →", " 👉", " -", " —", " =", ": voir", ""])
hashtags = st.sampled_from(["", " #fliplead", " #fliplead #edu"])
url = st.sampled_from(["https://youtu.be/Xc4ZsXq1a2Y", "https://padlet.com/r/q?x=1", "http://a.example/p."])


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=80), tails, url, hashtags)
@example(before=":\x08", tail=":", link="https://youtu.be/Xc4ZsXq1a2Y", tags="")  # a control character
def test_no_part_ends_its_words_on_what_introduced_a_removed_link(
    before: str, tail: str, link: str, tags: str
) -> None:
    _, part = one_item(text=f"{before}{tail} {link}{tags}", links=(link,))
    assert not HANGING.search(words_line(part)), words_line(part)
    assert f": {link.rstrip('.')}" in part  # the shared link, on its own line
