"""Re-fetching Mastodon posts at their home instance, so consent can be re-checked just before
publishing (the home instance is where edits, deletions and profile changes are first seen)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.networks.errors import MalformedPayloadError
from bot.networks.mastodon.normalise import normalise_status
from bot.networks.recheck import Current, Recheck
from digests.model import DigestItem


def recheck_items(items: Sequence[DigestItem], context: Recheck) -> dict[int, Current]:
    """The digest items collected from Mastodon, each looked up by its URL at its home instance."""
    found = {}
    for item in items:
        status, reachable = context.home.status(item.url) if context.home else (None, False)
        found[item.post_id] = mastodon_current(status, reachable=reachable)
    return found


def mastodon_current(status: dict[str, Any] | None, *, reachable: bool) -> Current:
    """A Mastodon status as re-fetched at its home instance, in the shape the consent re-check reads."""
    if not reachable:
        return Current(None, None, reachable=False)
    if status is None:
        return Current(None, None, reachable=True)
    account = status.get("account")
    profile = account if isinstance(account, dict) else None
    try:
        post = normalise_status(status)
    except MalformedPayloadError:
        return Current(None, profile, False, "its home instance answered with something unreadable")
    return Current(post, profile, reachable=True)
