"""Making untrusted post content safe to show: HTML sanitised with nh3, URLs limited to http(s)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import nh3

_TAGS = {"p", "br", "a", "span", "em", "strong", "ul", "ol", "li", "blockquote"}
_ATTRIBUTES = {"a": {"href"}}
_MENTION = re.compile(r"(?<![\w/])@(?=\w)")


def safe_html(html: str) -> str:
    """Post HTML with only a few harmless tags left; links only http(s), opened without referrer.

    >>> safe_html('<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:alert(1)">x</a></p>')
    '<p>Hi <a rel="nofollow noopener noreferrer">x</a></p>'
    """
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )


def safe_url(url: str) -> str | None:
    """``url`` if it is an http(s) URL with a host, else ``None`` (no ``javascript:``, no ``data:``)."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() in ("http", "https") and parts.hostname:
        return url.strip()
    return None


def no_mentions(text: str) -> str:
    """Text that cannot @-mention anyone: an ``@`` starting a handle gets a zero-width joiner after it.

    >>> no_mentions("thanks @sam@school.example!") == "thanks @\\u2060sam@school.example!"
    True
    """
    return _MENTION.sub("@\u2060", text)
