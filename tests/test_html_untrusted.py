"""Post HTML is untrusted: no markup makes reading it fail, and none hides the text around it.

html.parser raises ``AssertionError`` on some markup (``<![foo[``, ``<![ x``: marked sections it does
not know), which Word-pasted posts and broken exports do hold."""

from __future__ import annotations

import time

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.html_text import extract_html, extract_html_loosely, extract_html_with_parser, html_to_text

WORD_PASTE = (
    '<p class=MsoListParagraph style="text-indent:-18pt"><![if !supportLists]><span>·'
    "<span>&nbsp;&nbsp; </span></span><![endif]>Flip the meeting</p>"
    "<p><![if !vml]><img src=x><![endif]>Share the video first #fliplead</p>"
)


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>a<![foo[x]]>b</p>", "ab"),
        ("<p>before <![foo bar]> after</p>", "before after"),
        ("<p>before <![ x ]> after</p>", "before after"),
        ("<p>before <![1]> after</p>", "before after"),
        ("<p>before <![]> after</p>", "before after"),
        ("<p>kept <![CDATA[hidden]]> too</p>", "kept too"),
        ("<p>kept <![if !supportLists]>·<![endif]> too</p>", "kept · too"),
        ("<p>x</p><?xml version='1.0'?><p>y</p>", "x\n\ny"),
        (WORD_PASTE, "·\xa0\xa0 Flip the meeting\n\nShare the video first #fliplead"),
    ],
)
def test_marked_sections_html_parser_gives_up_on_are_read_as_a_browser_reads_them(
    html: str, text: str
) -> None:
    assert html_to_text(html) == text


@pytest.mark.parametrize("opening", ["<![foo", "<![ x", "<![CDATA[x", "<![if x", "<!-- x", "<? x", "<a x"])
def test_the_text_before_an_unterminated_opening_at_the_end_is_kept(opening: str) -> None:
    # What html.parser makes of the opening itself changed in Python 3.11.13 (HTML5's reading).
    assert html_to_text(f"<p>to the end {opening}").startswith("to the end")
    assert extract_html_loosely(f"<p>to the end {opening}").text == f"to the end {opening}"


def test_links_around_such_markup_are_kept() -> None:
    found = extract_html('<p><![foo[x]]><a href="https://youtu.be/v">video</a> <![ y ]> https://ex.org/p</p>')
    assert found.links == ["https://youtu.be/v", "https://ex.org/p"]


_JUNK = st.lists(
    st.sampled_from(
        [
            "<!",
            "<![",
            "<![CDATA[",
            "<![if !supportLists]>",
            "<![endif]>",
            "<![foo[",
            "<![ ",
            "]]>",
            "]>",
            "<?",
            "?>",
            "<!--",
            "-->",
            "<!DOCTYPE",
            "<",
            ">",
            "</",
            "<p",
            "<a href='https://x.org/a'",
            "<script>",
            "</script>",
            '"',
            "'",
            "=",
            "&",
            "&amp",
            "&#",
            " ",
            "\n",
            "x",
            "1",
            "[",
            "]",
            "é",
        ]
    ),
    max_size=20,
).map("".join)


@settings(max_examples=2000)
@given(_JUNK)
@example("<![foo[")
@example("<![ x")
@example("<![if !supportLists]")
def test_no_markup_makes_reading_fail_or_hides_the_text_before_it(junk: str) -> None:
    assert extract_html(f"<p>Visible words</p>{junk}").text.startswith("Visible words")
    assert html_to_text(junk) == extract_html(junk).text
    assert extract_html_loosely(f"Visible words {junk}").text.startswith("Visible words")


@pytest.mark.parametrize(
    "html",
    [
        "<p>an <b>bold</b> word</p>",
        "<P>upper case</P><DIV>and a block</DIV>",
        "<p class='single quotes'>x</p><p class=bare>y</p>",
        "<p>a comment <!-- here --> and on</p>",
        "<script>alert('<p>no</p>')</script><p>x</p>",
        '<a href="x" download>no value</a>',
        '<p>A <a href="https://ex.org/a?b=1&amp;c=2" class="u-url">link</a> and a '
        '<a href="https://social.example/@lee" class="u-url mention">@lee</a></p>',
        "<p>a<br>b<br/>c</p><ul><li>one</li><li>two &amp; three</li></ul>",
        "<p>x</p><?php echo 1 ?><!DOCTYPE html><p>y</p>",
        "<p>a < b and c > d</p>",
        WORD_PASTE,
    ],
)
def test_the_loose_reading_reads_well_formed_markup_as_html_parser_does(html: str) -> None:
    assert extract_html_loosely(html) == extract_html_with_parser(html)


@pytest.mark.parametrize("unit", ["<a ", '<a x="', "<a x='", "</a ", "<!--", "<!", "<![CDATA[", "<?"])
def test_the_loose_reading_of_many_unterminated_openings_takes_linear_time(unit: str) -> None:
    # Read from each opening to the end, 50,000 of them would take minutes; read once, milliseconds.
    started = time.perf_counter()
    found = extract_html_loosely(unit * 50_000)
    assert time.perf_counter() - started < 5
    assert found.text.startswith(unit.strip())


@pytest.mark.parametrize(
    "body",
    [
        "<p>Visible</p>" + "<a " * 20_000,
        "<p>Visible</p>" + '<a x="' * 20_000,
        "<p>Visible</p>" + "<!--x>" * 20_000,
        "<p>Visible</p>" + "<![CDATA[x>" * 20_000,
        "<p>Visible</p><!--" + "x" * 100_000,
    ],
)
def test_a_body_html_parser_cannot_finish_is_read_in_linear_time(body: str) -> None:
    # html.parser's close() reads what it could not finish again from each "<": a minute for these.
    started = time.perf_counter()
    text = html_to_text(body)
    assert time.perf_counter() - started < 5
    assert text.startswith("Visible")
