"""The database schema, as SQLAlchemy 2 declarative models.

Derived columns (text, links, media, tags) are caches of what :mod:`bot.normalise` computes from
``raw``, the payload as the network sent it; they can always be recomputed from it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
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


class Post(Base):
    """One post, once, whatever instances and hashtags it was seen through."""

    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uri: Mapped[str] = mapped_column(String(2048), unique=True)
    url: Mapped[str] = mapped_column(String(2048))
    source: Mapped[str] = mapped_column(String(16))
    author_acct: Mapped[str] = mapped_column(String(320), index=True)
    author_name: Mapped[str] = mapped_column(String(512))
    author_url: Mapped[str] = mapped_column(String(2048))
    created_at: Mapped[datetime] = mapped_column(index=True)
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
    raw: Mapped[dict[str, Any]]
    first_seen_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    refreshed_at: Mapped[datetime | None]

    tags: Mapped[list[PostTag]] = relationship(
        back_populates="post", cascade="all, delete-orphan", passive_deletes=True, lazy="selectin"
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
