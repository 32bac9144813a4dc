"""Digest periods: "the past week" in the configured time zone. Pure."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def last_week(now: datetime, timezone: str, week_starts: str = "monday") -> tuple[datetime, datetime]:
    """The last complete week before ``now``, as UTC instants ``[start, end)``.

    Weeks start at midnight on ``week_starts`` in ``timezone``.

    >>> start, end = last_week(datetime(2026, 11, 25, 9, tzinfo=UTC), "Europe/London")
    >>> start.isoformat(), end.isoformat()
    ('2026-11-16T00:00:00+00:00', '2026-11-23T00:00:00+00:00')
    """
    zone = ZoneInfo(timezone)
    local_today = now.astimezone(zone).date()
    days_since_start = (local_today.weekday() - WEEKDAYS.index(week_starts)) % 7
    end_day = local_today - timedelta(days=days_since_start)
    return days_from(end_day - timedelta(days=7), 7, timezone)


def this_week(now: datetime, timezone: str, week_starts: str = "monday") -> tuple[datetime, datetime]:
    """The week ``now`` is in, as UTC instants ``[start, end)``: the week after :func:`last_week`.

    >>> start, end = this_week(datetime(2026, 11, 25, 9, tzinfo=UTC), "Europe/London")
    >>> start.isoformat(), end.isoformat()
    ('2026-11-23T00:00:00+00:00', '2026-11-30T00:00:00+00:00')
    """
    zone = ZoneInfo(timezone)
    start, _ = last_week(now, timezone, week_starts)
    first = start.astimezone(zone).date() + timedelta(days=7)
    return days_from(first, 7, timezone)


def days_from(first: date, days: int, timezone: str) -> tuple[datetime, datetime]:
    """``days`` whole local days from ``first``, as UTC instants ``[start, end)``."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(first, time(), tzinfo=zone)
    end = datetime.combine(first + timedelta(days=days), time(), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)
