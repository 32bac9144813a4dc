"""Re-fetching posts collected from X, so consent can be re-checked just before publishing."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from bot.errors import SourceError
from bot.networks.errors import MalformedPayloadError
from bot.networks.recheck import GONE, UNREACHABLE, Current, Recheck, batches, through_api
from bot.networks.x import normalise as x
from bot.networks.x.client import LOOKUP_LIMIT as X_LOOKUP_LIMIT
from bot.networks.x.client import XClient
from digests.model import DigestItem

log = logging.getLogger(__name__)

# Problems X reports per tweet that mean the tweet is no longer publicly there: deleted (or its author
# deactivated), or its author has since protected their tweets.
X_GONE_PROBLEMS = frozenset(
    {
        "https://api.twitter.com/2/problems/resource-not-found",
        "https://api.twitter.com/2/problems/not-authorized-for-resource",
    }
)


def recheck_items(items: Sequence[DigestItem], context: Recheck) -> dict[int, Current]:
    """The digest items collected from X, through the first ``[x]`` source's bearer token."""
    settings = context.settings
    client = XClient(settings.x[0], context.policy, context.timeout) if settings.x else None
    return through_api(items, client, recheck_x, "[[x]] bearer token")


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
    for batch in batches(list(wanted), X_LOOKUP_LIMIT):
        asked = {tweet_id: wanted[tweet_id] for tweet_id in batch}
        try:
            page = client.lookup_page(batch)
        except SourceError as error:
            log.warning("could not re-check %d X posts: %s", len(batch), error)
            found.update(dict.fromkeys(asked.values(), UNREACHABLE))
            continue
        found.update(_current_tweets(page, asked))
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
