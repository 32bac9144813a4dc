"""Publishing an approved digest: consent re-checked, thread posted exactly once, leaders emailed."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from bot.classify import classify
from bot.collectors.home import HomeInstances
from bot.collectors.mastodon_client import MastodonClient, publishing_client
from bot.config import EmailConfig, Settings
from bot.consent import opt_out_reason, visibility_allows_collection
from bot.errors import ExemplarError
from bot.jobs.digest import DigestService
from bot.normalise.errors import MalformedPayloadError
from bot.normalise.mastodon import normalise_status
from bot.unsubscribe import unsubscribe_url
from digests.lifecycle import next_status
from digests.mail import EmailTransport, OutboxTransport, SmtpTransport
from digests.model import Digest, DigestItem
from digests.publish.email import EmailReport, send_digest_emails
from digests.publish.thread import PostedThread, publish_thread
from digests.render.thread import ThreadPart, render_thread
from storage import digests as digest_repo
from storage import repository as repo
from storage.app_state import signing_key
from storage.db import session_scope
from storage.models import Digest as DigestRow
from storage.models import DigestItemRow

log = logging.getLogger(__name__)

THREAD_CHANNEL = "mastodon"
DEFAULT_CHAR_LIMIT = 500
OPTED_OUT = "the author now opts out"


@dataclass(frozen=True, slots=True)
class Dropped:
    """An item left out at publish time, and why."""

    post_id: int
    author: str
    url: str
    reason: str


@dataclass(slots=True)
class PublishReport:
    digest_id: int
    dry_run: bool
    dropped: list[Dropped] = field(default_factory=list)
    parts: list[ThreadPart] = field(default_factory=list)
    thread: PostedThread | None = None
    emails: EmailReport | None = None
    recipients: list[str] = field(default_factory=list)
    status: str = ""


def consent_problem(
    item: DigestItem,
    status: dict[str, Any] | None,
    *,
    reachable: bool,
    suppressed: set[str],
    allow_sensitive: bool,
    stored_edited_at: datetime | None,
    curator_section: bool,
) -> str | None:
    """Why an item may no longer be featured, or ``None`` if it may. Pure."""
    if item.author_acct.lower() in suppressed:
        return "the author asked to be left out"
    if not reachable:
        return "could not be checked at its home instance"
    if status is None:
        return "deleted at the source"
    account = status.get("account")
    reason = opt_out_reason(account) if isinstance(account, dict) else None
    if reason is not None:
        return f"{OPTED_OUT} ({reason})"
    try:
        post = normalise_status(status)
    except MalformedPayloadError:
        return "its home instance answered with something unreadable"
    if not visibility_allows_collection(post.visibility):
        return "no longer public"
    if (post.spoiler_text or post.sensitive) and not allow_sensitive:
        return "now carries a content warning"
    edited = post.edited_at != stored_edited_at and not curator_section
    if edited and item.section not in {label.name for label in classify(post)}:
        return f"edited into something else: no longer a {item.section}"
    return None


@dataclass(slots=True)
class Publisher:
    """Publishes approved digests; everything it does is recorded against ``actor``."""

    service: DigestService
    home: HomeInstances | None
    transport: EmailTransport | None
    clock: Callable[[], datetime]
    sleep: Callable[[float], None] = time.sleep

    @property
    def engine(self) -> Engine:
        return self.service.engine

    @property
    def settings(self) -> Settings:
        return self.service.settings

    def publish(self, digest_id: int, *, dry_run: bool = False) -> PublishReport:
        report = PublishReport(digest_id=digest_id, dry_run=dry_run)
        with session_scope(self.engine) as session:
            row = session.get(DigestRow, digest_id)
            if row is None:
                raise ExemplarError(f"no digest {digest_id}; `exemplar digest list` shows them")
            status = row.status
        if status != "published":
            next_status(status, "publish")  # only approved digests publish
            report.dropped = self._recheck(digest_id, persist=not dry_run)
        view = self.service.view(digest_id)
        if dry_run:
            drop_ids = {d.post_id for d in report.dropped}
            view = _without(view, drop_ids)
        publisher = self.settings.publish_mastodon
        if publisher is not None:
            client = publishing_client(publisher, self.settings.collect)
            limit = (
                publisher.char_limit or (None if dry_run else client.character_limit()) or DEFAULT_CHAR_LIMIT
            )
            report.parts = render_thread(view, char_limit=limit)
            if not dry_run:
                _check_bot(client)
                report.thread = publish_thread(
                    self.engine,
                    digest_id,
                    THREAD_CHANNEL,
                    [(part.text, part.spoiler_text) for part in report.parts],
                    client,
                    visibility=publisher.visibility,
                    clock=self.clock,
                )
        if not dry_run and status != "published":
            report.status = self.service.transition(digest_id, "publish")
        email = self.settings.email
        if email is not None:
            report.recipients = list(email.recipients)
            if not dry_run and self.transport is not None:
                report.emails = self._email(view, email)
        report.status = report.status or status
        return report

    def _email(self, view: Digest, email: EmailConfig) -> EmailReport:
        with session_scope(self.engine) as session:
            key = signing_key(session)
        public_url = email.public_url or "http://127.0.0.1:8000"
        assert self.transport is not None
        return send_digest_emails(
            self.engine,
            view,
            email.recipients,
            self.transport,
            sender=email.sender,
            unsubscribe_link=lambda address: unsubscribe_url(public_url, key, address),
            archive_url=f"{public_url}/digests/{view.id}" if email.public_url else None,
            max_attempts=email.max_attempts,
            clock=self.clock,
            sleep=self.sleep,
        )

    def _recheck(self, digest_id: int, *, persist: bool) -> list[Dropped]:
        """Re-fetch every item just before publishing; drop (and record) those that may not go out."""
        view = self.service.view(digest_id)
        with session_scope(self.engine) as session:
            suppressed = digest_repo.suppressed_accounts(session)
            row = session.get(DigestRow, digest_id)
            assert row is not None
            stored = {
                item.post_id: (item.post.edited_at, item.curated) for item in digest_repo.live_items(row)
            }
        dropped = []
        for item in view.items:
            status, reachable = self.home.status(item.url) if self.home else (None, False)
            edited_at, curated = stored[item.post_id]
            problem = consent_problem(
                item,
                status,
                reachable=reachable,
                suppressed=suppressed,
                allow_sensitive=self.settings.digest.allow_sensitive,
                stored_edited_at=edited_at,
                curator_section=curated,
            )
            if problem is not None:
                dropped.append(Dropped(item.post_id, item.author_name, item.url, problem))
        if persist and dropped:
            self._record_drops(digest_id, dropped)
        return dropped

    def _record_drops(self, digest_id: int, dropped: list[Dropped]) -> None:
        now = self.clock()
        with session_scope(self.engine) as session:
            row = session.get(DigestRow, digest_id)
            assert row is not None
            items: dict[int, DigestItemRow] = {item.post_id: item for item in row.items}
            opted_out = set()
            for drop in dropped:
                items[drop.post_id].removed = True
                items[drop.post_id].curated = True
                if drop.reason.startswith(OPTED_OUT):
                    opted_out.add(items[drop.post_id].post.author_acct)
                digest_repo.record_event(
                    session,
                    digest_id,
                    actor=self.service.actor,
                    action="consent-dropped",
                    now=now,
                    post_id=drop.post_id,
                    url=drop.url,
                    reason=drop.reason,
                )
            for acct in opted_out:
                repo.delete_posts_by_author(session, acct)


def _without(view: Digest, post_ids: set[int]) -> Digest:
    return replace(view, items=tuple(item for item in view.items if item.post_id not in post_ids))


def _check_bot(client: MastodonClient) -> None:
    account = client.own_account()
    if not account.get("bot"):
        raise ExemplarError(
            f"the publishing account @{account.get('acct')} is not marked as a bot; tick "
            "'This is an automated account' in its profile settings before publishing"
        )


def email_transport(email: EmailConfig | None) -> EmailTransport | None:
    """SMTP when a host is configured, otherwise ``.eml`` files in the outbox directory."""
    if email is None:
        return None
    if email.smtp_host:
        return SmtpTransport(
            email.smtp_host,
            email.smtp_port,
            starttls=email.starttls,
            username=email.username.reveal() if email.username else None,
            password=email.password,
        )
    return OutboxTransport(email.outbox_dir)
