"""Turn post HTML into plain text and the list of links it shares.

Mastodon (and most fediverse software) sends post bodies as a small HTML dialect: paragraphs, line
breaks, links whose long URLs are split into ``invisible`` and ``ellipsis`` spans, mentions and
hashtags as links with a class. This module reads that dialect without trusting it: it never
renders anything, it only extracts text and hrefs, and no markup makes it fail (html.parser gives up on
some, such as the ``<![if !supportLists]>`` of text pasted from Word: see :class:`ForgivingHTMLParser`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser

_BLOCK_TAGS = frozenset(
    {"p", "div", "blockquote", "li", "ul", "ol", "pre", "h1", "h2", "h3", "h4", "h5", "h6"}
)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(slots=True)
class ExtractedHTML:
    """What a post body says in plain text, and the links it shares (not mentions, not hashtags)."""

    text: str
    links: list[str] = field(default_factory=list)


# A bare URL in text; trailing punctuation is the sentence's, not the link's.
_BARE_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]}…]")


class _Reader:
    """What the tags and text of a body, as html.parser reports them, say: text parts and links."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip_depth = 0
        self._anchor_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip_depth += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")
        elif tag == "a":
            self._anchor_depth += 1
            self._record_link(dict(attrs))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag == "a":
            self._anchor_depth = max(0, self._anchor_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        self.parts.append(data)
        if not self._anchor_depth:
            # Some servers and exports leave links as plain text.
            for url in _BARE_URL.findall(data):
                if url not in self.links:
                    self.links.append(url)

    def _record_link(self, attrs: dict[str, str | None]) -> None:
        href = _shared_link(attrs)
        if href is not None and href not in self.links:
            self.links.append(href)


def _shared_link(attrs: dict[str, str | None]) -> str | None:
    """The link an ``<a>`` with these attributes shares: its web ``href``, unless it is a mention or a
    hashtag."""
    href = (attrs.get("href") or "").strip()
    if not href.lower().startswith(("http://", "https://")):
        return None
    classes = (attrs.get("class") or "").split()
    rels = (attrs.get("rel") or "").split()
    if "mention" in classes or "hashtag" in classes or "tag" in rels:
        return None
    return href


class ForgivingHTMLParser(HTMLParser):
    """An :class:`HTMLParser` that reads a marked section it does not know as HTML5 does.

    html.parser reads ``<![CDATA[...]]>`` and MS Office's ``<![if ...]>`` / ``<![endif]>``, and raises
    ``AssertionError`` on any other ``<![`` (``<![foo[``, ``<![ x``). A browser reads every one of them
    as a bogus comment up to the next ``>``, and so does this parser.
    """

    def parse_marked_section(self, i: int, report: bool = True) -> int:
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            return self.parse_bogus_comment(i, report)


class _Extractor(_Reader, ForgivingHTMLParser):
    def __init__(self) -> None:
        ForgivingHTMLParser.__init__(self, convert_charrefs=True)
        _Reader.__init__(self)


def extract_html(html: str) -> ExtractedHTML:
    """Plain text and shared links of a post body.

    >>> extract_html('<p>Our <a href="https://youtu.be/x">video</a></p><p>#<span>fliplead</span></p>').text
    'Our video\\n\\n#fliplead'
    """
    if "<" not in html and "&" not in html:
        return ExtractedHTML(text=_tidy(html), links=list(dict.fromkeys(_BARE_URL.findall(html))))
    return extract_simple_html(html) or extract_html_with_parser(html)


def extract_html_with_parser(html: str) -> ExtractedHTML:
    """:func:`extract_html` by html.parser, whatever the markup (the reference for the fast path)."""
    parser = _Extractor()
    try:
        parser.feed(html)
        if len(parser.rawdata) > _MOST_LEFT_TO_CLOSE:
            _read_loosely(parser.rawdata, parser)
        else:
            parser.close()
    except AssertionError:  # html.parser gave up on some markup (which it does differently by version)
        return extract_html_loosely(html)
    return ExtractedHTML(text=_tidy("".join(parser.parts)), links=parser.links)


# What html.parser could not finish (from an unterminated tag, comment or section on) it keeps, and
# close() reads it again from each "<" in it: a time that grows with the square of its length (a
# minute for 60 kB of "<a "). Beyond this many characters, the rest is read loosely instead.
_MOST_LEFT_TO_CLOSE = 2_000


def extract_html_loosely(html: str) -> ExtractedHTML:
    """:func:`extract_html` by a reading that cannot fail, for markup html.parser gives up on: start
    and end tags read as html.parser reads them, comments, declarations, marked sections and
    processing instructions left out, and every other character kept as text (an unterminated tag or
    comment too). Its time grows with the length of ``html``, never with its square."""
    extractor = _Reader()
    _read_loosely(html, extractor)
    return ExtractedHTML(text=_tidy("".join(extractor.parts)), links=extractor.links)


def extract_simple_html(html: str) -> ExtractedHTML | None:
    """:func:`extract_html` of a body holding only the markup Mastodon itself writes, read without
    html.parser (many times faster, and the same result); ``None`` for any other markup.

    It does what :class:`_Reader` does with the tags and text html.parser would report, in one loop:
    the body is split at each ``<``, and each tag (up to the first ``>``: the simple markup has none
    inside a tag) is looked up in :data:`_TAG_READINGS`."""
    parts: list[str] = []
    links: list[str] = []
    anchors = 0  # how many <a> are open: a bare URL in their text is not shared again
    pieces = html.split("<")
    first = pieces[0]
    if first:
        if "&" in first:
            first = unescape(first)
        parts.append(first)
        if "://" in first:
            _add_bare_urls(first, links)
    for index in range(1, len(pieces)):
        tag, closed, text = pieces[index].partition(">")
        if not closed:
            return None
        reading = _TAG_READINGS.get(tag) or _read_simple_tag(tag)
        if reading is None:
            return None
        added, step, link = reading
        if added:
            parts.append(added)
        if step > 0:
            anchors += 1
            if link is not None and link not in links:
                links.append(link)
        elif step < 0 and anchors:
            anchors -= 1
        if text:
            if "&" in text:
                text = unescape(text)
            parts.append(text)
            if not anchors and "://" in text:
                _add_bare_urls(text, links)
    return ExtractedHTML(text=_tidy("".join(parts)), links=links)


def _add_bare_urls(text: str, links: list[str]) -> None:
    for url in _BARE_URL.findall(text):
        if url not in links:
            links.append(url)


# A tag as Mastodon itself writes it, between its "<" and ">": <p>, <br>, <a> and <span> in lower
# case, attributes in double quotes, ASCII whitespace between them (html.parser ends a tag's name at
# these characters only). Anything else is left to html.parser.
_SIMPLE_TAG = re.compile(
    r'(?P<start>p|br|a|span)(?P<attrs>(?:[ \t\n\r\f]+[a-z][a-z0-9_-]*="[^"<>]*")*)[ \t\n\r\f]*/?'
    r"|/(?P<end>p|br|a|span)"
)
_SIMPLE_ATTRIBUTE = re.compile(r'([a-z][a-z0-9_-]*)="([^"<>]*)"')

# What a tag of the simple markup does to the reading: the text it adds, whether it opens an <a>
# (1) or closes one (-1), and the link it shares. What :class:`_Reader` does with it, in short.
_TagReading = tuple[str, int, str | None]
_START_READINGS: dict[str, _TagReading] = {
    "p": ("\n\n", 0, None),
    "br": ("\n", 0, None),
    "span": ("", 0, None),
}
_END_READINGS: dict[str, _TagReading] = {
    "p": ("\n\n", 0, None),
    "br": ("", 0, None),
    "a": ("", -1, None),
    "span": ("", 0, None),
}
# Each tag read once: Mastodon writes the same few again and again (a hashtag's link to its own
# page, the spans of a shortened URL, <p> and </p>). Bounded, as the tags of untrusted bodies are.
_TAG_READINGS: dict[str, _TagReading] = {}
_MOST_TAG_READINGS = 4096
_LONGEST_TAG_KEPT = 300


def _read_simple_tag(tag: str) -> _TagReading | None:
    """What ``tag`` (the text between ``<`` and ``>``) does to the reading, or ``None`` when it is not
    of the simple markup."""
    match = _SIMPLE_TAG.fullmatch(tag)
    if match is None:
        return None
    start = match["start"]
    if start is None:
        reading = _END_READINGS[match["end"]]
    elif start == "a":
        attrs: dict[str, str | None] = {
            name: unescape(value) if value else value
            for name, value in _SIMPLE_ATTRIBUTE.findall(match["attrs"])
        }
        reading = ("", 1, _shared_link(attrs))
    else:
        reading = _START_READINGS[start]
    if len(_TAG_READINGS) < _MOST_TAG_READINGS and len(tag) <= _LONGEST_TAG_KEPT:
        _TAG_READINGS[tag] = reading
    return reading


# Markup that is left out, by how it opens and how it closes (html.parser's CDATA is any case).
_LEFT_OUT = (("<!--", "-->"), ("<![cdata[", "]]>"), ("<!", ">"), ("<?", ">"))
# A start or end tag, reaching no further than the next "<": however it fails, a scan from one "<"
# never passes the next one.
_LOOSE_TAG = re.compile(
    r"<(?:(?P<start>[a-zA-Z][^\t\n\r\f />\x00<]*)(?P<attrs>(?:\"[^\"<]*\"|'[^'<]*'|[^<>\"'])*)"
    r"|/(?P<end>[a-zA-Z][^\t\n\r\f />\x00<]*)[^<>]*)>"
)
_LOOSE_ATTRIBUTE = re.compile(r"""([^\s/>"'=][^\s/>=]*)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]*))?""")


def _read_loosely(html: str, extractor: _Reader) -> None:
    """Feed ``extractor`` the tags and text of ``html`` for :func:`extract_html_loosely`."""
    # A closing string not found after one place is not found after any later one: looked for once.
    missing: set[str] = set()
    at = 0
    while (opening := html.find("<", at)) >= 0:
        if opening > at:
            extractor.handle_data(unescape(html[at:opening]))
        at = opening + 1
        opened = html[opening : opening + 9].lower()
        left_out = next((pair for pair in _LEFT_OUT if opened.startswith(pair[0])), None)
        if left_out is not None:
            start, close = left_out
            end = -1 if close in missing else html.find(close, opening + len(start))
            if end >= 0:
                at = end + len(close)
                continue
            missing.add(close)
        elif tag := _LOOSE_TAG.match(html, opening):
            at = tag.end()
            if tag["end"] is not None:
                extractor.handle_endtag(tag["end"].lower())
            else:
                attrs = [
                    (name.lower(), unescape(_unquoted(value)) if value else None)
                    for name, value in _LOOSE_ATTRIBUTE.findall(tag["attrs"])
                ]
                extractor.handle_starttag(tag["start"].lower(), attrs)
            continue
        extractor.handle_data("<")
    if at < len(html):
        extractor.handle_data(unescape(html[at:]))


def _unquoted(value: str) -> str:
    return value[1:-1] if value[:1] in ("'", '"') and value[-1:] == value[:1] and len(value) > 1 else value


def html_to_text(html: str) -> str:
    """The plain text of an HTML fragment (a post body or a profile note)."""
    return extract_html(html).text


def _tidy(text: str) -> str:
    # One substitution over the whole text: no run of _SPACES crosses a line break. It changes
    # nothing unless a run is longer than one space or holds another of its characters: looked for
    # first, as most text has neither (and so with three line breaks in a row).
    if "  " in text or "\t" in text or "\r" in text or "\f" in text or "\v" in text:
        text = _SPACES.sub(" ", text)
    tidied = "\n".join([line.strip() for line in text.split("\n")])
    if "\n\n\n" in tidied:
        tidied = _BLANK_LINES.sub("\n\n", tidied)
    return tidied.strip()
