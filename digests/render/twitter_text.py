"""How X counts a post: twitter-text v3's ``parseTweet``, run on the official library's own rules.

The rules (the weights, the URL extractor with its list of top-level domains, and twemoji-parser's
emoji expression) come from the npm packages themselves, exported to ``data/twitter_text.json`` by
``scripts/update-twitter-text-data``. They are JavaScript regular expressions, which see a string as
UTF-16 code units; so does this module: the text is turned into one character per code unit before
matching, and every index below is a UTF-16 index, as in the original. The tests compare the result
with the npm package on many texts.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

_PROTOCOL = "https://"
_MAX_URL_LENGTH = 4096
_MAX_TCO_SLUG_LENGTH = 40
_MAX_DOMAIN_LABEL_LENGTH = 63
_UTF16 = "utf-16-le" if sys.byteorder == "little" else "utf-16-be"
_SURROGATE_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")
# Python's case-insensitive matching folds these onto ASCII letters, JavaScript's does not: while
# looking for links they stand in for characters that sit in the same character classes.
_JS_CASE_STAND_INS = str.maketrans(
    {"\u017f": "\u0101", "\u0131": "\u0101", "\u0130": "\u0101", "\u212a": "\u2129"}
)
# twitter-text's spaces: no link holds one.
_WORD = re.compile("[^\t-\r \x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_DOT_LETTER = re.compile(r"\.\w")
_EMOJI_RUN = re.compile("[#*0-9\x80-\uffff]+")
_LABEL_SEPARATORS = re.compile("[\u002e\u3002\uff0e\uff61]")


@dataclass(frozen=True, slots=True)
class ParsedTweet:
    """What twitter-text says of a text: its weighted length, and whether X accepts it."""

    weighted_length: int
    valid: bool


@dataclass(frozen=True, slots=True)
class _Rules:
    max_length: int
    scale: int
    default_weight: int
    url_weight: int
    extract_url: re.Pattern[str]
    valid_ascii_domain: re.Pattern[str]
    valid_tco_url: re.Pattern[str]
    invalid_preceding: re.Pattern[str]
    invalid_chars: re.Pattern[str]
    emoji: re.Pattern[str]
    # Code units weigh light_weight (those in the ranges) or default_weight (all others).
    without_light: dict[int, None]
    light_weight: int
    ascii_weight: int


def parse_tweet(text: str) -> ParsedTweet:
    """twitter-text's ``parseTweet(text)``: links weigh 23, an emoji sequence 2, CJK 2, Latin 1.

    >>> parse_tweet("Padlet wall: padlet.com/r/q 👩🏽‍🏫")
    ParsedTweet(weighted_length=39, valid=True)
    """
    rules = _rules()
    units = _utf16(unicodedata.normalize("NFC", text))
    urls = dict(_url_entities(units, rules))
    emoji = {m.start(): m.end() - m.start() for m in _emoji_matches(units, rules)}
    starts = sorted({*urls, *emoji})
    weighted = 0
    index = 0
    for start in starts:
        if start < index:
            continue  # inside a link or an emoji already counted, as the original skips it
        weighted += _plain_weight(units[index:start], rules)
        if start in urls:
            weighted += rules.url_weight * rules.scale
            index = start + urls[start]
        else:
            weighted += rules.default_weight
            index = start + emoji[start]
    weighted += _plain_weight(units[index:], rules)
    length = weighted // rules.scale
    # Links and emoji never hold an invalid character, so checking each character as the original
    # does comes to checking the whole text.
    valid = not rules.invalid_chars.search(units)
    return ParsedTweet(length, valid and 0 < length <= rules.max_length)


def _plain_weight(units: str, rules: _Rules) -> int:
    """The weight of text outside links and emoji: by range, a surrogate pair as its low half alone."""
    if units.isascii():
        return len(units) * rules.ascii_weight
    pairs = len(_SURROGATE_PAIR.findall(units)) if not units.isascii() else 0
    light = len(units) - len(units.translate(rules.without_light))
    return light * rules.light_weight + (len(units) - light - pairs) * rules.default_weight


def link_count(text: str) -> int:
    """How many links X finds in ``text`` (each one weighs 23; posts with links cost more on X).

    >>> link_count("padlet.com/x and https://youtu.be/y, not notes.txt or v1.2")
    2
    """
    return len(_url_entities(_utf16(unicodedata.normalize("NFC", text)), _rules()))


def x_weighted_length(text: str) -> int:
    """The length X gives ``text`` (280 at most in a post)."""
    return parse_tweet(text).weighted_length


def _url_entities(units: str, rules: _Rules) -> list[tuple[int, int]]:
    """twitter-text's ``extractUrlsWithIndices``: each link's start and the length it skips."""
    if "." not in units:
        return []
    found: list[tuple[int, int]] = []
    for match in _url_matches(units.translate(_JS_CASE_STAND_INS), rules):
        before, url, protocol, domain, path = (match.group(n) or "" for n in (2, 3, 4, 5, 7))
        original_domain = units[match.start(5) : match.end(5)] if domain else ""
        end = match.end()
        start = end - len(url)
        if not _valid_url(url, protocol or _PROTOCOL, original_domain, rules):
            continue
        if not protocol:
            if rules.invalid_preceding.search(before):
                continue
            last: tuple[int, str] | None = None
            ascii_end = 0
            for ascii_match in rules.valid_ascii_domain.finditer(domain):
                ascii_domain = ascii_match.group(0)
                ascii_start = domain.find(ascii_domain, ascii_end)
                ascii_end = ascii_start + len(ascii_domain)
                last = (start + ascii_start, ascii_domain)
                found.append((last[0], len(ascii_domain)))
            if last is None:
                continue
            if path:
                found[-1] = (last[0], len(url.replace(domain, last[1], 1)))
        else:
            tco = rules.valid_tco_url.match(url)
            if tco:
                if tco.group(1) and len(tco.group(1)) > _MAX_TCO_SLUG_LENGTH:
                    continue
                url = tco.group(0)
            found.append((start, len(url)))
    return found


def _url_matches(units: str, rules: _Rules) -> Iterator[re.Match[str]]:
    """The extractor's matches, in order.

    No link holds a space, so the expression runs on each run of non-spaces that has a dot (with the
    character either side, which it may look at), not on the whole text: far faster, same matches.
    """
    for word in _WORD.finditer(units):
        if not _DOT_LETTER.search(word.group(0)):
            continue  # every link has a dot followed by its top-level domain's first letter
        start = max(word.start() - 1, 0)
        # With pos and endpos, "^" still means the real start of the text, as in the original.
        yield from rules.extract_url.finditer(units, start, word.end() + 1)


def _emoji_matches(units: str, rules: _Rules) -> Iterator[re.Match[str]]:
    """twemoji's matches, found only where an emoji may be: an emoji is non-ASCII but for the
    keycaps' ``#``, ``*`` and digits, so the expression runs on each such run with a non-ASCII
    character in it, not on the whole text."""
    if units.isascii():
        return
    for run in _EMOJI_RUN.finditer(units):
        if not run.group(0).isascii():
            yield from rules.emoji.finditer(units, run.start(), run.end())


def _valid_url(url: str, protocol: str, domain: str, rules: _Rules) -> bool:
    # twitter-text's idna.toAscii only checks each label's encoded length; it keeps the domain as is.
    if domain[:4] == "xn--" and not rules.valid_ascii_domain.search(domain):
        return False
    for label in domain.split("."):
        if not 1 <= _punycode_length(label) <= _MAX_DOMAIN_LABEL_LENGTH:
            return False
    return bool(domain) and len(protocol) + len(url) <= _MAX_URL_LENGTH


def _punycode_length(label: str) -> int:
    """The length of punycode.toASCII(label) (Node's punycode 2), separators and all."""
    if label.isascii():
        return len(label)
    pieces = _LABEL_SEPARATORS.split(_from_utf16(label))
    total = len(pieces) - 1
    for piece in pieces:
        if piece.isascii():
            total += len(piece)
        else:
            try:
                total += 4 + len(piece.encode("punycode"))
            except UnicodeError:
                total += 4 + len(piece)
    return total


def _starts_surrogate_pair(units: str, index: int) -> bool:
    return (
        index < len(units) - 1
        and 0xD800 <= ord(units[index]) <= 0xDBFF
        and 0xDC00 <= ord(units[index + 1]) <= 0xDFFF
    )


def _utf16(text: str) -> str:
    """``text`` as one character per UTF-16 code unit (astral characters as two surrogates)."""
    if text.isascii() or not _ASTRAL.search(text):
        return text
    return _ASTRAL.sub(_surrogates, text)


def _surrogates(match: re.Match[str]) -> str:
    point = ord(match.group(0)) - 0x10000
    return chr(0xD800 + (point >> 10)) + chr(0xDC00 + (point & 0x3FF))


def _from_utf16(units: str) -> str:
    return units.encode(_UTF16, "surrogatepass").decode(_UTF16, "surrogatepass")


@cache
def _rules() -> _Rules:
    data: dict[str, Any] = json.loads(
        files("digests.render").joinpath("data/twitter_text.json").read_text(encoding="utf-8")
    )
    config = data["config"]
    ranges = [(int(r["start"]), int(r["end"]), int(r["weight"])) for r in config["ranges"]]
    default_weight = int(config["defaultWeight"])
    light_weights = {weight for _, _, weight in ranges}
    if len(light_weights) != 1:
        raise ValueError(
            "twitter-text's ranges no longer share one weight; update digests/render/twitter_text.py"
        )
    light = {unit for start, end, _ in ranges for unit in range(start, end + 1)}
    return _Rules(
        max_length=int(config["maxWeightedTweetLength"]),
        scale=int(config["scale"]),
        default_weight=default_weight,
        url_weight=int(config["transformedURLLength"]),
        extract_url=_compile(data["extract_url"]),
        valid_ascii_domain=_compile(data["valid_ascii_domain"]),
        valid_tco_url=_compile(data["valid_tco_url"]),
        invalid_preceding=_compile(data["invalid_url_without_protocol_preceding_chars"]),
        invalid_chars=_compile(data["invalid_chars"]),
        emoji=_compile(data["emoji"]),
        without_light=dict.fromkeys(light),
        light_weight=light_weights.pop(),
        ascii_weight=ranges[0][2] if ranges[0][:2] == (0, 0x10FF) else default_weight,
    )


def _compile(expression: dict[str, str]) -> re.Pattern[str]:
    """A JavaScript regular expression (no ``u`` flag) as a Python one over UTF-16 code units."""
    flags = re.IGNORECASE if "i" in expression["flags"] else 0
    with warnings.catch_warnings():
        # JavaScript character classes may hold "[" or "--" literally, which Python warns about.
        warnings.simplefilter("ignore", FutureWarning)
        return re.compile(expression["source"], flags)
