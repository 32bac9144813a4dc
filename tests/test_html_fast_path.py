"""The fast reading of post HTML (no html.parser, for the markup Mastodon writes) says exactly what
html.parser says, and is the path taken for real Mastodon bodies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.html_text import extract_html, extract_html_with_parser, extract_simple_html

DATA = Path(__file__).parent / "data"

_TAGS = ("p", "br", "a", "span", "P", "b", "pre", "abbr", "script", "style", "div", "img")
_ATTRIBUTE_NAMES = ("href", "class", "rel", "target", "translate", "HREF", "data-x", "x_y")
_CLASSES = ("mention", "hashtag", "u-url", "invisible", "ellipsis", "h-card", "mention hashtag", "")
_HREFS = (
    "https://youtu.be/abc",
    "http://example.org/a?b=1&amp;c=2",
    "https://ex.org/&#39;x",
    "mailto:someone@example.org",
    " https://ex.org/padded ",
    "",
    "https://ex.org/&",
)
_CHARACTERS = list("ab #@.:/;&<>'\"=-!?…\n\t\r\x0b\x0c\u00a0\u2028 é漢")
_PIECES = ["&amp;", "&lt;", "&#39;", "&#x27;", "&nbsp", "&bogus;", "https://x.org/p", "www."]
_TEXT = st.lists(st.sampled_from([*_CHARACTERS, *_PIECES]), max_size=12).map("".join)
_SEPARATORS = st.sampled_from([" ", "  ", "\t", "\n", "\x0b", "\u00a0", ""])


@st.composite
def _attribute(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(_ATTRIBUTE_NAMES))
    value = draw(
        st.one_of(
            st.sampled_from(_HREFS),
            st.sampled_from(_CLASSES),
            st.just("tag nofollow noopener"),
            _TEXT,
        )
    )
    quote = draw(st.sampled_from(['"', '"', "'", ""]))
    return f"{draw(_SEPARATORS)}{name}={quote}{value}{quote}"


@st.composite
def _tag(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(_TAGS))
    if draw(st.booleans()):
        return f"</{name}{draw(st.sampled_from(['', ' ']))}>"
    attributes = "".join(draw(st.lists(_attribute(), max_size=4)))
    end = draw(st.sampled_from([">", ">", "/>", " />", " >", "/ >", ""]))
    return f"<{name}{attributes}{end}"


@st.composite
def _mastodon_tag(draw: st.DrawFn) -> str:
    """A tag as Mastodon writes one, mostly: the fast path's markup, near its edges."""
    name = draw(st.sampled_from(("p", "br", "a", "span")))
    if draw(st.booleans()):
        return f"</{name}>"
    pairs = draw(
        st.lists(
            st.tuples(
                st.sampled_from([" ", " ", "\n", "\t"]),
                st.sampled_from(("href", "class", "rel", "target", "data-x")),
                st.one_of(st.sampled_from(_HREFS + _CLASSES), _TEXT.filter(lambda v: '"' not in v)),
            ),
            max_size=3,
        )
    )
    attributes = "".join(f'{space}{attribute}="{value}"' for space, attribute, value in pairs)
    return f"<{name}{attributes}{draw(st.sampled_from(['>', '>', '/>', ' />', ' >']))}"


_BODY = st.one_of(
    st.lists(st.one_of(_TEXT, _tag(), _tag()), max_size=14).map("".join),
    st.lists(st.one_of(_TEXT, _mastodon_tag(), _mastodon_tag()), max_size=14).map("".join),
)


def _mastodon_bodies() -> list[str]:
    bodies = []
    for line in (DATA / "labelled_posts.jsonl").read_text(encoding="utf-8").splitlines():
        status: dict[str, Any] = json.loads(line)["status"]
        bodies.append(str(status.get("content") or ""))
    return bodies


@settings(max_examples=3000)
@given(_BODY)
@example(
    '<p>Watch <a href="https://youtu.be/x" rel="nofollow noopener" target="_blank">this</a> #fliplead</p>'
)
@example('<p>a<br/>b<br />c</p><p><span class="invisible">https://</span>ex.org&amp;</p>')
@example("<p>tail with an ampersand &am")
@example('<p class="x"class="y">no space between attributes</p>')
@example('<a href="https://ex.org/" href="https://other.org/">last of two</a>')
@example('<p\x0bclass="x">vertical tab</p>')
def test_the_fast_path_reads_exactly_as_html_parser_does(body: str) -> None:
    fast = extract_simple_html(body)

    assert fast is None or fast == extract_html_with_parser(body)
    assert extract_html(body) == extract_html_with_parser(body)


def test_mastodon_bodies_take_the_fast_path_and_read_the_same() -> None:
    bodies = _mastodon_bodies()
    fast = [extract_simple_html(body) for body in bodies]

    assert len(bodies) > 500
    assert sum(found is not None for found in fast) >= 0.95 * len(bodies)
    for body, found in zip(bodies, fast, strict=True):
        assert found is None or found == extract_html_with_parser(body)


def test_markup_beyond_mastodon_s_own_is_left_to_html_parser() -> None:
    for body in (
        "<p>an <b>bold</b> word</p>",
        "<P>upper case</P>",
        "<p class='single quotes'>x</p>",
        "<p>a comment <!-- here --></p>",
        "<script>alert(1)</script><p>x</p>",
        '<a href="x" download>no value</a>',
    ):
        assert extract_simple_html(body) is None
        assert extract_html(body) == extract_html_with_parser(body)
