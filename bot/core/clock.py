"""The one clock: what time it is, and how a stored moment reads in the force's time zone.

Stored times are naive UTC (both databases keep them without a zone, and compare them as
stored); a zone is applied only where a person reads a time or a "day" begins. Functions that
act "now" take the time as a parameter (`when=None` meaning this moment), so tests and imports
can say when.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def now() -> datetime:
    """This moment as naive UTC, the form every stored time has."""
    return datetime.now(UTC).replace(tzinfo=None)


def today(tz: ZoneInfo | str = "UTC") -> date:
    """The current date in `tz` (UTC unless given: a review date is a day, not a moment)."""
    return local_date(now(), tz)


def _zone(tz: ZoneInfo | str) -> ZoneInfo:
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)


def local(moment: datetime, tz: ZoneInfo | str) -> datetime:
    """A stored naive-UTC moment as an aware time in `tz`."""
    return moment.replace(tzinfo=UTC).astimezone(_zone(tz))


def local_date(moment: datetime, tz: ZoneInfo | str) -> date:
    """The local calendar day a stored moment falls on."""
    return local(moment, tz).date()


def day_start(day: date, tz: ZoneInfo | str) -> datetime:
    """Naive UTC of the local midnight that begins `day` (23 or 25 hours apart at a change)."""
    return datetime.combine(day, time(), _zone(tz)).astimezone(UTC).replace(tzinfo=None)


def local_day_start(moment: datetime, tz: ZoneInfo | str) -> datetime:
    """Naive UTC of the local midnight that began a stored moment's day."""
    return day_start(local_date(moment, tz), tz)


def day_bounds(
    start: date | None, end: date | None, tz: ZoneInfo | str
) -> tuple[datetime | None, datetime | None]:
    """Local days `start`..`end` (inclusive) as naive-UTC [from, to) bounds; None is open."""
    return (
        day_start(start, tz) if start else None,
        day_start(end + timedelta(days=1), tz) if end and end < date.max else None,  # 9999-12-31
    )
