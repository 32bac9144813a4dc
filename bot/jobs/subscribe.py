"""Double opt-in: a request to subscribe sends a confirmation link to the address, and following it
puts the address on the digest list. The answer to a request never depends on whether the address is
known, so the list cannot be read through the form."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from bot.config import EmailConfig
from bot.public_urls import LOCAL_URL, PublicUrls
from bot.subscription_links import confirmation_token, read_confirmation
from digests.mail import EmailError, EmailTransport
from digests.render.email import render_confirmation
from storage import subscriptions as subs
from storage.app_state import signing_key
from storage.db import session_scope

log = logging.getLogger(__name__)

# One confirmation per address per this long, whatever is asked: the form cannot flood an inbox.
RESEND_AFTER = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Subscriptions:
    """Subscribing and confirming, for the web pages."""

    engine: Engine
    email: EmailConfig
    transport: EmailTransport
    hashtag: str
    clock: Callable[[], datetime]

    def ask(self, address: str, *, site: str | None = None) -> None:
        """Send a confirmation link to ``address`` (unless one went there very recently).

        ``site``, the address the form was reached at, makes the link only when ``[email]
        public_url`` is not configured (emails to the outbox: SMTP requires ``public_url``).
        """
        urls = PublicUrls(self.email.public_url or (site or LOCAL_URL).rstrip("/"))
        now = self.clock()
        address = subs.normalise_address(address)
        with session_scope(self.engine) as session:
            key = signing_key(session)
            nonce = subs.request_subscription(session, address, now, resend_after=RESEND_AFTER)
        if nonce is None:
            log.info("subscription request for an address asked recently: no second confirmation")
            return
        link = urls.confirm_subscription(confirmation_token(key, address, nonce, now))
        message = render_confirmation(
            sender=self.email.sender,
            recipient=address,
            confirm_url=link,
            hashtag=self.hashtag,
            hours=self.email.confirm_hours,
            archive_url=urls.index,
            sent_at=now,
        )
        try:
            self.transport.send(message)
        except EmailError as error:
            log.warning("could not send a subscription confirmation: %s", error)
            with session_scope(self.engine) as session:
                row = subs.find(session, address)
                if row is not None:
                    row.confirm_sent_at = None

    def pending_address(self, token: str) -> str | None:
        """The address a confirmation token is for, if it is valid, unexpired and unused."""
        found = self._read(token)
        if found is None:
            return None
        with session_scope(self.engine) as session:
            row = subs.find(session, found[0])
            return row.email if row is not None and row.confirm_nonce == found[1] else None

    def confirm(self, token: str) -> str | None:
        """Follow a confirmation link; returns the address now on the list, or ``None``."""
        found = self._read(token)
        if found is None:
            return None
        with session_scope(self.engine) as session:
            return found[0] if subs.confirm(session, found[0], found[1], self.clock()) else None

    def _read(self, token: str) -> tuple[str, str] | None:
        with session_scope(self.engine) as session:
            key = signing_key(session)
        return read_confirmation(key, token, self.clock(), max_age_seconds=self.email.confirm_hours * 3600)
