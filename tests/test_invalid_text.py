"""One post with invalid Unicode (a lone surrogate, NUL, control characters) never fails its page.

Each network's answers carry the text as JSON escapes (``"\\ud800"``), exactly as a server sends them,
and every import format reads them from a file.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import responses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mastodon_mock.testing import MockServer
from sqlalchemy import Engine, select

from bot.consent.screen import screen
from bot.jobs.collect import CollectOptions, Collector
from bot.jobs.imports import import_file
from bot.jobs.store import PostStore
from bot.networks.bluesky import normalise as bluesky
from bot.networks.mastodon.normalise import account_of_status, normalise_status
from bot.networks.x import normalise as x
from bot.valid_text import valid_record, valid_text
from storage import repository as repo
from storage.db import session_scope
from storage.models import Cursor, Post
from tests import payloads
from tests.cli_process import run_exemplar
from tests.conftest import source_for
from tests.rewriting_proxy import rewriting_proxy
from tests.test_collect_bluesky import HEADERS as BLUESKY_HEADERS
from tests.test_collect_bluesky import SOURCE as BLUESKY
from tests.test_collect_bluesky import FakePds, collect_bluesky, post_view
from tests.test_collect_x import HEADERS as X_HEADERS
from tests.test_collect_x import SEARCH, collect_x, page, tweet
from tests.test_collect_x import SOURCE as X

ARCHIVES = Path(__file__).parent / "data" / "archives"
BAD = "\ud800 \udfff \x00\x07 \ud83d"  # lone surrogates, NUL, a control character, half a pair
BAD_ESCAPED = json.dumps(BAD)[1:-1]  # as JSON writes it: \ud800 \udfff \u0000\u0007 \ud83d


def escaped_json(body: Any) -> bytes:
    """JSON as a server writes it: every non-ASCII character, lone surrogates too, as a \\u escape."""
    return json.dumps(body, ensure_ascii=True).encode("ascii")


def stored(engine: Engine) -> dict[str, Post]:
    with session_scope(engine) as session:
        return {row.uri: row for row in session.scalars(select(Post))}


def cursor_of(engine: Engine, key: str, tag: str = "fliplead") -> Cursor | None:
    with session_scope(engine) as session:
        return repo.get_cursor(session, key, tag)


def test_valid_text_joins_pairs_replaces_lone_surrogates_and_keeps_real_text() -> None:
    assert valid_text("\ud83d\ude00") == "😀"  # a pair that arrived as two escapes
    assert valid_text("a\ud800b\udfffc") == "a\ufffdb\ufffdc"
    assert valid_text("tab\tline\r\nnul\x00bell\x07") == "tab\tline\r\nnulbell"
    real = "Réunion inversée 🎬 — 教师 مدرسة עברית x\u200dy e\u0301"
    assert valid_text(real) is real
    record = {"ok": ["x", {"n": 1}], "\ud800key": [f"v{BAD}"]}
    repaired = valid_record(record)
    assert repaired == {"ok": ["x", {"n": 1}], "\ufffdkey": ["v\ufffd \ufffd  \ufffd"]}
    assert valid_record(repaired) is repaired  # nothing left to repair: the same object back


# -- Collection: every network ------------------------------------------------------------------


def _poison(_path: str, body: bytes) -> bytes:
    """Turn the marker words of the mock's answers into invalid text, and add a key that is invalid."""
    body = body.replace(b"POISON", BAD_ESCAPED.encode()).replace(b"Sam Okafor", b"Sam \\udfff")
    return body.replace(b'"content":', b'"\\ud800": "\\udc00", "content":')


