"""How long each network says a post is, and how long it lets one be.

* Mastodon counts characters, every link as 23 whatever its length, and ``@user@domain`` as ``@user``.
* X counts "weighted" characters (twitter-text v3, :mod:`digests.render.twitter_text`): Latin and most
  punctuation weigh 1, everything else (CJK, an emoji sequence twemoji knows) 2, every link 23, links
  without a scheme (``bit.ly/y``) included, text normalised to NFC first.
* Bluesky counts graphemes of the text as posted; links are posted as short display text (host and the
  start of the path) with the full address in a link facet, so a link counts as its display text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import regex

from digests.render.twitter_text import parse_tweet

URL_LENGTH = 23
MAX_LINK_DISPLAY = 30

URL = regex.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]}'’”]")
_MENTION = regex.compile(r"(?<![\w/])@(\w+)@[\w.-]+\w")
_GRAPHEME = regex.compile(r"\X")


@dataclass(frozen=True, slots=True)
class TextMeasure:
    """A network's way of counting a post, and its limit per post."""

    network: str
    limit: int
    length: Callable[[str], int]
    # Whether the network has content warnings of their own; if not, a warning goes into the text.
    has_warnings: bool


def mastodon_length(text: str, url_length: int = URL_LENGTH) -> int:
    """How long Mastodon says ``text`` is: links count ``url_length``, remote mentions as local ones.

    >>> mastodon_length("see https://example.org/a/very/long/path/indeed?x=1 @sam@school.example")
    32
    """
    without_urls = URL.sub(lambda _: "x" * url_length, text)
    return len(_MENTION.sub(lambda m: "@" + m.group(1), without_urls))


def x_length(text: str) -> int:
    """How long X says ``text`` is: twitter-text v3, run on the official library's rules.

    Links count 23, with or without a scheme (``padlet.com/x`` is a link on X); an emoji sequence
    counts 2 when twemoji knows it, else each of its characters counts; CJK counts 2, Latin 1.

    >>> x_length("Flipped staff meeting https://example.org/a/very/long/path")
    45
    >>> x_length("朝の会 👩🏽‍🏫 bit.ly/y")
    33
    """
    return parse_tweet(text).weighted_length


def link_display(url: str) -> str:
    """The short text a link is shown as on Bluesky: host and path, cut with an ellipsis.

    >>> link_display("https://www.example.org/flipped/staff-meeting-videos-2024?utm=x")
    'example.org/flipped/staff-mee…'
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    shown = host + ("" if parts.path in ("", "/") else unquote(parts.path))
    if len(shown) > MAX_LINK_DISPLAY:
        return shown[: MAX_LINK_DISPLAY - 1] + "…"
    return shown + "…" if parts.query or parts.fragment else shown


def graphemes(text: str) -> int:
    """How many user-perceived characters ``text`` has.

    >>> graphemes("é👩🏽‍🏫!")
    3
    """
    return len(_GRAPHEME.findall(text))


def bluesky_length(text: str) -> int:
    """How long Bluesky will say ``text`` is once its links are shown as :func:`link_display`."""
    return graphemes(URL.sub(lambda m: link_display(m.group(0)), text))


def mastodon_measure(limit: int) -> TextMeasure:
    return TextMeasure("mastodon", limit, mastodon_length, has_warnings=True)


X_MEASURE = TextMeasure("x", 280, x_length, has_warnings=False)
BLUESKY_MEASURE = TextMeasure("bluesky", 300, bluesky_length, has_warnings=False)
