"""Re-drafting on SQLite and PostgreSQL: the selection's items are replaced in batched statements,
and every item a curator touched stays exactly as they left it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, select

from bot.jobs.digest import DigestService, Edit
from bot.jobs.store import PostStore
from storage.db import session_scope
from storage.models import DigestItemRow
from tests.conftest import FakeClock
from tests.desk_site import SETTINGS, fill_site


def items_of(engine: Engine, digest_id: int) -> dict[int, tuple[str, int, bool, bool, str]]:
    with session_scope(engine) as session:
        rows = session.scalars(select(DigestItemRow).where(DigestItemRow.digest_id == digest_id))
        return {row.post_id: (row.section, row.position, row.curated, row.removed, row.blurb) for row in rows}


def test_a_redraft_keeps_curated_items_and_never_brings_back_a_removed_one(
    engine: Engine, clock: FakeClock
) -> None:
    now = clock()
    fill_site(engine, now)
    service = DigestService(engine, SETTINGS, PostStore(), lambda: now, actor="kim")
    period = (now - timedelta(days=6), now + timedelta(hours=1))
    first = service.draft(period)
    before = items_of(engine, first.digest_id)
    assert first.items == len(before) >= 3
    removed, blurbed = sorted(before)[:2]

    service.edit(
        first.digest_id,
        [Edit("remove", post_id=removed), Edit("blurb", post_id=blurbed, text="Watch this first")],
    )
    again = service.draft(period)
    after = items_of(engine, again.digest_id)

    assert again.redrafted
    assert again.digest_id == first.digest_id
    assert after[removed][2:4] == (True, True)  # still there, still removed
    assert after[blurbed] == (before[blurbed][0], before[blurbed][1], True, False, "Watch this first")
    # The others were chosen afresh: the same posts (nothing changed), none curated, and positions
    # in each section unique.
    assert set(after) == set(before)
    assert again.items == len(before) - 1
    assert not any(
        curated for post, (_s, _p, curated, _r, _b) in after.items() if post not in (removed, blurbed)
    )
    live = [(section, position) for section, position, _c, gone, _b in after.values() if not gone]
    assert len(live) == len(set(live))
    assert [item.post_id for item in service.view(again.digest_id).items].count(removed) == 0
