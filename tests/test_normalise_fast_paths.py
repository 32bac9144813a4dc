"""The fast paths of normalising read exactly as the general paths they stand in for.

Each fast path takes the common case (the markup Mastodon writes, a plain ``https://host/`` URL, a
line holding one status) and leaves the rest to the general code: these tests draw inputs at and
around the edges of each common case and compare the two."""

from __future__ import annotations

import dataclasses
import json
from typing import Any
from urllib.parse import urlsplit

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot import html_text
from bot.html_text import _BLANK_LINES, _SPACES, _tidy, extract_html_with_parser, extract_simple_html
from bot.jobs.import_work import _without_raw
from bot.jsonfile import _DECODER, _decoded_line, records_in, records_of_any_document
from bot.networks.errors import MalformedPayloadError
from bot.networks.mastodon.normalise import _host, normalise_status
from bot.valid_text import MAX_DEPTH, _repair, valid_record
from tests.payloads import status

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


# URLs as profiles and statuses give them, and every way urlsplit reads a host differently.
_URL_PIECES = st.sampled_from(
    [
        "https://",
        "http://",
        "HTTPS://",
        "git+ssh://",
        "https:",
        "//",
        "mastodon.social",
        "Mastodon.Social",
        "ex-ample.org",
        "x_y.example",
        "münchen.example",
        "xn--mnchen-3ya.example",
        "[::1]",
        "[fe80::1%25eTh0]",
        "[",
        "]",
        "user@",
        ":8443",
        ":",
        "@",
        "%",
        "/@maria",
        "/users/maria/statuses/1",
        "?q=1",
        "#frag",
        " ",
        "\t",
        "\n",
        "\r",
        "\x00",
        "\uff0e",
        "",
    ]
)
_URL = st.one_of(st.lists(_URL_PIECES, max_size=6).map("".join), st.text(max_size=20))


def _host_by_urlsplit(url: str) -> str | None:
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host or None


@settings(max_examples=3000)
@given(_URL)
@example("https://mastodon.social/@maria")
@example("https://mastodon.social")
@example("https:///no-host")
@example("https://ex.org\n/x")
@example("https://ex.org/\n")
@example("https://ex.org\n")
def test_a_plain_host_is_read_as_urlsplit_reads_it(url: str) -> None:
    assert _host(url) == _host_by_urlsplit(url)


# JSON lines as an export writes them, with what decode skips around them or refuses in them.
_JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=8,
)
_AROUND = st.sampled_from(["", " ", "\r", "\t", "\n", " \r", "\x0b", "\xa0", "x", "{}", ",", "]"])


@st.composite
def _json_line(draw: st.DrawFn) -> str:
    text = json.dumps(draw(_JSON_VALUE), ensure_ascii=draw(st.booleans()))
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(st.sampled_from(["", "NaN", "1e999", "[", "\\ud800", '"'])) + text[cut:]
    return draw(_AROUND) + text + draw(_AROUND)


def _decoding(decode: Any, text: str) -> tuple[str, Any]:
    try:
        return "value", json.dumps(decode(text), allow_nan=True)
    except (ValueError, RecursionError, TypeError) as error:
        return type(error).__name__, str(error)


@settings(max_examples=3000)
@given(_json_line())
@example('{"uri": "x"}')
@example(' {"uri": "x"}')
@example('{"uri": "x"}\r')
@example('{"uri": "x"} {"uri": "y"}')
@example("")
@example("[" * 5000)
def test_a_json_line_decodes_as_the_decoder_decodes_it(text: str) -> None:
    assert _decoding(_decoded_line, text) == _decoding(_DECODER.decode, text)


def test_text_that_is_not_text_is_refused_as_the_decoder_refuses_it() -> None:
    assert _decoding(_decoded_line, 5) == _decoding(_DECODER.decode, 5)  # type: ignore[arg-type]


_PAGE_KEYS = st.sampled_from(["uri", "thread", "data", "statuses", "posts", "status", "post", "id"])
_PAGE_VALUES = st.one_of(
    st.none(),
    st.just("x"),
    st.just([]),
    st.just([{"uri": "a"}, {"status": {"uri": "b"}}]),
    st.just({"uri": "c"}),
    st.just({"post": {"uri": "d"}}),
)
_DOCUMENT = st.recursive(
    st.dictionaries(_PAGE_KEYS, _PAGE_VALUES, max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_PAGE_KEYS, inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=2000)
@given(_DOCUMENT)
@example({"uri": "x", "data": [{"uri": "y"}]})
@example({"uri": "x", "thread": {"post": {"uri": "y"}}})
@example({"uri": "x", "status": {"uri": "y"}})
def test_the_records_of_a_document_are_found_as_before(document: Any) -> None:
    found, before = records_in(document), records_of_any_document(document)

    assert found == before
    assert all(a is b for a, b in zip(found, before, strict=True))


def test_a_post_without_its_raw_is_the_post_with_raw_replaced() -> None:
    post = normalise_status(status("1"))
    replaced = dataclasses.replace(post, raw={})
    values = [getattr(post, item.name) for item in dataclasses.fields(post)]

    slim = _without_raw(post)

    assert slim == replaced
    assert slim.raw == {}
    assert [getattr(slim, item.name) for item in dataclasses.fields(slim)][:-1] == values[:-1]


class _Text(str):
    pass


# Values as JSON decodes them (and as an SDK may hand them over), with everything valid_text repairs.
_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(
        st.sampled_from(["a", "é", "😀", "\ud83d", "\ude00", "\x00", "\x08", "\t", "\n", "\x1f", "\ufffe"])
    ),
    st.builds(_Text, st.sampled_from(["x", "\ud800"])),
)
_KEY = st.one_of(st.text(st.sampled_from(["k", "\ud800", "\x01"]), max_size=2), st.integers(0, 3))
_RECORD = st.recursive(
    _SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(_KEY, inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
    ),
    max_leaves=16,
)


def _nested(depth: int, leaf: Any) -> Any:
    value = leaf
    for _ in range(depth):
        value = {"a": [value]} if depth % 2 else [value]
    return value


def _repaired(record: Any, strict: bool, repair: Any) -> tuple[str, Any]:
    try:
        return "value", repair(record, strict)
    except MalformedPayloadError as error:
        return "error", str(error)


@settings(max_examples=3000)
@given(
    st.one_of(
        _RECORD,
        st.builds(_nested, st.integers(MAX_DEPTH - 2, MAX_DEPTH + 2), st.sampled_from(["x", "\ud800", 1.5])),
    ),
    st.booleans(),
)
@example({"a": float("nan")}, True)
@example({"a": [1, "ok", None, True]}, True)
@example({_Text("k"): "v"}, True)
def test_a_record_is_repaired_as_before_and_is_itself_when_nothing_needs_repair(
    record: Any, strict: bool
) -> None:
    found = _repaired(record, strict, lambda value, strict: valid_record(value, strict=strict))
    before = _repaired(record, strict, lambda value, strict: _repair(value, 0, strict))

    assert repr(found) == repr(before)  # NaN is not equal to itself: compared by how it prints
    if before[0] == "value" and before[1] is record:
        assert found[1] is record
