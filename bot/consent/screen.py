"""Screening raw statuses before they are stored: malformed, not public, or from someone who opted out.

Shared by the collector and ``exemplar import`` so both apply the same rules (see :mod:`bot.consent.rules`).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.consent.rules import opt_out_reason, visibility_allows_collection
from bot.networks.errors import MalformedPayloadError
from bot.posts import Post
from bot.valid_text import valid_record

log = logging.getLogger(__name__)

SKIP_MALFORMED = "malformed"
SKIP_NOT_PUBLIC = "not public"
SKIP_OPTED_OUT = "opted out"
SKIP_SUPPRESSED = "asked to be left out"


@dataclass(slots=True)
class Screened:
    """The posts that may be stored, what was skipped and why, and who has opted out."""

    posts: list[Post] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    opted_out: set[str] = field(default_factory=set)
    not_public: list[Post] = field(default_factory=list)


def screen(
    payloads: Iterable[Any],
    normalise: Callable[[Mapping[str, Any]], Post],
    account_of: Callable[[Mapping[str, Any]], Mapping[str, Any] | None],
    *,
    where: str,
    suppressed: Container[str] = frozenset(),
) -> Screened:
    """Normalise each payload, its text made valid first, and keep the ones Exemplar may store.

    ``account_of`` returns the author's profile (for the opt-out rule) of a payload; ``suppressed`` is
    the permanent suppression list (people who asked Exemplar directly); ``where`` names the page or
    file in log lines.
    """
    pairs: list[tuple[Any, Post]] = []
    malformed = 0
    for payload in payloads:
        try:
            payload = valid_record(payload)
            pairs.append((payload, normalise(payload)))
        except MalformedPayloadError as error:
            log.warning("%s: skipped a malformed post: %s", where, error)
            malformed += 1
    result = screen_posts(pairs, account_of, where=where, suppressed=suppressed)
    if malformed:
        result.skipped[SKIP_MALFORMED] += malformed
    return result


def screen_posts(
    normalised: Iterable[tuple[Any, Post]],
    account_of: Callable[[Mapping[str, Any]], Mapping[str, Any] | None],
    *,
    where: str,
    suppressed: Container[str] = frozenset(),
    known_opt_outs: Mapping[int, str | None] | None = None,
) -> Screened:
    """:func:`screen` for payloads normalised already: ``(payload, post)`` pairs.

    ``known_opt_outs``: the opt-out reason (or ``None``) of posts whose payload was read already (by
    an import's worker processes), by ``id`` of the post.
    """
    result = Screened()
    known = known_opt_outs or {}
    for payload, post in normalised:
        if post.author.acct.lower() in suppressed:
            result.skipped[SKIP_SUPPRESSED] += 1
            continue
        reason = known[id(post)] if id(post) in known else payload_opt_out(payload, account_of)
        if reason is not None:
            log.info("%s: skipped %s: %s", where, post.author.acct, reason)
            result.skipped[SKIP_OPTED_OUT] += 1
            result.opted_out.add(post.author.acct)
            continue
        if not visibility_allows_collection(post.visibility):
            result.skipped[SKIP_NOT_PUBLIC] += 1
            result.not_public.append(post)
            continue
        result.posts.append(post)
    return result


def payload_opt_out(
    payload: Any, account_of: Callable[[Mapping[str, Any]], Mapping[str, Any] | None]
) -> str | None:
    """Why the author of this payload must not be collected, by their profile, or ``None``."""
    account = account_of(payload)
    return opt_out_reason(account) if account is not None else None
