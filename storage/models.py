"""The database schema, as SQLAlchemy 2 declarative models.

Derived columns (text, links, media, tags) are caches of what the normalisers (:mod:`bot.networks`)
compute from ``raw``, the payload as the network sent it; they can always be recomputed from it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar, cast

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite has no time zones: store naive UTC there)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


def table_of(model: type[Base]) -> Table:
    """The Core table behind a model, for bulk statements that skip the ORM's per-row work."""
    return cast(Table, model.__table__)


class Post(Base):
    """One post, once, whatever instances and hashtags it was seen through."""

    __tablename__ = "posts"
    # The inbox pages newest first by (created_at, id), over every post or one source's; an
    # author's posts are found, and their newest shown, from the third.
    __table_args__ = (
        Index("ix_posts_created_at_id", "created_at", "id"),
        Index("ix_posts_source_created_at_id", "source", "created_at", "id"),
        Index("ix_posts_author_acct_created_at_id", "author_acct", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uri: Mapped[str] = mapped_column(String(2048), unique=True)
    url: Mapped[str] = mapped_column(String(2048))
    source: Mapped[str] = mapped_column(String(16))
    author_acct: Mapped[str] = mapped_column(String(320))
    author_name: Mapped[str] = mapped_column(String(512))
    author_url: Mapped[str] = mapped_column(String(2048))
    created_at: Mapped[datetime]
    edited_at: Mapped[datetime | None]
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    spoiler_text: Mapped[str] = mapped_column(Text, default="")
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str | None] = mapped_column(String(16))
    visibility: Mapped[str] = mapped_column(String(16))
    links: Mapped[list[Any]]
    media: Mapped[list[Any]]
    card: Mapped[dict[str, Any] | None]
    replies_count: Mapped[int] = mapped_column(default=0)
    reblogs_count: Mapped[int] = mapped_column(default=0)
    favourites_count: Mapped[int] = mapped_column(default=0)
    # The raw payload is large and read only to recompute: load it when asked for.
    raw: Mapped[dict[str, Any]] = mapped_column(deferred=True)
    first_seen_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    refreshed_at: Mapped[datetime | None]
    # Where the stored copy came from (storage.precedence.CopyRank): a lower rank never overwrites it.
    copy_rank: Mapped[int] = mapped_column(Integer, default=2, server_default="1")
    # The digest of the imported payload this copy was made from (bot.jobs.unchanged); NULL otherwise.
    import_digest: Mapped[str | None] = mapped_column(String(32), index=True)

    tags: Mapped[list[PostTag]] = relationship(
        back_populates="post", cascade="all, delete-orphan", passive_deletes=True
    )
    sightings: Mapped[list[Sighting]] = relationship(
        back_populates="post", cascade="all, delete-orphan", passive_deletes=True
    )


class PostTag(Base):
    """A hashtag a post carries (lower case, without ``#``)."""

    __tablename__ = "post_tags"

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(256), primary_key=True, index=True)

    post: Mapped[Post] = relationship(back_populates="tags")


