"""Who has asked not to be collected: the one place Exemplar decides it.

An account has opted out when any of these is true of its profile (Mastodon ``Account`` JSON):

* its note, or the name or value of any profile field, contains the hashtag ``#nobot`` or
  ``#noindex`` (matched on the text: Mastodon wraps hashtags in ``<a>``/``<span>`` markup);
* ``noindex`` is ``true`` (the person asked search engines not to index them);
* ``discoverable`` is ``false`` (the person opted out of discovery features);
* ``indexable`` is ``false`` *and* the account publishes its discovery preferences
  (``discoverable`` is not null). Mastodon reports ``indexable: false`` by default for accounts whose
  software publishes no such preference (many remote servers); that absence is not a choice, so it
  is not read as one.

Only ``public`` and ``unlisted`` posts are collected at all: see :data:`COLLECTABLE_VISIBILITIES`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.html_text import html_to_text

COLLECTABLE_VISIBILITIES = frozenset({"public", "unlisted"})

_OPT_OUT_TAG = re.compile(r"#(?:nobot|noindex)\b", re.IGNORECASE)


def opt_out_reason(account: Mapping[str, Any]) -> str | None:
    """Why this account must not be collected, or ``None`` if it may be.

    >>> opt_out_reason({"note": "<p>Teacher. <a class='hashtag'>#<span>NoBot</span></a></p>"})
    'profile says #nobot'
    """
    texts = [str(account.get("note") or "")]
    for profile_field in account.get("fields") or ():
        if isinstance(profile_field, Mapping):
            texts.append(str(profile_field.get("name") or ""))
            texts.append(str(profile_field.get("value") or ""))
    for text in texts:
        match = _OPT_OUT_TAG.search(html_to_text(text)) if text else None
        if match:
            return f"profile says {match.group(0).lower()}"
    if account.get("noindex") is True:
        return "noindex is set"
    if account.get("discoverable") is False:
        return "opted out of discovery"
    if account.get("indexable") is False and account.get("discoverable") is not None:
        return "opted out of indexing"
    return None


def visibility_allows_collection(visibility: str | None) -> bool:
    """Whether a post with this visibility may be collected (public and unlisted only)."""
    return visibility in COLLECTABLE_VISIBILITIES
