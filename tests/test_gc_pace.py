"""An import collects garbage less often while it runs, and puts the collector back as it was."""

from __future__ import annotations

import gc

import pytest

from bot.jobs.gc_pace import BULK_THRESHOLDS, bulk_work


def test_bulk_work_paces_the_collector_and_restores_it_even_on_error() -> None:
    before = gc.get_threshold()
    with bulk_work():
        assert gc.get_threshold() == BULK_THRESHOLDS
    assert gc.get_threshold() == before

    with pytest.raises(KeyboardInterrupt), bulk_work():
        raise KeyboardInterrupt
    assert gc.get_threshold() == before
