"""Publishing digest threads to a real Bluesky PDS (``@atproto/dev-env`` on loopback), read back with the
atproto SDK: every part once, chained by root and parent, links as facets at UTF-8 byte offsets.

A loopback proxy in front of the PDS logs what the publisher asks, and can lose the PDS's answer on
the way back after the PDS did the work (a 502 from a gateway, a dropped connection).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from mastodon_mock.testing import MockServer
from sqlalchemy import Engine, select

from bot.cli import cli
from bot.jobs.collect import Collector
from bot.jobs.publish import Publisher
from digests.render.measure import BLUESKY_MEASURE, URL, graphemes, link_display
from digests.render.thread import render_thread
from storage import publications
from storage.db import create_db_engine, session_scope
from storage.models import Publication
from tests.cli_process import EXEMPLAR, run_exemplar
from tests.conftest import FakeClock
from tests.pds_server import Account, DevPds, dev_pds
from tests.rewriting_proxy import rewriting_proxy
from tests.test_publish import build as build_publisher
from tests.test_publish_bluesky import (
    COLLECTION,
    PASSWORD_ENV,
    TID_SYNTAX,
    approved_digest,
    bluesky_thread,
    network,
    planned,
    posted,
    status_of,
    strong_ref,
)

__all__ = ["dev_pds", "network"]  # fixtures

CREATE = "/xrpc/com.atproto.repo.createRecord"
GET = "/xrpc/com.atproto.repo.getRecord"
LOGIN = "/xrpc/com.atproto.server.createSession"
# A mention as Bluesky's clients detect one (an @ and a handle, after a space or an opening bracket);
# the renderer puts a word joiner after any @ in quoted words. (An @ inside a link's path is no mention.)
MENTION = re.compile(r"(?:^|\s|\()@[a-zA-Z0-9.-]+")


def tid_microseconds(key: str) -> int:
    """The time a TID was made at, in microseconds since the epoch."""
    value = 0
    for char in key:
        value = value * 32 + "234567abcdefghijklmnopqrstuvwxyz".index(char)
    return value >> 10


def facets_shown(record: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Each facet of a stored post as (feature type, the UTF-8 byte slice of the text it covers, its
    link or tag), in the order of the facets."""
    data = record["text"].encode("utf-8")
    shown = []
    for facet in record.get("facets", []):
        [feature] = facet["features"]
        covered = data[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode("utf-8")
        shown.append((feature["$type"], covered, feature.get("uri") or feature.get("tag")))
    return shown


def expected_facets(planned_text: str) -> list[tuple[str, str, str]]:
    """The facets a planned part should be posted with: every link shown short, every #fliplead a tag."""
    expected = []
    for match in re.finditer(r"https://\S+|#fliplead", planned_text):
        if match.group(0) == "#fliplead":
            expected.append(("app.bsky.richtext.facet#tag", "#fliplead", "fliplead"))
        else:
            url = match.group(0)
            expected.append(("app.bsky.richtext.facet#link", link_display(url), url))
    return expected


class ProcessKilledError(Exception):
    """Stands for the process being killed."""


@dataclass
class Proxy:
    """The proxy's address and log of (method, path with query) requests. ``lose_answer(method, path)``,
    when set, is asked once the PDS has answered a request: a status answers that instead (a gateway's
    page), 0 drops the connection, None passes the PDS's answer on."""

    url: str = ""
    requests: list[tuple[str, str]] = field(default_factory=list)
    lose_answer: Callable[[str, str], int | None] | None = None

    def paths(self, prefix: str) -> list[str]:
        return [path for _, path in self.requests if path.startswith(prefix)]

    def looked_up(self) -> list[str]:
        """The record key of each getRecord, in order."""
        return [parse_qs(urlsplit(path).query)["rkey"][0] for path in self.paths(GET)]

    def lost(self, method: str, path: str) -> int | None:
        return self.lose_answer(method, path) if self.lose_answer else None


@pytest.fixture
def account(dev_pds: DevPds) -> Account:
    return dev_pds.new_account()


@pytest.fixture
def proxy(dev_pds: DevPds) -> Iterator[Proxy]:
    """A loopback proxy in front of the dev PDS, logging what the publisher asks of it."""
    proxy = Proxy()
    log = proxy.requests.append
    with rewriting_proxy(
        dev_pds.url, before=lambda method, path: log((method, path)), lose_answer=proxy.lost
    ) as url:
        proxy.url = url
        yield proxy


def build(
    engine: Engine,
    server: MockServer,
    clock: FakeClock,
    proxy: Proxy,
    account: Account,
    *,
    password: str = "",
) -> Publisher:
    """A Publisher configured to post to Bluesky only, as ``account`` on the dev PDS through ``proxy``."""
    return build_publisher(
        engine,
        server,
        clock,
        smtp_port=None,
        environ={PASSWORD_ENV: password or account.app_password},
        publish={
            "bluesky": {"handle": account.handle, "app_password_env": PASSWORD_ENV, "base_url": proxy.url}
        },
        email=None,
    )


def rkey(uri: str) -> str:
    return uri.rsplit("/", 1)[-1]


def stored_thread(pds: DevPds, account: Account, keys: list[str]) -> list[dict[str, Any]]:
    """The account's posts as the PDS holds them, checked to be exactly one per key, the first not a
    reply and each later one replying to the first (root) and to the one before it (parent); in order."""
    stored = pds.records(account)
    assert sorted(rkey(record["uri"]) for record in stored) == sorted(keys)  # each part once, nothing else
    by_key = {rkey(record["uri"]): record for record in stored}
    thread = [by_key[key] for key in keys]
    first = thread[0]
    assert "reply" not in first["value"]
    for previous, record in itertools.pairwise(thread):
        reply = record["value"]["reply"]
        assert strong_ref(reply["root"]) == {"uri": first["uri"], "cid": first["cid"]}
        assert strong_ref(reply["parent"]) == {"uri": previous["uri"], "cid": previous["cid"]}
    for record in thread:
        post = record["value"]
        assert graphemes(post["text"]) <= 300
        assert post["langs"] == ["en"]
        assert not MENTION.search(post["text"]), post["text"]
        assert all(
            not f["$type"].endswith("#mention") for facet in post.get("facets", []) for f in facet["features"]
        )
    return thread


def test_a_digest_is_posted_once_as_a_reply_chain_with_link_and_tag_facets(
    network: MockServer,
    sqlite_engine: Engine,
    clock: FakeClock,
    make_collector: Callable[..., Collector],
    dev_pds: DevPds,
    account: Account,
    proxy: Proxy,
) -> None:
    publisher = build(sqlite_engine, network, clock, proxy, account)
    digest_id, links = approved_digest(network, clock, make_collector, publisher)
    started = time.time_ns() // 1000

    report = publisher.publish(digest_id)

    assert report.status == "published"
    rows = planned(sqlite_engine, digest_id)
    keys = [row.idempotency_key for row in rows]
    assert len(rows) == 5  # the opening and one part per post
    assert [row.text for row in rows] == [
        part.text for part in render_thread(publisher.service.view(digest_id), measure=BLUESKY_MEASURE)
    ]
    assert all(TID_SYNTAX.fullmatch(key) for key in keys), keys
    assert keys == sorted(keys)
    assert all(0 <= tid_microseconds(key) - started < 60_000_000 for key in keys)  # made now
    assert len(proxy.paths(CREATE)) == 5
    assert proxy.paths(GET) == []
    thread = stored_thread(dev_pds, account, keys)

    records = [record["value"] for record in thread]
    for row, record in zip(rows, records, strict=True):
        assert record["$type"] == COLLECTION
        assert record["text"] == URL.sub(lambda m: link_display(m.group(0)), row.text)
        assert facets_shown(record) == expected_facets(row.text)
    assert max(graphemes(record["text"]) for record in records) > 280  # the long question was cut to fit
    faceted_links = [
        uri for record in records for kind, _, uri in facets_shown(record) if kind.endswith("link")
    ]
    # The full address of every post, once, and of every video and tool the posts share.
    shared = ["https://youtu.be/Xc4ZsXq1a2Y", "https://vimeo.com/812345678", "https://padlet.com/r/q"]
    assert sorted(faceted_links) == sorted([*links.values(), *shared])
    assert [uri for _, _, uri in facets_shown(records[0])] == ["fliplead", "fliplead"]
    assert any("@\u2060lee.bsky.social" in record["text"] for record in records)  # quoted, not mentioned

    # Byte offsets, not character offsets: the author's name and the post's words are not ASCII.
    [maria] = [record for record in records if record["text"].startswith("María López: ")]
    shown = link_display(links["video"])
    link_facet = maria["facets"][-1]
    characters_before = maria["text"].index(shown)
    assert link_facet["index"]["byteStart"] == len(maria["text"][:characters_before].encode("utf-8"))
    assert link_facet["index"]["byteStart"] != characters_before
    assert link_facet["features"][0]["uri"] == links["video"]

    web = tuple(f"https://bsky.app/profile/{account.handle}/post/{key}" for key in keys)
    assert posted(report).posted_now == 5
    assert posted(report).remote_ids == tuple(record["uri"] for record in thread)
    assert posted(report).urls == web
    assert [(row.remote_id, row.remote_cid, row.remote_url) for row in rows] == [
        (record["uri"], record["cid"], url) for record, url in zip(thread, web, strict=True)
    ]
    assert all(row.remote_id.startswith(f"at://{account.did}/{COLLECTION}/") for row in rows if row.remote_id)
    assert all(row.posted_at == clock.now for row in rows)

    requests_before = len(proxy.requests)
    again = publisher.publish(digest_id)
    assert posted(again).posted_now == 0
    assert posted(again).remote_ids == posted(report).remote_ids
    assert len(proxy.requests) == requests_before  # nothing asked of the PDS, nothing posted
    stored_thread(dev_pds, account, keys)


def test_a_part_posted_just_before_a_crash_is_found_and_not_posted_again(
    network: MockServer,
    sqlite_engine: Engine,
    clock: FakeClock,
    make_collector: Callable[..., Collector],
    monkeypatch: pytest.MonkeyPatch,
    dev_pds: DevPds,
    account: Account,
    proxy: Proxy,
) -> None:
    publisher = build(sqlite_engine, network, clock, proxy, account)
    digest_id, _ = approved_digest(network, clock, make_collector, publisher)
    record_part = publications.mark_part_posted
    recorded: list[int] = []

    def die_before_recording_part_two(*args: Any, **kwargs: Any) -> None:
        recorded.append(1)
        if len(recorded) == 2:  # part 2 is on Bluesky; the process dies before writing that down
            raise ProcessKilledError
        record_part(*args, **kwargs)

    monkeypatch.setattr(publications, "mark_part_posted", die_before_recording_part_two)
    with pytest.raises(ProcessKilledError):
        publisher.publish(digest_id)
    monkeypatch.undo()
    rows = planned(sqlite_engine, digest_id)
    keys = [row.idempotency_key for row in rows]
    assert [row.remote_id is not None for row in rows] == [True, False, False, False, False]
    assert [row.attempted_at is not None for row in rows] == [True, True, False, False, False]
    assert sorted(rkey(record["uri"]) for record in dev_pds.records(account)) == keys[:2]
    assert status_of(sqlite_engine, digest_id) == "approved"

    restarted = build(sqlite_engine, network, clock, proxy, account)
    report = restarted.publish(digest_id)

    assert report.status == "published"
    assert posted(report).posted_now == 3  # part 2 was found, not posted
    assert proxy.looked_up() == [keys[1]]
    assert len(proxy.paths(CREATE)) == 5  # each part created once over both runs
    thread = stored_thread(dev_pds, account, keys)
    rows = planned(sqlite_engine, digest_id)
    assert [(row.remote_id, row.remote_cid) for row in rows] == [(r["uri"], r["cid"]) for r in thread]
    assert rows[1].remote_url == f"https://bsky.app/profile/{account.handle}/post/{keys[1]}"


@pytest.mark.parametrize("lost_as", [502, 0], ids=["bad-gateway", "dropped-connection"])
def test_a_part_the_pds_stored_before_its_answer_was_lost_is_not_posted_twice(
    network: MockServer,
    sqlite_engine: Engine,
    clock: FakeClock,
    make_collector: Callable[..., Collector],
    dev_pds: DevPds,
    account: Account,
    proxy: Proxy,
    lost_as: int,
) -> None:
    proxy.lose_answer = lambda method, path: (
        lost_as if (method, path) == ("POST", CREATE) and len(proxy.paths(CREATE)) == 2 else None
    )
    publisher = build(sqlite_engine, network, clock, proxy, account)
    digest_id, _ = approved_digest(network, clock, make_collector, publisher)

    report = publisher.publish(digest_id)

    keys = [row.idempotency_key for row in planned(sqlite_engine, digest_id)]
    assert posted(report).posted_now == 5
    assert len(proxy.paths(CREATE)) == 5  # part 2 was not sent again: the retry looked first
    assert proxy.looked_up() == [keys[1]]
    stored_thread(dev_pds, account, keys)
    assert clock.slept == [0.0]  # one retry, after the configured backoff


def test_a_dry_run_asks_nothing_of_the_pds_and_shows_the_parts(
    network: MockServer,
    sqlite_engine: Engine,
    clock: FakeClock,
    make_collector: Callable[..., Collector],
    dev_pds: DevPds,
    account: Account,
    proxy: Proxy,
) -> None:
    publisher = build(sqlite_engine, network, clock, proxy, account)
    digest_id, links = approved_digest(network, clock, make_collector, publisher)

    dry = publisher.publish(digest_id, dry_run=True)

    assert proxy.requests == []
    thread = bluesky_thread(dry)
    assert thread.thread is None
    assert thread.error is None
    expected = render_thread(publisher.service.view(digest_id), measure=BLUESKY_MEASURE)
    assert thread.parts == expected
    assert len(thread.parts) == 5
    assert len(links) == 4
    assert thread.links == 4 + 3  # each post's link, and the video or tool each of three shares
    assert all(BLUESKY_MEASURE.length(part.text) <= 300 for part in thread.parts)
    assert dry.status == "approved"
    with session_scope(sqlite_engine) as session:
        assert session.scalars(select(Publication)).first() is None  # nothing planned either
    assert dev_pds.records(account) == []

    report = publisher.publish(digest_id)
    keys = [row.idempotency_key for row in planned(sqlite_engine, digest_id)]
    assert [record["value"]["text"] for record in stored_thread(dev_pds, account, keys)] == [
        URL.sub(lambda m: link_display(m.group(0)), part.text) for part in expected
    ]
    assert posted(report).posted_now == 5


def cli_digest(tmp_path: Path, network: MockServer, account: Account, proxy: Proxy) -> tuple[Path, int]:
    """A config posting to Bluesky only, as ``account`` through ``proxy``, and an approved digest in it."""
    network.client("maria").status_post(
        "Nuestra reunión «flipped» en vídeo 🎬 https://youtu.be/Xc4ZsXq1a2Y #fliplead"
    )
    network.client("sam").status_post("Parents' explainer https://vimeo.com/812345678 #fliplead")
    network.client("lee").status_post("Staff questions on a Padlet wall: https://padlet.com/r/q #fliplead")
    config = tmp_path / "exemplar.toml"
    config.write_text(
        f"""hashtags = ["fliplead"]
[database]
url = "sqlite:///exemplar.db"
[[mastodon]]
base_url = "{network.base_url}"
[publish.bluesky]
handle = "{account.handle}"
app_password_env = "BLUESKY_APP_PASSWORD"
base_url = "{proxy.url}"
""",
        encoding="utf-8",
    )
    runner = CliRunner()
    assert runner.invoke(cli, ["--config", str(config), "collect"]).exit_code == 0
    start = (datetime.now(UTC) - timedelta(days=3)).strftime("%Y-%m-%d")
    drafted = runner.invoke(cli, ["--config", str(config), "digest", "draft", "--start", start, "--json"])
    digest_id = int(json.loads(drafted.output)["id"])
    assert runner.invoke(cli, ["--config", str(config), "digest", "approve", str(digest_id)]).exit_code == 0
    return config, digest_id


def publish_command(config: Path, digest_id: int) -> list[str]:
    return [EXEMPLAR, "--config", str(config), "digest", "publish", str(digest_id)]


def test_a_publish_killed_right_after_the_pds_stored_a_part_is_continued_by_the_next_run(
    tmp_path: Path,
    network: MockServer,
    dev_pds: DevPds,
    account: Account,
    proxy: Proxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BLUESKY_APP_PASSWORD", account.app_password)
    config, digest_id = cli_digest(tmp_path, network, account, proxy)
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXEMPLAR_")}
    first = subprocess.Popen(
        publish_command(config, digest_id),
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )

    def kill_once_part_three_is_stored(method: str, path: str) -> int | None:
        if (method, path) == ("POST", CREATE) and len(proxy.paths(CREATE)) == 3:
            first.kill()  # SIGKILL: the PDS has stored part 3, the publisher never hears so
            first.wait()
            return 0
        return None

    proxy.lose_answer = kill_once_part_three_is_stored
    first.communicate(timeout=120)
    assert first.returncode == -signal.SIGKILL
    assert len(dev_pds.records(account)) == 3

    proxy.lose_answer = None
    second = run_exemplar(*publish_command(config, digest_id)[1:], cwd=tmp_path)

    assert second.returncode == 0, second.stderr
    assert "published" in second.stdout
    engine = create_db_engine(f"sqlite:///{tmp_path / 'exemplar.db'}")
    keys = [row.idempotency_key for row in planned(engine, digest_id)]
    engine.dispose()
    assert len(keys) == 4  # the opening and one part per post
    assert proxy.looked_up() == [keys[2]]  # part 3 was looked for, found, and not posted again
    assert len(proxy.paths(CREATE)) == 4
    stored_thread(dev_pds, account, keys)


def test_publish_with_a_bad_app_password_ends_in_a_one_line_error(
    tmp_path: Path,
    network: MockServer,
    dev_pds: DevPds,
    account: Account,
    proxy: Proxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BLUESKY_APP_PASSWORD", "wxyz-wxyz-wxyz-wxyz")
    config, digest_id = cli_digest(tmp_path, network, account, proxy)

    failed = run_exemplar(*publish_command(config, digest_id)[1:], cwd=tmp_path)

    # The error in one line, exit 1, no traceback; the publish job's log line about the stopped
    # thread comes before it (a run with several networks goes on with the others).
    assert failed.returncode == 1
    assert "Traceback" not in failed.stderr + failed.stdout
    *logged, line = failed.stderr.strip().splitlines()
    assert [record.split(" ERROR ")[1].split(":")[0] for record in logged] == ["bot.jobs.publish"]
    assert line.startswith("exemplar: bluesky: Bluesky login: Bluesky refused the login")
    assert "publish.bluesky.app_password_env" in line
    assert f"digest {digest_id} stays approved" in line
    assert "wxyz-wxyz-wxyz-wxyz" not in failed.stderr + failed.stdout
    assert proxy.paths("/xrpc/") == [LOGIN]  # not retried
    assert dev_pds.records(account) == []

    monkeypatch.setenv("BLUESKY_APP_PASSWORD", account.app_password)  # the curator puts it in place
    fixed = run_exemplar(*publish_command(config, digest_id)[1:], cwd=tmp_path)

    assert fixed.returncode == 0, fixed.stderr
    assert account.app_password not in fixed.stderr + fixed.stdout
    engine = create_db_engine(f"sqlite:///{tmp_path / 'exemplar.db'}")
    keys = [row.idempotency_key for row in planned(engine, digest_id)]
    engine.dispose()
    assert len(proxy.paths(CREATE)) == 4
    stored_thread(dev_pds, account, keys)