def test_mastodon_page_with_invalid_text_is_stored_and_the_cursor_goes_on(
    instance: MockServer, make_collector: Callable[..., Collector], sqlite_engine: Engine
) -> None:
    maria, sam = instance.client("maria"), instance.client("sam")
    posted = [
        maria.status_post("Before it #fliplead"),
        maria.status_post("Flipped POISON meeting #fliplead #POISONtag", spoiler_text="cw POISON"),
        sam.status_post("By someone whose name is broken #fliplead"),
        maria.status_post("After it #fliplead"),
    ]
    with rewriting_proxy(instance.base_url, _poison) as proxy:
        source = source_for(instance)
        source = type(source)(base_url=proxy, hashtags=source.hashtags, access_token=None, name="proxy")
        collector = make_collector(page_size=2)
        [summary] = collector.collect((source,), CollectOptions())
        assert summary.ok, summary.errors
        assert summary.new == 4

        rows = stored(sqlite_engine)
        assert set(rows) == {status.uri for status in posted}
        broken = rows[posted[1].uri]
        assert "\ufffd" in broken.text
        assert "\x00" not in broken.text
        assert "Sam \ufffd" in rows[posted[2].uri].author_name
        cursor = cursor_of(sqlite_engine, source.key)
        assert cursor is not None
        assert cursor.newest_id == str(posted[-1].id)

        later = maria.status_post("The next POISON run #fliplead")
        [again] = collector.collect((source,), CollectOptions())
        assert again.ok, again.errors
        assert (again.fetched, again.new) == (1, 1)
        assert later.uri in stored(sqlite_engine)


def test_x_page_with_invalid_text_is_stored_and_the_cursor_moves(
    make_collector: Callable[..., Collector], sqlite_engine: Engine
) -> None:
    bad = tweet(301, f"Flipped {BAD} meeting #fliplead")
    bad["attachments"] = {"media_keys": ["3_1"]}
    body = page(
        [bad, tweet(300, "A good one #fliplead")],
        users=[{"id": "1", "name": f"María {BAD}", "username": "MariaLeads"}],
    )
    body["includes"]["media"] = [
        {"media_key": "3_1", "type": "photo", "url": "https://pbs.twimg.com/media/a.jpg", "alt_text": BAD}
    ]
    body["data"][0]["entities"] = {"hashtags": [{"start": 0, "end": 9, "tag": f"flip{BAD}"}]}
    with responses.RequestsMock() as api:
        api.get(SEARCH, body=escaped_json(body), headers={**X_HEADERS, "content-type": "application/json"})
        [summary] = collect_x(make_collector(), (X,))

    assert summary.ok, summary.errors
    assert summary.new == 2
    rows = stored(sqlite_engine)
    assert "\ufffd" in rows["https://x.com/i/status/301"].text
    cursor = cursor_of(sqlite_engine, X.key)
    assert cursor is not None
    assert cursor.newest_id == "301"


def test_bluesky_page_with_invalid_text_is_stored_and_the_cursor_moves(
    make_collector: Callable[..., Collector], sqlite_engine: Engine
) -> None:
    bad = post_view(1, f"Flipped meeting {BAD} #fliplead")
    bad["author"]["displayName"] = f"Claire {BAD}"
    bad["record"]["facets"][0]["features"][0]["tag"] = f"flip{BAD}"
    bad["embed"] = {
        "$type": "app.bsky.embed.images#view",
        "images": [
            {"thumb": "https://cdn.bsky.app/t.jpg", "fullsize": "https://cdn.bsky.app/f.jpg", "alt": BAD}
        ],
    }
    bad[f"{BAD}extra"] = {BAD: [BAD]}
    body = {"posts": [bad, post_view(2, "A good one #fliplead")], "cursor": "next"}
    pds = FakePds(
        [
            httpx.Response(
                200,
                content=escaped_json(body),
                headers={**BLUESKY_HEADERS, "content-type": "application/json"},
            ),
            httpx.Response(200, json={"posts": []}, headers=BLUESKY_HEADERS),
        ]
    )
    [summary] = collect_bluesky(make_collector(), (BLUESKY,), transport=httpx.MockTransport(pds))

    assert summary.ok, summary.errors
    assert summary.new == 2
    rows = stored(sqlite_engine)
    assert "\ufffd" in rows[bad["uri"]].text
    assert "\ufffd" in rows[bad["uri"]].author_name
    cursor = cursor_of(sqlite_engine, BLUESKY.key)
    assert cursor is not None
    assert cursor.newest_id == body["posts"][1]["indexedAt"]


