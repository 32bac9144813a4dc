"""Reading links: host and path for matching, a short form for reasons, and removing URLs from prose."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

# Prefixes that do not change what a host serves: www.youtube.com and m.youtube.com are youtube.com.
_HOST_PREFIXES = ("www.", "m.", "mobile.")

# A URL as it appears in post text: with a scheme, or a bare host followed by a path
# (Mastodon only links the first kind, people paste both).
# A URL ends before trailing punctuation, as Mastodon's autolinker decides: "see https://x.org/a?" asks.
_URL_END = r"\S*[^\s?.!,;:)\]}>»\"'”’]"
URL_IN_TEXT = re.compile(
    rf"(?:https?://|www\.){_URL_END}"
    rf"|\b(?:[a-z0-9-]+\.)+(?:com|org|net|edu|be|me|ly|gle|link|io|ai|us|tv|fm|ms|ee|site|so|uk|es|fr|de)/(?:{_URL_END})?",
    re.IGNORECASE,
)
_SCHEME = re.compile(r"^https?://(?:www\.)?", re.IGNORECASE)
# The same pattern for lower-cased ASCII text, where ignoring case is not needed (and is slower).
_URL_IN_LOWER_ASCII = re.compile(URL_IN_TEXT.pattern)


@dataclass(frozen=True, slots=True)
class UrlParts:
    """A link cut for matching: lower-case ``host`` without ``www.``, and ``path`` with its query."""

    host: str
    path: str

    def host_suffixes(self) -> tuple[str, ...]:
        """The host and each parent domain: ``a.b.c.com`` → ``a.b.c.com``, ``b.c.com``, ``c.com``."""
        return _host_suffixes(self.host)


@lru_cache(maxsize=8192)
def _host_suffixes(host: str) -> tuple[str, ...]:
    labels = host.split(".")
    return tuple(".".join(labels[i:]) for i in range(len(labels) - 1))


@lru_cache(maxsize=8192)
def split_url(url: str) -> UrlParts | None:
    """The host and path of an absolute http(s) URL, or ``None`` when it is not one.

    >>> split_url("https://www.youtube.com/watch?v=abc123#t=30")
    UrlParts(host='youtube.com', path='/watch?v=abc123')
    """
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host:
        return None
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") > 1:
            host = host[len(prefix) :]
            break
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return UrlParts(host=host, path=path)


def short_url(url: str, limit: int = 40) -> str:
    """A link as a curator would read it in a reason: no scheme, no ``www.``, cut with an ellipsis.

    >>> short_url("https://www.loom.com/share/0123456789abcdef0123456789abcdef")
    'loom.com/share/0123456789abcdef012345678…'
    """
    shown = _SCHEME.sub("", url.strip()).rstrip("/")
    if len(shown) > limit:
        return shown[:limit] + "…"
    return shown


def remove_urls(text: str) -> str:
    """Text with every URL replaced by a space, so a ``?`` or a tool's domain inside a link is not read."""
    return URL_IN_TEXT.sub(" ", text)


def links_of(links: tuple[str, ...], text: str) -> tuple[str, ...]:
    """The post's links, plus addresses typed without ``https://`` (``youtu.be/abc``), which Mastodon
    leaves as plain text but a reader still follows."""
    if "/" not in text:
        return links
    return _with_typed(links, [text[start:end] for start, end in _url_spans(text)])


def without_urls(links: tuple[str, ...], text: str) -> tuple[str, tuple[str, ...]]:
    """``remove_urls(text)`` and ``links_of(links, text)``, reading the text's URLs once."""
    if "/" not in text:
        return (remove_urls(text) if "www." in text else text), links
    pieces: list[str] = []
    found: list[str] = []
    end = 0
    for start, stop in _url_spans(text):
        pieces += (text[end:start], " ")
        found.append(text[start:stop])
        end = stop
    if not found:
        return text, links
    pieces.append(text[end:])
    return "".join(pieces), _with_typed(links, found)


def _url_spans(text: str) -> list[tuple[int, int]]:
    """Where :data:`URL_IN_TEXT` finds each URL in ``text``, in order."""
    if text.isascii():
        return [found.span() for found in _URL_IN_LOWER_ASCII.finditer(text.lower())]
    return [found.span() for found in URL_IN_TEXT.finditer(text)]


def _with_typed(links: tuple[str, ...], found: list[str]) -> tuple[str, ...]:
    typed = [
        "https://" + url.removeprefix("www.")
        for url in found
        if not url.lower().startswith(("http://", "https://"))
    ]
    return tuple(dict.fromkeys((*links, *typed))) if typed else links
