"""The desk inbox's posts, each rendered once per worker and kept while it shows the same.

Rendering fifty posts through Jinja is most of an inbox request's work, and a post's row changes
rarely: when its labels change, or its text, author or links are edited at the source. So each row is
kept, rendered, in a bounded least-recently-used map keyed by everything the row shows (see
:func:`row_key`). A row whose labels or text change has a new key and is rendered afresh; the old
one is never served again and ages out.

A row holds forms, and every form carries the session's CSRF token, which differs per curator
session. So a row is rendered with a placeholder in the token's place, drawn at random when the
worker starts (nobody writing a post can know it), and each session's own token is put in its place
as the page is put together: a kept row never holds any session's token.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from bot.web.views import ShownPost, shown_domain
from storage.labels import EffectiveLabel

MAX_ROWS = 5000
MAX_CHARS = 16 * 1024 * 1024  # what all kept rows may hold together
# A post this large is rendered every time rather than kept (a kept one holds its HTML twice).
MAX_ROW_CHARS = 64 * 1024

RowKey = tuple[Hashable, ...]


def row_key(scope: Hashable, row: ShownPost, labels: Sequence[EffectiveLabel]) -> RowKey:
    """What a row shows, as a key: two posts with equal keys render the same row. ``scope`` is what
    the rendered links depend on beside the post (the app's root path)."""
    return (
        scope,
        row.id,
        row.author_acct,
        row.author_name,
        row.url,
        row.created_at,
        row.html,
        shown_domain(row.links),
        tuple(labels),
    )


@dataclass(slots=True)
class RowCache:
    """At most ``max_rows`` rendered rows of at most ``max_chars`` characters together, the least
    recently used dropped first; ``max_rows = 0`` keeps none. Safe across threads. ``placeholder``
    stands where the CSRF token goes."""

    max_rows: int = MAX_ROWS
    max_chars: int = MAX_CHARS
    placeholder: str = field(default_factory=lambda: f"csrf-{secrets.token_hex(16)}")
    _rows: OrderedDict[RowKey, str] = field(default_factory=OrderedDict)
    _chars: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def rows(self, keys: Sequence[RowKey], render: Callable[[int, str], str], csrf: str) -> Markup:
        """The rows of ``keys``, in order, with ``csrf`` in each form. ``render(i, placeholder)``
        renders the ``i``-th row (with ``placeholder`` as its token) when it is not kept."""
        with self._lock:
            found = [self._rows.get(key) for key in keys]
            for key, html in zip(keys, found, strict=True):
                if html is not None:
                    self._rows.move_to_end(key)
        rendered: list[str] = []
        for i, (key, html) in enumerate(zip(keys, found, strict=True)):
            if html is None:
                html = render(i, self.placeholder)
                self._keep(key, html)
            rendered.append(html)
        return Markup("".join(rendered).replace(self.placeholder, str(escape(csrf))))

    def _keep(self, key: RowKey, html: str) -> None:
        if self.max_rows <= 0 or len(html) > min(MAX_ROW_CHARS, self.max_chars):
            return
        with self._lock:
            replaced = self._rows.pop(key, None)
            self._chars += len(html) - (len(replaced) if replaced is not None else 0)
            self._rows[key] = html
            while len(self._rows) > self.max_rows or self._chars > self.max_chars:
                _, dropped = self._rows.popitem(last=False)
                self._chars -= len(dropped)

    def __len__(self) -> int:
        with self._lock:
            return len(self._rows)