# -- Import: every format -----------------------------------------------------------------------


def _import(engine: Engine, path: Path, fmt: str) -> Any:
    return import_file(
        engine, path, hashtags=("fliplead",), clock=lambda: datetime.now(UTC), store=PostStore(), fmt=fmt
    )


def _poisoned_copy(source: Path, target: Path, marker: str) -> Path:
    """``source`` with every ``marker`` (inside its JSON strings) followed by invalid escapes."""
    text = source.read_text(encoding="utf-8")
    assert marker in text
    target.write_text(text.replace(marker, marker + BAD_ESCAPED), encoding="utf-8")
    return target


@pytest.mark.parametrize(
    ("name", "fmt", "marker"),
    [
        ("twarc2.jsonl", "twarc2", "flipped"),  # tweet text
        ("twarc2.jsonl", "twarc2", '"name": "'),  # authors' names
        ("bluesky_search.json", "bluesky", '"text": "'),
        ("bluesky_search.json", "bluesky", '"displayName": "'),
        ("tags.csv", "tags-csv", '""text"":""'),  # hashtags in the entities JSON
    ],
)
def test_archives_with_invalid_text_import_every_post(
    name: str, fmt: str, marker: str, database_url: str, tmp_path: Path
) -> None:
    from storage.db import create_db_engine, upgrade_schema

    clean_engine = create_db_engine(f"sqlite:///{tmp_path / 'clean.db'}")
    upgrade_schema(clean_engine)
    clean = _import(clean_engine, ARCHIVES / name, fmt)
    clean_engine.dispose()

    engine = create_db_engine(database_url)
    upgrade_schema(engine)
    try:
        poisoned = _import(engine, _poisoned_copy(ARCHIVES / name, tmp_path / name, marker), fmt)
        assert (poisoned.read, poisoned.new, poisoned.skipped) == (clean.read, clean.new, clean.skipped)
        assert poisoned.bad_lines == clean.bad_lines
        with session_scope(engine) as session:
            texts = [
                json.dumps(
                    [row.text, row.author_name, row.raw, [t.tag for t in row.tags]], ensure_ascii=False
                )
                for row in session.scalars(select(Post))
            ]
        assert any("\ufffd" in text for text in texts)
    finally:
        engine.dispose()


def test_mastodon_import_with_invalid_text_everywhere(tmp_path: Path) -> None:
    bad_account = payloads.account("sam", display_name=f"Sam {BAD}", note=f"<p>{BAD}</p>")
    statuses = [
        payloads.status("1", content=f"<p>Flipped {BAD} #fliplead</p>"),
        payloads.status("2", author=bad_account, tags=["fliplead", f"x{BAD}"], spoiler_text=BAD),
        payloads.status("3", media_attachments=[payloads.video_attachment(description=BAD)]),
        {**payloads.status("4"), BAD: {BAD: BAD}},
        payloads.status("5"),
    ]
    path = tmp_path / "statuses.json"
    path.write_bytes(escaped_json(statuses))
    config = tmp_path / "exemplar.toml"
    config.write_text(
        'hashtags = ["fliplead"]\n[database]\nurl = "sqlite:///exemplar.db"\n', encoding="utf-8"
    )

    result = run_exemplar("--config", str(config), "import", str(path), "--format", "mastodon", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "read 5, new 5" in result.stdout
    listed = run_exemplar("--config", str(config), "posts", "--json", cwd=tmp_path)
    assert len(listed.stdout.splitlines()) == 5
    assert "\ufffd" in listed.stdout


# -- The property ---------------------------------------------------------------------------------

_any_text = st.text(st.characters(codec=None, categories=None), max_size=30)  # surrogates included
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.floats(allow_nan=False) | _any_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_any_text, children, max_size=4),
    max_leaves=12,
)


