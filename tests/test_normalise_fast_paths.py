"""The fast paths of normalising read exactly as the general paths they stand in for.

Each fast path takes the common case (the markup Mastodon writes, a plain ``https://host/`` URL, a
line holding one status) and leaves the rest to the general code: these tests draw inputs at and
around the edges of each common case and compare the two."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot import html_text
from bot.html_text import _BLANK_LINES, _SPACES, _tidy, extract_html_with_parser, extract_simple_html

# Markup as Mastodon writes it (a hashtag, a mention, a shortened link), and near misses of it.
_MASTODON_TAGS = (
    "<p>",
    "</p>",
    "<br>",
    "<br/>",
    "<br />",
    "</br>",
    "<span>",
    "</span>",
    '<span class="invisible">',
    '<span class="ellipsis">',
    '<span class="h-card" translate="no">',
    "</a>",
    '<a href="https://mastodon.social/tags/fliplead" class="mention hashtag" rel="tag">',
    '<a href="https://mastodon.social/@maria" class="u-url mention">',
    '<a href="https://youtu.be/x" rel="nofollow noopener" translate="no" target="_blank">',
    '<a href="https://ex.org/a?b=1&amp;c=2" rel="nofollow noopener" target="_blank">',
    '<a href=" https://ex.org/padded " rel="tag">',
    '<a href="mailto:someone@example.org">',
    '<a href="HTTPS://EX.ORG/loud">',
    '<a href="https://ex.org/x" href="https://ex.org/y">',
    '<a class="hashtag">',
    '<a href="">',
    "<a>",
    "<a/>",
    "<p/>",
    '<p class="x"class="y">',
    "<p\n>",
    '<a\thref="https://ex.org/tab">',
    # Not the simple markup: html.parser reads these.
    "<P>",
    "<b>",
    "</p >",
    "<pre>",
    "<p class='single'>",
    '<a href="x" download>',
    "<!-- comment -->",
    "<script>",
    "</script>",
    "<br/ >",
    "<",
    ">",
    '<a href="x>y">',
)
_TEXT_PIECES = (
    "Flip the staff meeting",
    " ",
    "  ",
    "\n",
    "\t",
    "\x0b",
    "\xa0",
    "\u2028",
    "#",
    "@",
    "fliplead",
    "https://ex.org/bare",
    "http://ex.org/p.",
    "see https://ex.org/a, then",
    "&amp;",
    "&lt;",
    "&#39;",
    "&#1;",
    "&nbsp",
    "&bogus;",
    "&",
    "é漢😀",
    "a > b",
)
_MASTODON_BODY = st.lists(
    st.one_of(st.sampled_from(_MASTODON_TAGS), st.sampled_from(_TEXT_PIECES)), max_size=20
).map("".join)


@settings(max_examples=5000)
@given(_MASTODON_BODY)
@example('<p>Our <a href="https://youtu.be/x">video</a></p><p>#<span>fliplead</span></p>')
@example('<p><a href="https://ex.org/x">https://ex.org/x</a> https://ex.org/x https://ex.org/y</p>')
@example("<p>&#1;</p>")
def test_the_simple_markup_reads_as_html_parser_reads_it(body: str) -> None:
    fast = extract_simple_html(body)

    assert fast is None or fast == extract_html_with_parser(body)


@given(_MASTODON_BODY)
def test_a_tag_reads_the_same_the_first_time_and_once_it_is_kept(body: str) -> None:
    html_text._TAG_READINGS.clear()
    first = extract_simple_html(body)
    again = extract_simple_html(body)

    assert first == again


def test_the_tags_kept_are_bounded() -> None:
    for number in range(html_text._MOST_TAG_READINGS + 100):
        extract_simple_html(f'<a href="https://ex.org/{number}">x</a>')
    extract_simple_html(f'<a href="https://ex.org/{"x" * 1000}">long</a>')

    assert len(html_text._TAG_READINGS) <= html_text._MOST_TAG_READINGS
    assert all(len(tag) <= html_text._LONGEST_TAG_KEPT for tag in html_text._TAG_READINGS)
    html_text._TAG_READINGS.clear()


def _tidy_by_substitution(text: str) -> str:
    lines = [line.strip() for line in _SPACES.sub(" ", text).split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


@settings(max_examples=2000)
@given(st.lists(st.sampled_from(list("ab \t\r\n\x0b\x0c\xa0\u2028\u3000")), max_size=30).map("".join))
@example("a  b\n\n\n\nc")
@example("a\r\nb")
def test_tidying_skips_only_substitutions_that_change_nothing(text: str) -> None:
    assert _tidy(text) == _tidy_by_substitution(text)
