"""One precedence rule for copies of a post (storage.precedence), on SQLite files and PostgreSQL.

For any sequence of copies from the post's home, from other instances (federated copies, or an
instance passing off someone else's URI as its own) and from archive imports, the stored post is the
newest home copy seen; before home has been seen, the newest of the rest, instances over archives.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from bot.jobs.store import PostStore
from bot.networks.mastodon.normalise import normalise_status
from storage import repository as repo
from storage.db import session_scope
from storage.models import Post
from storage.precedence import CopyRank, collected_rank
from tests.payloads import account, status

BASE = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
_ids = itertools.count(113481707975926080)

ORIGINS = ("home", "federated", "impostor", "archive")
RANKS = {"home": CopyRank.HOME, "federated": CopyRank.OTHER_INSTANCE, "impostor": CopyRank.OTHER_INSTANCE}


@dataclass(frozen=True)
class Copy:
    origin: str
    edit: int  # 0: never edited; n: edited at BASE + n minutes
    fetched: int  # minutes after BASE
    favourites: int


copies = st.lists(
    st.builds(
        Copy,
        st.sampled_from(ORIGINS),
        st.integers(0, 3),
        st.integers(0, 5),
        st.integers(0, 50),
    ),
    min_size=1,
    max_size=8,
)


def payload(copy: Copy, number: int, status_id: str) -> dict[str, Any]:
    authors = {
        "home": account("maria"),
        "federated": account("maria", domain="mastodon.social"),
        # A local account elsewhere, serving the real post's URI with its own content.
        "impostor": {**account("lee", domain=None), "url": "https://district.example/@lee"},
        "archive": account("maria"),
    }
    data = status(
        status_id,
        content=f"<p>copy {number} from {copy.origin}</p>",
        author=authors[copy.origin],
        favourites_count=copy.favourites,
        edited_at=(BASE + timedelta(minutes=copy.edit)).isoformat() if copy.edit else None,
    )
    data["uri"] = f"https://mastodon.social/users/maria/statuses/{status_id}"
    return data


def expected(sequence: list[Copy]) -> tuple[int, Copy]:
    def key(item: tuple[int, Copy]) -> tuple[int, int, int, int]:
        number, copy = item
        rank = RANKS.get(copy.origin, CopyRank.ARCHIVE)
        return (rank, copy.edit, copy.fetched, number)  # a tie goes to the copy that came last

    return max(enumerate(sequence), key=key)


def test_the_rank_of_each_kind_of_copy() -> None:
    status_id = str(next(_ids))
    ranks = {
        origin: collected_rank(normalise_status(payload(Copy(origin, 0, 0, 0), 0, status_id)))
        for origin in ("home", "federated", "impostor")
    }
    assert ranks == RANKS


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=copies)
def test_the_stored_post_is_the_newest_home_copy_seen(engine: Engine, sequence: list[Copy]) -> None:
    status_id = str(next(_ids))
    store = PostStore()
    for number, copy in enumerate(sequence):
        post = normalise_status(payload(copy, number, status_id))
        rank = CopyRank.ARCHIVE if copy.origin == "archive" else collected_rank
        with session_scope(engine) as session:
            store.save(session, [post], seen=None, now=BASE + timedelta(minutes=copy.fetched), rank=rank)

    number, winner = expected(sequence)
    with session_scope(engine) as session:
        row = session.scalars(select(Post).where(Post.uri.endswith(f"/{status_id}"))).one()
        assert row.text == f"copy {number} from {winner.origin}"
        home = [copy for copy in sequence if copy.origin == "home"]
        if home:
            assert row.favourites_count == winner.favourites  # home's own counts, as home said them
        else:
            assert row.favourites_count >= winner.favourites  # never lowered by another source


def test_an_old_archive_never_undoes_an_edit_or_resets_counts(engine: Engine) -> None:
    status_id = str(next(_ids))
    edited = normalise_status(payload(Copy("home", 2, 1, 40), 1, status_id))
    old = normalise_status(payload(Copy("home", 0, 0, 3), 0, status_id))
    with session_scope(engine) as session:
        repo.save_posts(session, [edited], seen=None, now=BASE)
    with session_scope(engine) as session:
        result = repo.save_posts(
            session, [old], seen=None, now=BASE + timedelta(days=30), rank=CopyRank.ARCHIVE
        )
    assert result.updated == 0
    with session_scope(engine) as session:
        row = session.scalars(select(Post)).one()
        assert (row.text, row.favourites_count, row.copy_rank) == ("copy 1 from home", 40, CopyRank.HOME)