@st.composite
def mastodon_records(draw: st.DrawFn) -> Any:
    """A status whose every string may be anything, with arbitrary extra keys, or any JSON value."""
    account = payloads.account(
        draw(st.from_regex(r"[a-z]{1,8}", fullmatch=True)),
        display_name=draw(_any_text),
        note=draw(_any_text),
        fields=[{"name": draw(_any_text), "value": draw(_any_text), "verified_at": None}],
    )
    status = payloads.status(
        str(draw(st.integers(1, 10**12))),
        content=draw(_any_text),
        author=account,
        tags=draw(st.lists(_any_text, max_size=3)),
        spoiler_text=draw(_any_text),
        media_attachments=[payloads.video_attachment(description=draw(_any_text))],
    )
    status.update(draw(st.dictionaries(_any_text, _json_values, max_size=3)))
    return draw(st.sampled_from([status, draw(_json_values)]))


@st.composite
def x_records(draw: st.DrawFn) -> Any:
    """A tweet record (tweet, author, media) from a v2 page whose strings may be anything, keys too."""
    body = tweet(draw(st.integers(1, 10**15)), draw(_any_text))
    body["entities"] = {"hashtags": [{"start": 0, "end": 3, "tag": draw(_any_text)}]}
    body["attachments"] = {"media_keys": ["3_1"]}
    body.update(draw(st.dictionaries(_any_text, _json_values, max_size=2)))
    users = [
        {"id": "1", "name": draw(_any_text), "username": draw(_any_text), "description": draw(_any_text)}
    ]
    the_page = page([body], users=users)
    the_page["includes"]["media"] = [
        {
            "media_key": "3_1",
            "type": "photo",
            "url": "https://pbs.twimg.com/a.jpg",
            "alt_text": draw(_any_text),
        }
    ]
    # X records are built by tweets_in_page from a page, so they always have this shape.
    return x.tweets_in_page(the_page)[0]


@st.composite
def bluesky_records(draw: st.DrawFn) -> Any:
    """A Bluesky post view whose strings may be anything."""
    view = post_view(draw(st.integers(1, 10**6)), draw(_any_text), handle=draw(_any_text))
    view["author"]["displayName"] = draw(_any_text)
    view["record"]["facets"][0]["features"][0]["tag"] = draw(_any_text)
    view["embed"] = {
        "$type": "app.bsky.embed.images#view",
        "images": [{"thumb": "https://cdn.bsky.app/t.jpg", "alt": draw(_any_text)}],
    }
    view.update(draw(st.dictionaries(_any_text, _json_values, max_size=2)))
    return draw(st.sampled_from([view, draw(_json_values)]))


NETWORKS = {
    "mastodon": (mastodon_records(), normalise_status, account_of_status),
    "x": (x_records(), x.normalise_tweet, x.author_profile),
    "bluesky": (bluesky_records(), bluesky.normalise_bluesky_post, bluesky.author_profile),
}


@pytest.mark.parametrize("network", list(NETWORKS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_json_record_goes_through_repair_normalise_and_store(
    engine: Engine, network: str, data: st.DataObject
) -> None:
    records, normalise, account_of = NETWORKS[network]
    record = json.loads(json.dumps(data.draw(records)))  # as it arrives: decoded JSON, surrogates and all
    screened = screen([record], normalise, account_of, where="property")
    with session_scope(engine) as session:
        PostStore().save(session, screened.posts, seen=None, now=datetime.now(UTC))
    for post in screened.posts:
        for text in (post.text, post.html, post.author.display_name, post.author.acct, *post.hashtags):
            text.encode("utf-8")
            assert "\x00" not in text


def test_classify_input_with_invalid_text_prints_every_status(tmp_path: Path) -> None:
    lines = [
        escaped_json({"id": f"1{BAD}", "content": f"<p>Try Padlet {BAD} for exit tickets?</p>"}),
        escaped_json({"id": "2", "content": "<p>A plain one</p>"}),
    ]
    path = tmp_path / "statuses.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")

    result = run_exemplar("classify", "--input", str(path), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["1\ufffd \ufffd  \ufffd", "2"]
