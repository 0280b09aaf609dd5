"""The SLA ladder for hot leads (re-announce, then escalate), counted in business time."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from leads.checks import require_user_or_channel_id

MINUTES_PER_DAY = 24 * 60
SEARCH_HORIZON_DAYS = 5 * 366
HHMM = re.compile(r"(\d{1,2}):(\d{2})")


def _minute_of_day(text: str, field_name: str, *, allow_midnight_end: bool) -> int:
    """Minutes since midnight of an "HH:MM" string; "24:00" only where allowed."""
    found = HHMM.fullmatch(text.strip())
    if found is None:
        raise ValueError(f"business hours {field_name} must look like HH:MM, got {text!r}")
    hour, minute = int(found[1]), int(found[2])
    total = hour * 60 + minute
    if (
        minute > 59
        or total > MINUTES_PER_DAY
        or (total == MINUTES_PER_DAY and not allow_midnight_end)
    ):
        raise ValueError(f"business hours {field_name} is not a time of day: {text!r}")
    return total


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {name!r}") from error


@dataclass(frozen=True)
class BusinessHours:
    """When the sales team is at work: local `start`-`end` on `weekdays` (Monday = 0)."""

    timezone: str = "UTC"
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    start: str = "09:00"
    end: str = "18:00"
    always_open: bool = False

    def __post_init__(self) -> None:
        _zone(self.timezone)
        bad_days = [day for day in self.weekdays if not 0 <= day <= 6]
        if bad_days:
            raise ValueError(f"weekdays must be 0 (Monday) to 6 (Sunday), got {bad_days}")
        if not self.weekdays and not self.always_open:
            raise ValueError("weekdays must not be empty unless always_open is set")
        if self.start_minute >= self.end_minute:
            raise ValueError(f"business hours start {self.start} must be before end {self.end}")

    @property
    def zone(self) -> ZoneInfo:
        """The time zone the hours are given in."""
        return _zone(self.timezone)

    @property
    def start_minute(self) -> int:
        """Opening time as minutes since local midnight."""
        return _minute_of_day(self.start, "start", allow_midnight_end=False)

    @property
    def end_minute(self) -> int:
        """Closing time as minutes since local midnight (1440 for "24:00")."""
        return _minute_of_day(self.end, "end", allow_midnight_end=True)


@dataclass(frozen=True)
class SlaPolicy:
    """How long a hot lead may sit unclaimed before re-announcing and escalating."""

    reannounce_after_minutes: int = 15
    escalate_after_minutes: int = 60
    escalate_to: str = ""
    business_hours: BusinessHours = BusinessHours()

    def __post_init__(self) -> None:
        require_user_or_channel_id("escalate_to", self.escalate_to)


def _open_interval(day: date, hours: BusinessHours) -> tuple[datetime, datetime] | None:
    """The UTC instants `day` opens and closes, from its local wall-clock hours."""
    if day.weekday() not in hours.weekdays:
        return None
    midnight = datetime.combine(day, time(), tzinfo=hours.zone)
    opens = (midnight + timedelta(minutes=hours.start_minute)).astimezone(UTC)
    closes = (midnight + timedelta(minutes=hours.end_minute)).astimezone(UTC)
    return (opens, closes) if opens < closes else None


def _open_intervals(after: datetime, hours: BusinessHours) -> Iterator[tuple[datetime, datetime]]:
    """Opening intervals from the local day before `after`, up to the search horizon."""
    first_day = after.astimezone(hours.zone).date() - timedelta(days=1)
    for offset in range(SEARCH_HORIZON_DAYS):
        interval = _open_interval(first_day + timedelta(days=offset), hours)
        if interval is not None:
            yield interval


def add_business_minutes(start: datetime, minutes: float, hours: BusinessHours) -> datetime:
    """`start` plus `minutes` of open time, as an aware UTC datetime at an open instant."""
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("start must be a timezone-aware datetime")
    if not (math.isfinite(minutes) and minutes >= 0):
        raise ValueError(f"minutes must be a finite number >= 0, got {minutes}")
    cursor = start.astimezone(UTC)
    remaining = minutes * 60.0
    if hours.always_open:
        try:
            return cursor + timedelta(seconds=remaining)
        except OverflowError as error:
            raise ValueError(f"{minutes} minutes after {start} is out of range") from error
    for opens, closes in _open_intervals(cursor, hours):
        if closes <= cursor:
            continue
        begin = max(opens, cursor)
        available = (closes - begin).total_seconds()
        # Strict, so time used up exactly at closing lands on the next opening.
        if remaining < available:
            return begin + timedelta(seconds=remaining)
        remaining -= available
    raise ValueError(
        f"{minutes} business minutes after {start} is more than {SEARCH_HORIZON_DAYS} days away"
    )


def sla_due_times(hot_at: datetime, policy: SlaPolicy) -> list[tuple[str, datetime]]:
    """The SLA steps a lead that turned hot at `hot_at` is due for, with their due times."""
    hours = policy.business_hours
    steps: list[tuple[str, datetime]] = []
    if policy.reannounce_after_minutes > 0:
        due = add_business_minutes(hot_at, policy.reannounce_after_minutes, hours)
        steps.append(("reannounce", due))
    if policy.escalate_to and policy.escalate_after_minutes > 0:
        due = add_business_minutes(hot_at, policy.escalate_after_minutes, hours)
        steps.append(("escalate", due))
    return steps
