"""Rendered public pages, kept per worker process while the archive stays as it was.

An archive page changes only when the archive does: a digest published, a post removed. Each request
reads the archive's fingerprint (one indexed statement, :func:`storage.archive_queries.fingerprint`),
so a publish or a removal made by any process (the scheduler, the CLI, another worker) is seen on the
very next request: pages rendered for another fingerprint are dropped, never served. The cache is a
least-recently-used map bounded in pages and in bytes, keyed by the request's path and query string.

Pages carry a strong ``ETag`` (a hash of the body, so every worker gives the same page the same tag)
and a ``Cache-Control`` asking browsers and proxies to check back every time (``no-cache``): a
conditional request gets a bodiless 304 when nothing changed, and a removal is never hidden by a copy.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field

MAX_BYTES = 32 * 1024 * 1024
# The query string is part of the key and anyone can vary it: one this long is not kept.
MAX_KEY_LENGTH = 2048


@dataclass(frozen=True, slots=True)
class CachedPage:
    """A rendered 200 response: its body, its ``Content-Type`` and its entity tag."""

    body: bytes
    content_type: str
    etag: str


def cached_page(body: bytes, content_type: str) -> CachedPage:
    return CachedPage(body, content_type, etag_of(body))


def etag_of(body: bytes) -> str:
    """A strong entity tag for ``body``: the same bytes, the same tag, in any process. Pure."""
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (weak comparison, as RFC 9110 says for
    this header; ``*`` matches any). Pure.

    >>> etag_matches('W/"a", "b"', '"a"'), etag_matches('"b"', '"a"'), etag_matches("*", '"a"')
    (True, False, True)
    """
    if if_none_match.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in if_none_match.split(","))


@dataclass(slots=True)
class PageCache:
    """At most ``max_pages`` pages and :data:`MAX_BYTES` bytes, all of one archive fingerprint, the
    least recently used dropped first. ``max_pages = 0`` keeps nothing. Safe across threads."""

    max_pages: int
    max_bytes: int = MAX_BYTES
    _fingerprint: Hashable = None
    _pages: OrderedDict[str, CachedPage] = field(default_factory=OrderedDict)
    _bytes: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, fingerprint: Hashable, key: str) -> CachedPage | None:
        """The page kept under ``key`` for this fingerprint, if any."""
        with self._lock:
            if fingerprint != self._fingerprint:
                return None
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, fingerprint: Hashable, key: str, page: CachedPage) -> None:
        """Keep ``page`` (rendered for ``fingerprint``); pages of any other fingerprint go."""
        size = len(page.body) + len(key)
        if self.max_pages <= 0 or len(key) > MAX_KEY_LENGTH or size > self.max_bytes:
            return
        with self._lock:
            if fingerprint != self._fingerprint:
                self._pages.clear()
                self._bytes = 0
                self._fingerprint = fingerprint
            replaced = self._pages.pop(key, None)
            if replaced is not None:
                self._bytes -= len(replaced.body) + len(key)
            self._pages[key] = page
            self._bytes += size
            while len(self._pages) > self.max_pages or self._bytes > self.max_bytes:
                old_key, old = self._pages.popitem(last=False)
                self._bytes -= len(old.body) + len(old_key)

    def __len__(self) -> int:
        with self._lock:
            return len(self._pages)

    @property
    def size_bytes(self) -> int:
        """What the kept pages weigh: their bodies and keys."""
        with self._lock:
            return self._bytes
