"""Re-fetching posts collected from X and Bluesky, so consent can be re-checked just before publishing.

Each function takes the stored post URIs and answers, per URI, what the source shows now: the post
(or ``None`` when it is gone) and its author's profile in the shape :func:`bot.consent.rules.opt_out_reason`
reads. When a source cannot be asked, or answers with something unreadable, the URI is *unreachable*,
never "gone": a post nobody could check must not read as a deletion, nor as a pass.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.errors import SourceError
from bot.networks.bluesky import normalise as bluesky
from bot.networks.bluesky.client import LOOKUP_LIMIT as BLUESKY_LOOKUP_LIMIT
from bot.networks.bluesky.client import BlueskyClient
from bot.networks.errors import MalformedPayloadError
from bot.networks.x import normalise as x
from bot.networks.x.client import LOOKUP_LIMIT as X_LOOKUP_LIMIT
from bot.networks.x.client import XClient
from bot.posts import Post

log = logging.getLogger(__name__)

T = TypeVar("T")

# Problems X reports per tweet that mean the tweet is no longer publicly there: deleted (or its author
# deactivated), or its author has since protected their tweets.
X_GONE_PROBLEMS = frozenset(
    {
        "https://api.twitter.com/2/problems/resource-not-found",
        "https://api.twitter.com/2/problems/not-authorized-for-resource",
    }
)


@dataclass(frozen=True, slots=True)
class Current:
    """A post as its source shows it now."""

    post: Post | None  # None: deleted / not found at the source
    profile: Mapping[str, Any] | None  # the author's profile, as bot.consent.rules.opt_out_reason reads it
    reachable: bool  # False: the source could not be asked (network error, no access configured)
    problem: str | None = None  # why it could not be checked, in the curator's words


UNREACHABLE = Current(None, None, reachable=False)
GONE = Current(None, None, reachable=True)


def recheck_x(client: XClient | None, uris: Sequence[str]) -> dict[str, Current]:
    """What X shows now for each stored tweet URI (``https://x.com/i/status/<id>``), 100 per request."""
    if client is None:
        if uris:
            log.warning("no X access is configured; %d posts cannot be re-checked", len(uris))
        return dict.fromkeys(uris, UNREACHABLE)
    found: dict[str, Current] = {}
    wanted: dict[str, str] = {}
    for uri in dict.fromkeys(uris):
        tweet_id = _tweet_id(uri)
        if tweet_id is None:
            log.warning("%s is not an X post URI; it cannot be re-checked", uri)
            found[uri] = UNREACHABLE
        else:
            wanted[tweet_id] = uri
    for batch in _batches(list(wanted), X_LOOKUP_LIMIT):
        asked = {tweet_id: wanted[tweet_id] for tweet_id in batch}
        try:
            page = client.lookup_page(batch)
        except SourceError as error:
            log.warning("could not re-check %d X posts: %s", len(batch), error)
            found.update(dict.fromkeys(asked.values(), UNREACHABLE))
            continue
        found.update(_current_tweets(page, asked))
    return {uri: found[uri] for uri in uris}


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
    for batch in _batches(wanted, BLUESKY_LOOKUP_LIMIT):
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


def _tweet_id(uri: str) -> str | None:
    prefix = x.tweet_uri("")
    tweet_id = uri.removeprefix(prefix)
    return tweet_id if uri.startswith(prefix) and tweet_id.isdigit() else None


def _current_tweets(page: Mapping[str, Any], asked: Mapping[str, str]) -> dict[str, Current]:
    """Each asked-for tweet id's URI and what the lookup says of it."""
    found: dict[str, Current] = {}
    for record in x.tweets_in_page(page):
        tweet = record.get("tweet")
        uri = asked.get(str(tweet.get("id"))) if isinstance(tweet, Mapping) else None
        if uri is None:
            continue
        try:
            post = x.normalise_tweet(record)
        except MalformedPayloadError as error:
            log.warning("X answered with an unreadable tweet for %s: %s", uri, error)
            found[uri] = UNREACHABLE
            continue
        found[uri] = Current(post, x.author_profile(record), reachable=True)
    problems = page.get("errors")
    for problem in problems if isinstance(problems, list) else []:
        # Errors about an asked-for tweet name the ``ids`` parameter; others are about what it
        # references (its author, a quoted tweet) and say nothing of whether the tweet itself is there.
        if not isinstance(problem, Mapping) or problem.get("parameter", "ids") != "ids":
            continue
        uri = asked.get(str(problem.get("resource_id") or problem.get("value") or ""))
        if uri is None or uri in found:
            continue
        if problem.get("type") in X_GONE_PROBLEMS:
            found[uri] = GONE
        else:
            log.warning("X could not show %s: %s", uri, problem.get("detail") or problem.get("title"))
            found[uri] = UNREACHABLE
    for uri in asked.values():
        if uri not in found:
            log.warning("X's lookup said nothing about %s", uri)
            found[uri] = UNREACHABLE
    return found


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


def _batches(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