class Sighting(Base):
    """Where a post was seen: which source (instance), through which hashtag, under which local id."""

    __tablename__ = "sightings"
    __table_args__ = (
        UniqueConstraint("post_id", "source_key", "tag"),
        Index("ix_sightings_source_key_remote_id", "source_key", "remote_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    source_key: Mapped[str] = mapped_column(String(512))
    tag: Mapped[str] = mapped_column(String(256))
    remote_id: Mapped[str] = mapped_column(String(128))
    seen_at: Mapped[datetime]

    post: Mapped[Post] = relationship(back_populates="sightings")


class Cursor(Base):
    """How far collection has got for one (source, hashtag).

    ``newest_id`` is where the next incremental poll starts. A backfill walks back from
    ``oldest_id`` until it reaches ``backfill_target``; ``backfilled_to`` records how far back
    history is known to be complete.
    """

    __tablename__ = "cursors"

    source_key: Mapped[str] = mapped_column(String(512), primary_key=True)
    tag: Mapped[str] = mapped_column(String(256), primary_key=True)
    newest_id: Mapped[str | None] = mapped_column(String(128))
    oldest_id: Mapped[str | None] = mapped_column(String(128))
    backfill_target: Mapped[datetime | None]
    backfilled_to: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class SourceState(Base):
    """Per-source bookkeeping that is not per hashtag (when counts were last refreshed)."""

    __tablename__ = "source_state"

    source_key: Mapped[str] = mapped_column(String(512), primary_key=True)
    refreshed_at: Mapped[datetime | None]


class PostLabel(Base):
    """A label on a post: from the rules (``origin='rule'``) or from a curator (``origin='curator'``).

    A curator row wins over the rule row for the same label, whether it adds the label
    (``present=True``) or takes it away (``present=False``); re-labelling only ever rewrites rule rows.
    """

    __tablename__ = "post_labels"
    # The posts carrying a label, read from the label (the inbox's filter when the label is rare).
    __table_args__ = (Index("ix_post_labels_label_post_id", "label", "post_id"),)

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    label: Mapped[str] = mapped_column(String(16), primary_key=True)
    origin: Mapped[str] = mapped_column(String(16), primary_key=True)
    present: Mapped[bool] = mapped_column(Boolean, default=True)
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    reason: Mapped[str] = mapped_column(Text, default="")
    set_by: Mapped[str | None] = mapped_column(String(320))
    updated_at: Mapped[datetime]


class LinkInfo(Base):
    """What resolving a link learned (redirect target, OpenGraph type and site name), cached."""

    __tablename__ = "link_info"

    url: Mapped[str] = mapped_column(String(2048), primary_key=True)
    final_url: Mapped[str | None] = mapped_column(String(2048))
    og_type: Mapped[str | None] = mapped_column(String(64))
    site_name: Mapped[str | None] = mapped_column(String(256))
    title: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[datetime]


class Digest(Base):
    """A digest of one period. ``status`` moves draft → approved → published (or rejected/superseded)."""

    __tablename__ = "digests"
    # The archive walks published digests newest first, a page at a time.
    __table_args__ = (Index("ix_digests_status_period_start", "status", "period_start", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_start: Mapped[datetime] = mapped_column(index=True)
    period_end: Mapped[datetime]
    timezone: Mapped[str] = mapped_column(String(64))
    hashtag: Mapped[str] = mapped_column(String(256))
    status: Mapped[str] = mapped_column(String(16), index=True)
    intro: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    items: Mapped[list[DigestItemRow]] = relationship(
        back_populates="digest",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="DigestItemRow.position",
    )


class DigestItemRow(Base):
    """A post in a digest. ``curated`` marks items a curator touched: re-drafting keeps them as they are.

    ``removed`` items stay as rows so that re-drafting never brings them back.
    """

    __tablename__ = "digest_items"
    __table_args__ = (UniqueConstraint("digest_id", "post_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest_id: Mapped[int] = mapped_column(ForeignKey("digests.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    section: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    curated: Mapped[bool] = mapped_column(Boolean, default=False)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    blurb: Mapped[str] = mapped_column(Text, default="")

    digest: Mapped[Digest] = relationship(back_populates="items")
    post: Mapped[Post] = relationship()


class DigestEvent(Base):
    """Every transition and edit of a digest: who did what, and when."""

    __tablename__ = "digest_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest_id: Mapped[int] = mapped_column(ForeignKey("digests.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]]


class Exclusion(Base):
    """A post, an author or a domain a curator excluded from digests for good."""

    __tablename__ = "exclusions"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(2048), primary_key=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime]


class SuppressedAuthor(Base):
    """An author who asked to be left out: never collected or featured again."""

    __tablename__ = "suppressed_authors"

    acct: Mapped[str] = mapped_column(String(320), primary_key=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    requested_via: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[datetime]


class QuestionAnswer(Base):
    """A reply by someone else to a question post: who answered, credited with a link."""

    __tablename__ = "question_answers"

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    answer_uri: Mapped[str] = mapped_column(String(2048), primary_key=True)
    answer_url: Mapped[str] = mapped_column(String(2048))
    author_acct: Mapped[str] = mapped_column(String(320))
    author_name: Mapped[str] = mapped_column(String(512))
    created_at: Mapped[datetime]


class Publication(Base):
    """One part of a digest's thread on one network: its text is fixed before the first post, its
    remote id recorded the moment it is posted, so an interrupted publish resumes and never repeats."""

    __tablename__ = "publications"

    digest_id: Mapped[int] = mapped_column(ForeignKey("digests.id", ondelete="CASCADE"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    part: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    spoiler_text: Mapped[str] = mapped_column(Text, default="")
    idempotency_key: Mapped[str] = mapped_column(String(128))
    remote_id: Mapped[str | None] = mapped_column(String(128))
    remote_url: Mapped[str | None] = mapped_column(String(2048))
    # Bluesky replies name their parent and root by URI and content id (CID).
    remote_cid: Mapped[str | None] = mapped_column(String(128))
    posted_at: Mapped[datetime | None]
    # Set just before posting: a part attempted but never recorded may have gone out, and is looked
    # for on the network before it is posted again.
    attempted_at: Mapped[datetime | None]


class EmailDelivery(Base):
    """One digest email to one leader: sent once, retried on failure, refusals reported."""

    __tablename__ = "email_deliveries"

    digest_id: Mapped[int] = mapped_column(ForeignKey("digests.id", ondelete="CASCADE"), primary_key=True)
    recipient: Mapped[str] = mapped_column(String(320), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(512))
    sent_at: Mapped[datetime | None]
    # When the current attempt began: a "sending" row older than the lease was cut off by a crash.
    attempted_at: Mapped[datetime | None]
    # Whether this digest already counted as a soft failure for the address (once per digest).
    soft_failure_counted: Mapped[bool] = mapped_column(Boolean, default=False)


class Subscription(Base):
    """A leader on the digest list: seeded from the config, or subscribed by double opt-in.

    ``status`` is ``active``, ``pending`` (asked, not yet confirmed), ``unsubscribed`` or
    ``suspended`` (the server refused the address for good, or it failed softly too often).
    Rows are never deleted, so an unsubscribe sticks whatever the config lists.
    """

    __tablename__ = "subscriptions"

    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    # The secret in the address's short unsubscribe link (/u/TOKEN).
    unsubscribe_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    # The nonce of the one confirmation link that may still confirm (single use), and when it was sent.
    confirm_nonce: Mapped[str | None] = mapped_column(String(64))
    confirm_sent_at: Mapped[datetime | None]
    soft_failures: Mapped[int] = mapped_column(Integer, default=0)
    suspended_reason: Mapped[str | None] = mapped_column(Text)


class AppState(Base):
    """Small pieces of state Exemplar keeps for itself (e.g. a generated signing key)."""

    __tablename__ = "app_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Curator(Base):
    """Someone who may use the curator desk. The password is stored only as a scrypt hash."""

    __tablename__ = "curators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(512))
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]


class ArchiveTool(Base):
    """A catalogue tool a published exemplar uses, for the archive's tool filter and its choices."""

    __tablename__ = "archive_tools"

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    tool: Mapped[str] = mapped_column(String(256), primary_key=True, index=True)


class RemovedPost(Base):
    """A post removed for good (its author removed it, it was deleted or made private at home, its
    author opted out): never stored, shown or featured again. ``reason`` says why, for curators."""

    __tablename__ = "removed_posts"

    uri: Mapped[str] = mapped_column(String(2048), primary_key=True)
    author_acct: Mapped[str] = mapped_column(String(320), index=True)
    via: Mapped[str] = mapped_column(String(32))
    removed_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")


class PublishedItem(Base):
    """An item of a published digest as it was posted and emailed, frozen (``record``: its text,
    author, links and media). It outlives the post: when the author deletes it or opts out, the record
    keeps only where it sat, and ``removed_at`` and ``removed_reason`` say when and why."""

    __tablename__ = "published_items"

    digest_id: Mapped[int] = mapped_column(ForeignKey("digests.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_uri: Mapped[str] = mapped_column(String(2048), index=True)
    record: Mapped[dict[str, Any]]
    removed_at: Mapped[datetime | None]
    removed_reason: Mapped[str] = mapped_column(Text, default="")


class OAuthClient(Base):
    """Exemplar's app registration on one Mastodon instance, made the first time an author signs in
    from there (the secret is the instance's, for this app only)."""

    __tablename__ = "oauth_clients"

    instance_url: Mapped[str] = mapped_column(String(2048), primary_key=True)
    redirect_uri: Mapped[str] = mapped_column(String(2048), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(512))
    client_secret: Mapped[str] = mapped_column(String(512))
    created_at: Mapped[datetime]


class DeskSession(Base):
    """A curator's logged-in session, held on the server. The cookie carries only a random token;
    the database keeps its SHA-256, so a copy of the table opens no desk."""

    __tablename__ = "desk_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    curator_id: Mapped[int] = mapped_column(ForeignKey("curators.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    client: Mapped[str] = mapped_column(String(64), default="")


class LoginThrottle(Base):
    """Failed-login bookkeeping for one key (an account at one client address, or one address),
    shared by every worker process: attempts past the free ones wait ``next_allowed_at``."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    next_allowed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(index=True)


class CuratorNotice(Base):
    """One email to one curator about one digest (``kind``: ready or reminder), sent at most once."""

    __tablename__ = "curator_notices"

    digest_id: Mapped[int] = mapped_column(ForeignKey("digests.id", ondelete="CASCADE"), primary_key=True)
    recipient: Mapped[str] = mapped_column(String(320), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]


class SourceRun(Base):
    """One collection run of one source: whether it worked, what it found, how many retries it took.
    The health report and the quiet-source alert read these."""

    __tablename__ = "source_runs"
    __table_args__ = (Index("ix_source_runs_source_key_finished_at", "source_key", "finished_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_key: Mapped[str] = mapped_column(String(512))
    source_name: Mapped[str] = mapped_column(String(512))
    network: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime] = mapped_column(index=True)
    ok: Mapped[bool] = mapped_column(Boolean)
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    new: Mapped[int] = mapped_column(Integer, default=0)
    retries: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class CatalogueAddition(Base):
    """A curator-approved change to the tool catalogue, proposed by ``exemplar classify --report``.

    ``kind`` is ``tool`` (a new tool named ``tool``), ``alias`` (``spelling`` is another way of
    writing the known tool ``tool``) or ``ambiguous`` (``spelling`` of ``tool`` is also an ordinary
    word and needs context). The classifier reads these rows every time it is set up, so an applied
    proposal holds for every post labelled or re-labelled afterwards.
    """

    __tablename__ = "catalogue_additions"
    __table_args__ = (UniqueConstraint("kind", "tool", "spelling"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    tool: Mapped[str] = mapped_column(String(256))
    spelling: Mapped[str] = mapped_column(String(256), default="")
    domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    posts_count: Mapped[int] = mapped_column(default=0)
    applied_by: Mapped[str | None] = mapped_column(String(320))
    applied_at: Mapped[datetime]
