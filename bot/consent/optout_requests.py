"""Opt-out requests sent to the bot: a reply or direct message saying "optout" puts the sender on the
permanent suppression list (never collected or featured again) and removes their stored posts."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from bot.config import Settings
from bot.errors import SourceError
from bot.html_text import html_to_text
from bot.networks.errors import MalformedPayloadError
from bot.networks.mastodon.client import MastodonClient, publishing_client
from bot.networks.mastodon.normalise import normalise_account
from storage import digests as digest_repo
from storage import repository as repo
from storage.db import session_scope
from storage.models import AppState

log = logging.getLogger(__name__)

_OPT_OUT = re.compile(r"(?<![\w-])opt[\s-]?out(?![\w-])", re.IGNORECASE)


def optout_senders(notifications: Sequence[Mapping[str, Any]]) -> list[str]:
    """The accounts whose mention of the bot asks to opt out. Pure.

    >>> mention = {"account": {"acct": "sam@x.example"}, "status": {"content": "<p>@exemplar optout</p>"}}
    >>> optout_senders([mention])
    ['sam@x.example']
    """
    senders: list[str] = []
    for notification in notifications:
        status = notification.get("status")
        account = notification.get("account")
        if not isinstance(status, Mapping) or not isinstance(account, Mapping):
            continue
        if _OPT_OUT.search(html_to_text(str(status.get("content") or ""))):
            try:
                senders.append(normalise_account(account).acct.lower())
            except MalformedPayloadError:
                continue
    return list(dict.fromkeys(senders))


def check_optout_requests(settings: Settings, engine: Engine, clock: Callable[[], datetime]) -> list[str]:
    """Process opt-out requests sent to the publishing bot account, if there is one configured."""
    if settings.publish_mastodon is None:
        return []
    client = publishing_client(settings.publish_mastodon, settings.collect)
    try:
        return process_optout_requests(engine, client, clock)
    except SourceError as error:
        log.warning("could not read opt-out requests: %s", error)
        return []


def process_optout_requests(
    engine: Engine, client: MastodonClient, clock: Callable[[], datetime]
) -> list[str]:
    """Read new mentions of the bot; suppress everyone who asked to opt out. Returns who was added."""
    key = f"mentions_cursor:{client.source.base_url}"
    with session_scope(engine) as session:
        cursor = session.get(AppState, key)
        since = cursor.value if cursor else None
    notifications = client.mentions(since)
    if not notifications:
        return []
    added = []
    with session_scope(engine) as session:
        for acct in optout_senders(notifications):
            if digest_repo.suppress_author(
                session, acct, via="mention", reason="asked by reply or message", now=clock()
            ):
                added.append(acct)
            removed = repo.delete_posts_by_author(session, acct)
            log.info("%s asked to opt out: on the suppression list, %d stored posts removed", acct, removed)
        session.merge(AppState(key=key, value=str(notifications[-1].get("id"))))
    return added
