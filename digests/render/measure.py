"""How long each network says a post is, and how long it lets one be.

* Mastodon counts characters, every link as 23 whatever its length, and ``@user@domain`` as ``@user``.
* X counts "weighted" characters (twitter-text v3): Latin and most punctuation weigh 1, everything else
  (CJK, emoji, a whole emoji sequence) 2, every link 23, text normalised to NFC first.
* Bluesky counts graphemes of the text as posted; links are posted as short display text (host and the
  start of the path) with the full address in a link facet, so a link counts as its display text.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote, urlsplit

import regex

URL_LENGTH = 23
MAX_LINK_DISPLAY = 30

URL = regex.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]}'’”]")
_MENTION = regex.compile(r"(?<![\w/])@(\w+)@[\w.-]+\w")
_GRAPHEME = regex.compile(r"\X")
# twitter-text v3: code points in these ranges weigh 1, every other code point 2.
_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
_EMOJI_JOINERS = {0x200D, 0xFE0F, 0x20E3}


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
    """How long X says ``text`` is (twitter-text v3 weighting, links as 23).

    >>> x_length("Flipped staff meeting https://example.org/a/very/long/path")
    45
    >>> x_length("朝の会 👩🏽‍🏫")
    9
    """
    normalised = unicodedata.normalize("NFC", text)
    total = 0
    position = 0
    for match in URL.finditer(normalised):
        total += _weighted(normalised[position : match.start()]) + URL_LENGTH
        position = match.end()
    return total + _weighted(normalised[position:])


def _weighted(text: str) -> int:
    if text.isascii():
        return len(text)
    return sum(_grapheme_weight(grapheme) for grapheme in _GRAPHEME.findall(text))


@lru_cache(maxsize=4096)
def _grapheme_weight(grapheme: str) -> int:
    points = [ord(char) for char in grapheme]
    if len(points) > 1 and (any(p >= 0x1F000 for p in points) or _EMOJI_JOINERS & set(points)):
        return 2  # an emoji sequence counts as one emoji
    return sum(1 if any(lo <= p <= hi for lo, hi in _LIGHT_RANGES) else 2 for p in points)


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
