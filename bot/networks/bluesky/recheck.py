"""Re-fetching posts collected from Bluesky, so consent can be re-checked just before publishing."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from bot.errors import SourceError
from bot.networks.bluesky import normalise as bluesky
from bot.networks.bluesky.client import LOOKUP_LIMIT as BLUESKY_LOOKUP_LIMIT
from bot.networks.bluesky.client import BlueskyClient
from bot.networks.errors import MalformedPayloadError
from bot.networks.recheck import GONE, UNREACHABLE, Current, Recheck, batches, through_api
from digests.model import DigestItem

log = logging.getLogger(__name__)


def recheck_items(items: Sequence[DigestItem], context: Recheck) -> dict[int, Current]:
    """The digest items collected from Bluesky, through the first ``[bluesky]`` source's login."""
    source = context.settings.bluesky[0] if context.settings.bluesky else None
    client = BlueskyClient(source, context.policy, context.timeout, context.transport) if source else None
    return through_api(items, client, recheck_bluesky, "[[bluesky]] login")


def recheck_bluesky(client: BlueskyClient | None, uris: Sequence[str]) -> dict[str, Current]:
    """What Bluesky shows now for each stored ``at://`` post URI, 25 per request.

    The bio comes from ``getProfiles`` (post views carry none); the ``!no-unauthenticated`` self-label
    counts from either view.
    """
    if client is None:
        if uris:
            log.warning("no Bluesky access is configured; %d posts cannot be re-checked", len(uris))
        return dict.fromkeys(uris, UNREACHABLE)
    found: dict[str, Current] = {}
    wanted: list[str] = []
    for uri in dict.fromkeys(uris):
        if uri.startswith("at://") and "/app.bsky.feed.post/" in uri:
            wanted.append(uri)
        else:
            log.warning("%s is not a Bluesky post URI; it cannot be re-checked", uri)
            found[uri] = UNREACHABLE
    for batch in batches(wanted, BLUESKY_LOOKUP_LIMIT):
        try:
            views = _by_key(client.posts_page(batch).get("posts"), "uri")
            dids = [did for did in dict.fromkeys(_author_did(view) for view in views.values()) if did]
            profiles = _by_key(client.profiles_page(dids).get("profiles"), "did") if dids else {}
        except SourceError as error:
            log.warning("could not re-check %d Bluesky posts: %s", len(batch), error)
            found.update(dict.fromkeys(batch, UNREACHABLE))
            continue
        for uri in batch:
            view = views.get(uri)
            # getPosts leaves out what it cannot show: deleted posts and taken-down or deactivated accounts.
            found[uri] = GONE if view is None else _current_bluesky_post(uri, view, profiles)
    return {uri: found[uri] for uri in uris}


def _by_key(views: object, key: str) -> dict[str, Mapping[str, Any]]:
    """The objects of a response list, keyed on one of their fields (``uri``, ``did``)."""
    items = views if isinstance(views, list) else []
    return {str(view[key]): view for view in items if isinstance(view, Mapping) and view.get(key)}


def _author_did(view: Mapping[str, Any]) -> str:
    author = view.get("author")
    return str(author.get("did") or "") if isinstance(author, Mapping) else ""


def _current_bluesky_post(
    uri: str, view: Mapping[str, Any], profiles: Mapping[str, Mapping[str, Any]]
) -> Current:
    try:
        post = bluesky.normalise_bluesky_post(view)
    except MalformedPayloadError as error:
        log.warning("Bluesky answered with an unreadable post for %s: %s", uri, error)
        return UNREACHABLE
    profile_view = profiles.get(_author_did(view))
    labelled = bluesky.author_profile(view)
    detailed = bluesky.author_profile({"author": profile_view}) if profile_view is not None else None
    if labelled is None or detailed is None:
        # Without the profile the bio cannot be read, and an unread bio is not consent.
        log.warning("Bluesky did not return the profile of %s, author of %s", post.author.acct, uri)
        return UNREACHABLE
    profile = {
        **labelled,
        "note": detailed["note"],
        "noindex": bool(labelled.get("noindex") or detailed.get("noindex")),
    }
    return Current(post, profile, reachable=True)
