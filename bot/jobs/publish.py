"""Publishing an approved digest: consent re-checked, thread posted exactly once, leaders emailed."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

import httpx
from sqlalchemy import Engine

from bot.classify import classify
from bot.config import EmailConfig, Settings
from bot.consent.rules import opt_out_reason, visibility_allows_collection
from bot.errors import ExemplarError
from bot.jobs.digest import DigestService
from bot.networks.mastodon.home import HomeInstances
from bot.networks.publishing import Channel, Publishing
from bot.networks.recheck import Current, Recheck
from bot.networks.registry import NETWORKS, PUBLISHING_ORDER, publishing_networks
from bot.retry import RetryPolicy
from bot.unsubscribe_links import unsubscribe_url
from digests.frozen import item_record
from digests.lifecycle import next_status
from digests.mail import EmailTransport, OutboxTransport, SmtpTransport
from digests.model import Digest, DigestItem
from digests.publish.email import EmailReport, send_digest_emails
from digests.publish.thread import PostedThread, publish_thread
from digests.render.thread import ThreadPart, render_thread, thread_links
from storage import digests as digest_repo
from storage import publications, published
from storage import repository as repo
from storage.app_state import installation_id, signing_key
from storage.db import session_scope
from storage.models import Digest as DigestRow
from storage.models import DigestItemRow

log = logging.getLogger(__name__)

CHANNELS = PUBLISHING_ORDER
OPTED_OUT = "the author now opts out"


@dataclass(frozen=True, slots=True)
class Dropped:
    """An item left out at publish time, and why."""

    post_id: int
    author: str
    url: str
    reason: str


@dataclass(slots=True)
class ThreadReport:
    """One network's thread: the parts it consists of, and (unless a dry run) where they were posted."""

    channel: str
    parts: list[ThreadPart]
    thread: PostedThread | None = None
    error: str | None = None

    @property
    def links(self) -> int:
        return thread_links(self.parts)


@dataclass(slots=True)
class PublishReport:
    digest_id: int
    dry_run: bool
    dropped: list[Dropped] = field(default_factory=list)
    threads: list[ThreadReport] = field(default_factory=list)
    emails: EmailReport | None = None
    recipients: list[str] = field(default_factory=list)
    status: str = ""

    def thread_on(self, channel: str) -> ThreadReport | None:
        return next((thread for thread in self.threads if thread.channel == channel), None)


def consent_problem(
    item: DigestItem,
    current: Current,
    *,
    suppressed: set[str],
    allow_sensitive: bool,
    stored_edited_at: datetime | None,
    curator_section: bool,
) -> str | None:
    """Why an item may no longer be featured, or ``None`` if it may. Pure."""
    if item.author_acct.lower() in suppressed:
        return "the author asked to be left out"
    if not current.reachable:
        return current.problem or "could not be checked at its home instance"
    reason = opt_out_reason(current.profile) if current.profile is not None else None
    if reason is not None:
        return f"{OPTED_OUT} ({reason})"
    post = current.post
    if post is None:
        return "deleted at the source"
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
    # Where the Bluesky client sends its requests (tests replay recorded responses through it).
    bluesky_transport: httpx.BaseTransport | None = None

    @property
    def engine(self) -> Engine:
        return self.service.engine

    @property
    def settings(self) -> Settings:
        return self.service.settings

    def publish(
        self, digest_id: int, *, dry_run: bool = False, retry_unconfirmed: bool = False
    ) -> PublishReport:
        """Re-check consent, post the thread on each configured network, email the leaders.

        ``retry_unconfirmed`` forgets that parts were attempted: the curator has checked the accounts
        and the parts that could not be confirmed did not go out.
        """
        report = PublishReport(digest_id=digest_id, dry_run=dry_run)
        with session_scope(self.engine) as session:
            row = session.get(DigestRow, digest_id)
            if row is None:
                raise ExemplarError(f"no digest {digest_id}; `exemplar digest list` shows them")
            status = row.status
            if retry_unconfirmed and not dry_run:
                for name in CHANNELS:
                    publications.forget_attempts(session, digest_id, name)
        if status != "published":
            next_status(status, "publish")  # only approved digests publish
            report.dropped = self._recheck(digest_id, persist=not dry_run)
        view = self.service.view(digest_id)
        if dry_run:
            drop_ids = {d.post_id for d in report.dropped}
            view = _without(view, drop_ids)
        if not dry_run:
            # What goes out is what the archive keeps: frozen before the first part is posted.
            with session_scope(self.engine) as session:
                published.freeze(session, digest_id, [item_record(item) for item in view.items])
        for channel in self._channels(dry_run):
            report.threads.append(self._thread(channel, view, digest_id, dry_run))
        failed = [thread for thread in report.threads if thread.error]
        if failed:
            raise ExemplarError(
                "; ".join(f"{thread.channel}: {thread.error}" for thread in failed)
                + f" (digest {digest_id} stays approved; publishing again resumes where this stopped)"
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

    def _channels(self, dry_run: bool) -> list[Channel]:
        """The networks digests are published to, in order: each one only when configured."""
        settings = self.settings
        policy = RetryPolicy(
            max_retries=settings.collect.max_retries,
            backoff_seconds=settings.collect.backoff_seconds,
            max_rate_limit_wait=settings.collect.max_rate_limit_wait,
            sleep=self.sleep,
        )
        with session_scope(self.engine) as session:
            installation = installation_id(session)
        context = Publishing(settings, policy, dry_run, self.bluesky_transport, installation)
        built = (network.channel(context) for network in publishing_networks())
        return [channel for channel in built if channel is not None]

    def _thread(self, channel: Channel, view: Digest, digest_id: int, dry_run: bool) -> ThreadReport:
        name = channel.poster.channel
        with session_scope(self.engine) as session:
            fixed = publications.thread_parts(session, digest_id, name)
        # Once a thread is planned, its parts are what gets posted, whatever the digest became since.
        parts = (
            [ThreadPart(row.text, row.spoiler_text) for row in fixed]
            if fixed
            else render_thread(view, measure=channel.measure)
        )
        report = ThreadReport(name, parts)
        if dry_run:
            return report
        try:
            if channel.check is not None:
                channel.check()
            report.thread = publish_thread(self.engine, digest_id, parts, channel.poster, clock=self.clock)
        except ExemplarError as error:
            log.error("digest %d: publishing the %s thread stopped: %s", digest_id, name, error)
            report.error = str(error)
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
        current = self._current(view.items)
        dropped = []
        for item in view.items:
            edited_at, curated = stored[item.post_id]
            problem = consent_problem(
                item,
                current[item.post_id],
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

    def _current(self, items: Sequence[DigestItem]) -> dict[int, Current]:
        """Each item as its source shows it now: Mastodon posts at their home instance, tweets and
        Bluesky posts through the configured API access (none configured: they cannot be checked)."""
        policy = RetryPolicy(max_retries=1, backoff_seconds=1, sleep=self.sleep)
        context = Recheck(self.settings, policy, self.home, self.bluesky_transport)
        found: dict[int, Current] = {}
        by_source: dict[str, list[DigestItem]] = {}
        for item in items:
            by_source.setdefault(item.source, []).append(item)
        for network in NETWORKS:
            network_items = by_source.pop(network.name, [])
            if network_items:
                found.update(network.recheck(network_items, context))
        for source_name, rest in by_source.items():
            for item in rest:
                found[item.post_id] = Current(
                    None, None, False, f"posts from {source_name} cannot be re-checked"
                )
        return found

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
