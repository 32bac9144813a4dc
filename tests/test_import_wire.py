"""What an import's workers send back (plain tuples) is exactly the work they did."""

from __future__ import annotations

import gc
import json
import logging
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.classify.catalogue import load_catalogue
from bot.jobs import import_work
from bot.jobs.import_formats import Payload
from bot.jobs.import_pool import WorkPool
from bot.jobs.import_wire import packed, packed_payloads, packed_work_on, unpacked
from bot.jobs.import_work import PayloadWork
from tests.payloads import account, boost_of, poll, status, video_attachment, video_card

DATA = Path(__file__).parent / "data"


def _payloads() -> list[Payload]:
    lines = [
        json.dumps(status("1", content="<p>Plain #fliplead</p>")),
        json.dumps(status("2", media_attachments=[video_attachment()], card=video_card())),
        json.dumps(status("3", poll=poll("yes", "no"), edited_at="2026-01-02T03:04:05Z")),
        json.dumps(boost_of(status("4", content="<p>Boosted #fliplead</p>"), "5")),
        json.dumps(status("6", content="<p>Broken \ud800 text #fliplead</p>")),
        json.dumps({"id": "7"}),  # no uri: an error, not a post
        "null",
        "[" + json.dumps(status("8")) + ", " + json.dumps(status("9")) + "]",
        "{not json",
    ]
    labelled = (DATA / "labelled_posts.jsonl").read_text(encoding="utf-8").splitlines()[:60]
    lines += [json.dumps(json.loads(line)["status"]) for line in labelled]
    return [Payload(number, text) for number, text in enumerate(lines, 1)]


@pytest.fixture
def in_worker() -> Iterator[None]:
    """This process set up as a worker is, then given back its Ctrl-C, logging and collector pace."""
    previous, thresholds = signal.getsignal(signal.SIGINT), gc.get_threshold()
    import_work.start_worker("mastodon", "export.jsonl", load_catalogue())
    yield
    signal.signal(signal.SIGINT, previous)
    logging.disable(logging.NOTSET)
    gc.set_threshold(*thresholds)


def _raws(done: list[PayloadWork]) -> list[object]:
    return [item.post.raw for work in done for item in work.records if item.post is not None]


def test_packed_work_unpacks_to_exactly_the_work_done(in_worker: None) -> None:
    done = import_work.work_on(_payloads())

    assert [unpacked(packed(work)) for work in done] == done
    assert _raws([unpacked(packed(work)) for work in done]) == _raws(done)
    posts = [item.post for work in done for item in work.records if item.post is not None]
    assert len(posts) >= 60
    assert any(post.media for post in posts)
    assert any(post.card for post in posts)
    assert any(item.labels for work in done for item in work.records)
    assert any(item.error for work in done for item in work.records)
    assert any(work.bad_lines for work in done)


def test_a_worker_process_sends_back_the_same_work(in_worker: None, tmp_path: Path) -> None:
    done = import_work.work_on(_payloads())
    with WorkPool(1, "mastodon", tmp_path / "export.jsonl", load_catalogue()) as pool:
        received = pool.result(pool.submit(_payloads()))

    assert received == done
    assert _raws(received) == _raws(done)


def test_what_is_sent_is_plain_values_only(in_worker: None) -> None:
    sent = [packed_payloads(_payloads()[:4]), packed_work_on(packed_payloads(_payloads()[:4]))]

    def plain(value: object) -> bool:
        if isinstance(value, tuple | list):
            return all(plain(item) for item in value)
        if isinstance(value, dict):
            return all(plain(key) and plain(item) for key, item in value.items())
        return value is None or type(value).__module__ in ("builtins", "datetime")

    assert plain(sent)


def test_a_worker_classifies_no_post_that_screening_drops(in_worker: None) -> None:
    question = "<p>Anyone tried Screencastify for parent newsletters? #fliplead</p>"
    quiet = account("quiet", note="<p>Teacher. #nobot</p>")
    lines = [
        json.dumps(status("1", content=question, author=quiet)),
        json.dumps(status("2", content=question, visibility="private")),
        json.dumps(status("3", content=question)),
    ]
    done = import_work.work_on([Payload(number, text) for number, text in enumerate(lines, 1)])

    opted_out, private, public = (work.records[0] for work in done)
    assert opted_out.opt_out is not None
    assert opted_out.labels is None
    assert private.post is not None
    assert private.post.visibility == "private"
    assert private.labels is None
    assert public.opt_out is None
    assert public.labels
