"""Digest periods in the configured time zone, and the lifecycle's allowed transitions."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from digests.lifecycle import TransitionError, check_editable, next_status
from digests.model import period_label
from digests.period import days_from, last_week


def test_last_week_is_the_last_complete_week_in_the_time_zone() -> None:
    # Monday 23 November 2026, 00:30 in Auckland (UTC+13) is still Sunday 22nd in UTC.
    now = datetime(2026, 11, 22, 11, 30, tzinfo=UTC)
    start, end = last_week(now, "Pacific/Auckland")
    assert start == datetime(2026, 11, 15, 11, tzinfo=UTC)  # Monday 16 November 00:00 NZDT
    assert end == datetime(2026, 11, 22, 11, tzinfo=UTC)  # Monday 23 November 00:00 NZDT
    assert last_week(now, "UTC") == (datetime(2026, 11, 9, tzinfo=UTC), datetime(2026, 11, 16, tzinfo=UTC))


def test_weeks_may_start_on_sunday() -> None:
    start, end = last_week(datetime(2026, 11, 25, 12, tzinfo=UTC), "UTC", "sunday")
    assert (start.date(), end.date()) == (date(2026, 11, 15), date(2026, 11, 22))


def test_a_week_across_a_daylight_saving_change_is_whole_local_days() -> None:
    start, end = days_from(date(2026, 10, 19), 7, "Europe/London")  # clocks go back on 25 October
    assert start == datetime(2026, 10, 18, 23, tzinfo=UTC)
    assert end == datetime(2026, 10, 26, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "end", "label"),
    [
        (datetime(2026, 11, 16), datetime(2026, 11, 23), "16–22 November 2026"),
        (datetime(2026, 10, 26), datetime(2026, 11, 2), "26 October – 1 November 2026"),
        (datetime(2025, 12, 29), datetime(2026, 1, 5), "29 December 2025 – 4 January 2026"),
        (datetime(2026, 11, 16), datetime(2026, 11, 17), "16 November 2026"),
    ],
)
def test_period_labels(start: datetime, end: datetime, label: str) -> None:
    assert period_label(start, end) == label


def test_the_lifecycle() -> None:
    assert next_status("draft", "approve") == "approved"
    assert next_status("approved", "publish") == "published"
    assert next_status("draft", "reject") == "rejected"
    assert next_status("approved", "reject") == "rejected"
    assert next_status("approved", "supersede") == "superseded"
    with pytest.raises(TransitionError, match="only approved digests publish"):
        next_status("draft", "publish")
    with pytest.raises(TransitionError):
        next_status("published", "approve")
    with pytest.raises(TransitionError, match="only drafts can be edited"):
        check_editable("approved")
    check_editable("draft")
