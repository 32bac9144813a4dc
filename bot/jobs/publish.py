"""Publishing an approved digest: consent re-checked, thread posted exactly once, leaders emailed."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import httpx
from sqlalchemy import Engine

from bot.classify import classify
from bot.config import EmailConfig, Settings
from bot.consent.rules import opt_out_reason, visibility_allows_collection
from bot.errors import BusyError, DatabaseError, ExemplarError
from bot.jobs.digest import DigestService
from bot.networks.mastodon.home import HomeInstances
from bot.networks.publishing import Channel, Publishing
from bot.networks.recheck import Current, Recheck
from bot.networks.registry import NETWORKS, PUBLISHING_ORDER, publishing_networks
from bot.public_urls import PublicUrls
from bot.retry import RetryPolicy
from digests.frozen import item_record
from digests.lifecycle import EmptyDigestError, empty_reason, next_status
from digests.mail import DkimSigner, EmailTransport, OutboxTransport, SmtpTransport
from digests.model import Digest, DigestItem
from digests.publish.email import EmailPolicy, EmailReport, send_digest_emails
from digests.publish.thread import PostedThread, publish_thread
from digests.render.thread import ThreadPart, render_thread, thread_links
from storage import deliveries, locks, publications, published, subscriptions
from storage import digests as digest_repo
from storage import repository as repo
from storage.app_state import installation_id
from storage.db import session_scope
from storage.models import Digest as DigestRow
from storage.models import DigestItemRow

log = logging.getLogger(__name__)

# A run on another host that stopped without releasing its lease holds it this long at most.
PUBLISH_LEASE = timedelta(hours=1)

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
        return thread_links(self.parts, self.channel)


@dataclass(slots=True)
class PublishReport:
    digest_id: int
    dry_run: bool
    dropped: list[Dropped] = field(default_factory=list)
    threads: list[ThreadReport] = field(default_factory=list)
    emails: EmailReport | None = None
    recipients: list[str] = field(default_factory=list)
    status: str = ""
    # The archive page the threads' first posts link to (None: no public_url is configured).
    archive_url: str | None = None

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

    def _epoch(self) -> float:
        return self.clock().timestamp()

    @property
    def settings(self) -> Settings:
        return self.service.settings

    def publish(
        self, digest_id: int, *, dry_run: bool = False, retry_unconfirmed: bool = False
    ) -> PublishReport:
        """Re-check consent, post the thread on each configured network, email the leaders.

        ``retry_unconfirmed`` forgets that parts were attempted: the curator has checked the accounts
        and the parts that could not be confirmed did not go out. One run at a time publishes a
        digest: another run finds it busy (:class:`~bot.errors.BusyError`).
        """
        if dry_run:
            return self._publish(digest_id, dry_run=True, retry_unconfirmed=retry_unconfirmed)
        try:
            with locks.holding(
                self.engine, f"publish:digest:{digest_id}", clock=self.clock, stale_after=PUBLISH_LEASE
            ):
                return self._publish(digest_id, dry_run=False, retry_unconfirmed=retry_unconfirmed)
        except locks.LeaseTakenError as taken:
            raise BusyError(
                f"another run is publishing digest {digest_id} ({taken}); wait for it to finish, then "
                f"`exemplar digest show {digest_id}` shows what was published"
            ) from None

    def _publish(self, digest_id: int, *, dry_run: bool, retry_unconfirmed: bool) -> PublishReport:
        report = PublishReport(
            digest_id=digest_id, dry_run=dry_run, archive_url=archive_page_url(self.settings, digest_id)
        )
        with session_scope(self.engine) as session:
            row = session.get(DigestRow, digest_id)
            if row is None:
                raise ExemplarError(f"no digest {digest_id}; `exemplar digest list` shows them")
            status = row.status
            if retry_unconfirmed and not dry_run:
                for name in CHANNELS:
                    publications.forget_attempts(session, digest_id, name)
                deliveries.retry_unconfirmed(session, digest_id)
        if status != "published":
            next_status(status, "publish")  # only approved digests publish
            report.dropped = self._recheck(digest_id, persist=not dry_run)
        view = self.service.view(digest_id)
        if dry_run:
            drop_ids = {d.post_id for d in report.dropped}
            view = _without(view, drop_ids)
        if status != "published" and not view.items and not self._thread_started(digest_id):
            raise EmptyDigestError(_empty_at_publish(digest_id, report.dropped))
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
            report.recipients = self._recipients(email, seed=not dry_run)
            if not dry_run and self.transport is not None:
                report.emails = self._email(view, email)
        report.status = report.status or status
        return report

    def _thread_started(self, digest_id: int) -> bool:
        """Whether a thread of this digest is planned on some network (then it is finished, whatever)."""
        with session_scope(self.engine) as session:
            return any(publications.thread_parts(session, digest_id, name) for name in CHANNELS)

    def _channels(self, dry_run: bool) -> list[Channel]:
        """The networks digests are published to, in order: each one only when configured."""
        settings = self.settings
        policy = RetryPolicy(
            max_retries=settings.collect.max_retries,
            backoff_seconds=settings.collect.backoff_seconds,
            max_rate_limit_wait=settings.collect.max_rate_limit_wait,
            sleep=self.sleep,
            clock=self._epoch,  # a rate limit's reset is waited for by the publisher's own clock
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
            else render_thread(
                view, measure=channel.measure, archive_url=archive_page_url(self.settings, digest_id)
            )
        )
        report = ThreadReport(name, parts)
        if dry_run:
            return report
        try:
            if channel.check is not None:
                channel.check()
            report.thread = publish_thread(self.engine, digest_id, parts, channel.poster, clock=self.clock)
        except DatabaseError:
            raise  # without the ledger nothing more may be posted or sent: the whole run stops here
        except ExemplarError as error:
            log.error("digest %d: publishing the %s thread stopped: %s", digest_id, name, error)
            report.error = str(error)
        return report

    def _recipients(self, email: EmailConfig, *, seed: bool) -> list[str]:
        """The active subscribers, the config's new addresses added first (a dry run adds none)."""
        with session_scope(self.engine) as session:
            if seed:
                subscriptions.seed(session, email.recipients, self.clock())
                return subscriptions.active_addresses(session)
            return sorted(
                subscriptions.active_addresses(session)
                + subscriptions.pending_seed(session, email.recipients)
            )

    def _email(self, view: Digest, email: EmailConfig) -> EmailReport:
        urls = PublicUrls.of(self.settings)
        with session_scope(self.engine) as session:
            recipients = subscriptions.active_addresses(session)
            # A digest goes to the list as it was when it was first sent: someone who subscribes
            # later is not sent last week's digest when a retry runs.
            owed = deliveries.states(session, view.id)
            if owed:
                recipients = [address for address in recipients if address in owed]
            tokens = {
                address: subscriptions.unsubscribe_token_of(session, address, self.clock())
                for address in recipients
            }
        assert self.transport is not None
        return send_digest_emails(
            self.engine,
            view,
            recipients,
            self.transport,
            sender=email.sender,
            unsubscribe_link=lambda address: urls.unsubscribe(tokens[address]),
            archive_url=urls.digest(view.id),
            feed_url=urls.feed,
            policy=EmailPolicy(
                max_attempts=email.max_attempts,
                suspend_after_soft_failures=email.suspend_after_soft_failures,
            ),
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
        policy = RetryPolicy(max_retries=1, backoff_seconds=1, sleep=self.sleep, clock=self._epoch)
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


def _empty_at_publish(digest_id: int, dropped: list[Dropped]) -> str:
    if not dropped:
        return empty_reason(digest_id)
    why = "; ".join(f"post {drop.post_id}: {drop.reason}" for drop in dropped)
    return f"{empty_reason(digest_id)} (the re-check before publishing left out every item: {why})"


def archive_page_url(settings: Settings, digest_id: int) -> str | None:
    """The digest's page in the public archive, which the thread's first post links to; ``None``
    (the thread then has no such link) unless ``[archive] public_url`` (or ``[email] public_url``)
    says where the archive is."""
    if settings.configured_public_url is None:
        return None
    return PublicUrls.of(settings).digest(digest_id)


def _without(view: Digest, post_ids: set[int]) -> Digest:
    return replace(view, items=tuple(item for item in view.items if item.post_id not in post_ids))


def email_transport(email: EmailConfig | None) -> EmailTransport | None:
    """SMTP when a host is configured, otherwise ``.eml`` files in the outbox directory."""
    if email is None:
        return None
    signer = (
        DkimSigner(email.dkim.selector, email.dkim.domain, email.dkim.private_key) if email.dkim else None
    )
    if email.smtp_host:
        return SmtpTransport(
            email.smtp_host,
            email.smtp_port,
            starttls=email.starttls,
            username=email.username.reveal() if email.username else None,
            password=email.password,
            timeout=email.smtp_timeout,
            signer=signer,
        )
    return OutboxTransport(email.outbox_dir, signer=signer)
