"""storage.many_rows and storage.json_text against SQLAlchemy Core and json.dumps: the fast paths the
import stores through must write and read exactly what the slow paths do, on every backend."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import JSON, Boolean, Column, Float, Integer, MetaData, String, Table, insert, select

from bot.posts import Author, Card, Media, Post
from storage.db import create_db_engine
from storage.json_text import SerialisedJson, json_serializer, post_json_columns
from storage.many_rows import delete_rows_where_in, insert_rows, rows_where_in
from storage.models import UTCDateTime

_metadata = MetaData()
_COLUMNS = ("key", "flag", "seen", "maybe_seen", "doc", "score", "name")


def _table(name: str) -> Table:
    return Table(
        name,
        _metadata,
        Column("id", Integer, primary_key=True),
        Column("key", String(64), unique=True),
        Column("flag", Boolean),
        Column("seen", UTCDateTime()),
        Column("maybe_seen", UTCDateTime(), nullable=True),
        Column("doc", JSON, nullable=True),
        Column("score", Float),
        Column("name", String(64)),
    )


FAST = _table("fast_rows")
CORE = _table("core_rows")

_zones = st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30))])
_datetimes = st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9998, 12, 31), timezones=_zones)
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)
_docs = _json | _json.map(lambda value: SerialisedJson(json.dumps(value)))
_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
_rows = st.lists(
    st.tuples(
        st.booleans(),
        _datetimes,
        st.none() | _datetimes,
        _docs,
        st.floats(allow_nan=False, allow_infinity=False, width=32),
        _text,
    ),
    min_size=1,
    max_size=12,
)


def test_insert_rows_stores_and_reads_what_core_does(database_url: str) -> None:
    engine = create_db_engine(database_url)
    _metadata.create_all(engine)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(rows=_rows)
    def check(rows: list[tuple[Any, ...]]) -> None:
        keyed = [(f"k{at}", *row) for at, row in enumerate(rows)]
        with engine.begin() as connection:
            connection.execute(FAST.delete())
            connection.execute(CORE.delete())
            returned = insert_rows(
                connection, FAST, _COLUMNS, keyed, skip_conflicts_on=("key",), returning=("key",)
            )
            assert sorted(key for (key,) in returned) == sorted(row[0] for row in keyed)
            connection.execute(insert(CORE), [dict(zip(_COLUMNS, row, strict=True)) for row in keyed])
            assert insert_rows(connection, FAST, _COLUMNS, keyed[:1], skip_conflicts_on=("key",)) == []
        with engine.connect() as connection:
            # As the driver returns them (what is stored), then as the columns' types read them.
            raw = f"SELECT {', '.join(_COLUMNS)} FROM {{}} ORDER BY key"
            stored_fast = connection.exec_driver_sql(raw.format("fast_rows")).all()
            assert stored_fast == connection.exec_driver_sql(raw.format("core_rows")).all()
            keys = [row[0] for row in keyed] + ["missing"]
            typed_fast = sorted(rows_where_in(connection, FAST, _COLUMNS, "key", keys))
            typed_core = sorted(
                tuple(row) for row in connection.execute(select(*(CORE.c[n] for n in _COLUMNS)))
            )
            assert typed_fast == typed_core
            delete_rows_where_in(connection, FAST, "key", keys[:2], {"name": keyed[0][-1]})
            left = {key for (key,) in connection.execute(select(FAST.c.key))}
            gone = {row[0] for row in keyed[:2] if row[-1] == keyed[0][-1]}
            assert left == {row[0] for row in keyed} - gone

    try:
        check()
    finally:
        _metadata.drop_all(engine)
        engine.dispose()


_media = st.builds(
    Media,
    kind=st.sampled_from(["image", "video", "gifv", "audio", "unknown"]),
    url=_text,
    preview_url=st.none() | _text,
    description=st.none() | _text,
    duration=st.none() | st.floats(allow_nan=False, allow_infinity=False),
)
_cards = st.builds(
    Card, url=_text, type=_text, title=_text, description=_text, provider_name=_text, image=st.none() | _text
)


@given(
    links=st.lists(_text, max_size=3).map(tuple),
    media=st.lists(_media, max_size=3).map(tuple),
    card=st.none() | _cards,
)
def test_post_json_columns_are_what_the_json_columns_store(
    links: tuple[str, ...], media: tuple[Media, ...], card: Card | None
) -> None:
    author = Author("a@example.org", "A", "https://example.org/@a")
    when = datetime(2024, 1, 1, tzinfo=UTC)
    post = Post(
        "mastodon",
        "u",
        "u",
        "1",
        author,
        when,
        "t",
        "<p>t</p>",
        "public",
        links=links,
        media=media,
        card=card,
    )
    as_columns = (
        list(links),
        [
            {
                "kind": m.kind,
                "url": m.url,
                "preview_url": m.preview_url,
                "description": m.description,
                "duration": m.duration,
            }
            for m in media
        ],
        None
        if card is None
        else {
            name: getattr(card, name)
            for name in ("url", "type", "title", "description", "provider_name", "image")
        },
    )
    made = post_json_columns(post)
    assert all(type(text) is SerialisedJson for text in made)
    assert tuple(str(text) for text in made) == tuple(json_serializer(value) for value in as_columns)
