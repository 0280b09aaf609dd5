"""SLA ladder: business-minute arithmetic across nights, weekends and DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import TypeAdapter, ValidationError

from leads.sla import BusinessHours, SlaPolicy, add_business_minutes, sla_due_times

TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO_HOURS = BusinessHours(timezone="Asia/Tokyo")
NY_HOURS = BusinessHours(timezone="America/New_York")
NY_NIGHTS = BusinessHours(timezone="America/New_York", weekdays=(5, 6), start="00:00", end="24:00")
SIX_DAYS = BusinessHours(
    timezone="Asia/Tokyo", weekdays=(0, 1, 2, 3, 4, 5), start="10:00", end="12:00"
)
ALWAYS = BusinessHours(timezone="Asia/Tokyo", always_open=True)


def tokyo(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    """A Tokyo wall time in 2025; March 2025 starts on a Saturday (Friday = 7, 14, ...)."""
    return datetime(2025, month, day, hour, minute, tzinfo=TOKYO)


def new_york(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=NEW_YORK)


@pytest.mark.parametrize(
    ("start", "minutes", "hours", "expected"),
    [
        # Within hours.
        (tokyo(10, 10), 15, TOKYO_HOURS, tokyo(10, 10, 15)),
        (tokyo(10, 9), 0, TOKYO_HOURS, tokyo(10, 9)),
        (tokyo(10, 17, 45), 15, TOKYO_HOURS, tokyo(11, 9)),
        (tokyo(10, 17, 45), 14, TOKYO_HOURS, tokyo(10, 17, 59)),
        (tokyo(10, 9), 540, TOKYO_HOURS, tokyo(11, 9)),
        (tokyo(10, 9), 539.5, TOKYO_HOURS, tokyo(10, 17, 59) + timedelta(seconds=30)),
        # Across the night and the weekend.
        (tokyo(14, 17, 50), 15, TOKYO_HOURS, tokyo(17, 9, 5)),
        (tokyo(15, 3), 15, TOKYO_HOURS, tokyo(17, 9, 15)),
        (tokyo(16, 23, 59), 60, TOKYO_HOURS, tokyo(17, 10)),
        (tokyo(10, 18), 15, TOKYO_HOURS, tokyo(11, 9, 15)),
        (tokyo(11, 7), 15, TOKYO_HOURS, tokyo(11, 9, 15)),
        (tokyo(11, 0, 30), 30, TOKYO_HOURS, tokyo(11, 9, 30)),
        # Zero minutes at a closed time waits for the next opening.
        (tokyo(10, 18), 0, TOKYO_HOURS, tokyo(11, 9)),
        (tokyo(15, 12), 0, TOKYO_HOURS, tokyo(17, 9)),
        (tokyo(14, 23, 59), 0, TOKYO_HOURS, tokyo(17, 9)),
        # Spanning several days and weeks.
        (tokyo(10, 9), 3 * 540 + 30, TOKYO_HOURS, tokyo(13, 9, 30)),
        (tokyo(14, 17), 5 * 540, TOKYO_HOURS, tokyo(21, 17)),
        (tokyo(14, 17), 10 * 540 + 60, TOKYO_HOURS, tokyo(31, 9)),
        (tokyo(28, 16), 4 * 540, TOKYO_HOURS, tokyo(3, 16, month=4)),
        # A six-day week with short days.
        (tokyo(14, 11), 120, SIX_DAYS, tokyo(15, 11)),
        (tokyo(15, 11, 30), 60, SIX_DAYS, tokyo(17, 10, 30)),
        (tokyo(16, 11), 0, SIX_DAYS, tokyo(17, 10)),
        # Start given in another zone.
        (datetime(2025, 3, 14, 8, 50, tzinfo=UTC), 15, TOKYO_HOURS, tokyo(17, 9, 5)),
        # New York, spring forward (Sunday 9 March 2025) and fall back (Sunday 2 November).
        (new_york(3, 7, 17, 50), 15, NY_HOURS, new_york(3, 10, 9, 5)),
        (new_york(10, 31, 17, 50), 15, NY_HOURS, new_york(11, 3, 9, 5)),
        (new_york(3, 9, 0, 0), 22 * 60, NY_NIGHTS, new_york(3, 9, 23, 0)),
        (new_york(3, 9, 0, 0), 23 * 60, NY_NIGHTS, new_york(3, 15, 0, 0)),
        (new_york(11, 2, 0, 0), 24 * 60, NY_NIGHTS, new_york(11, 2, 23, 0)),
        (new_york(3, 8, 0, 0), 24 * 60, NY_NIGHTS, new_york(3, 9, 0, 0)),
        (new_york(3, 9, 1, 30), 60, NY_NIGHTS, new_york(3, 9, 3, 30)),
        (new_york(3, 8, 23), 180, NY_NIGHTS, new_york(3, 9, 3)),
        # Always open is plain addition.
        (tokyo(15, 3), 15, ALWAYS, tokyo(15, 3, 15)),
        (tokyo(14, 23, 50), 7 * 24 * 60, ALWAYS, tokyo(21, 23, 50)),
        (tokyo(14, 23, 50), 0, ALWAYS, tokyo(14, 23, 50)),
    ],
)
def test_add_business_minutes(
    start: datetime, minutes: float, hours: BusinessHours, expected: datetime
) -> None:
    result = add_business_minutes(start, minutes, hours)
    assert result == expected
    assert result.tzinfo is UTC


def test_new_york_winter_and_summer_openings_differ_in_utc() -> None:
    before = add_business_minutes(new_york(3, 7, 18), 0, NY_HOURS)
    after = add_business_minutes(new_york(3, 10, 8), 0, NY_HOURS)
    assert before == datetime(2025, 3, 10, 13, 0, tzinfo=UTC)
    assert after == before


def test_naive_start_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        add_business_minutes(datetime(2025, 3, 10, 9), 15, TOKYO_HOURS)


@pytest.mark.parametrize("minutes", [-1, float("nan"), float("inf"), 1e300])
def test_unplaceable_minutes_are_rejected(minutes: float) -> None:
    with pytest.raises(ValueError, match="minutes"):
        add_business_minutes(tokyo(10, 9), minutes, TOKYO_HOURS)


def test_always_open_overflow_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="out of range"):
        add_business_minutes(tokyo(10, 9), 1e300, ALWAYS)


def test_one_minute_a_week_still_terminates() -> None:
    hours = BusinessHours(weekdays=(2,), start="09:00", end="09:01")
    assert add_business_minutes(tokyo(10, 9), 2.5, hours) == datetime(
        2025, 3, 26, 9, 0, 30, tzinfo=UTC
    )
    with pytest.raises(ValueError, match="days away"):
        add_business_minutes(tokyo(10, 9), 10_000, hours)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"timezone": ""}, "unknown time zone"),
        ({"timezone": "../etc/passwd"}, "unknown time zone"),
        ({"start": "9am"}, "HH:MM"),
        ({"end": "25:00"}, "not a time of day"),
        ({"start": "09:60"}, "not a time of day"),
        ({"start": "24:00", "end": "24:00"}, "not a time of day"),
        ({"start": "18:00", "end": "09:00"}, "before end"),
        ({"start": "09:00", "end": "09:00"}, "before end"),
        ({"weekdays": (0, 7)}, "weekdays"),
        ({"weekdays": (-1,)}, "weekdays"),
        ({"weekdays": ()}, "must not be empty"),
    ],
)
def test_business_hours_validation(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BusinessHours(**fields)  # type: ignore[arg-type]


def test_business_hours_accept_24_00_end_and_empty_weekdays_when_always_open() -> None:
    assert BusinessHours(start="00:00", end="24:00").end_minute == 24 * 60
    assert BusinessHours(weekdays=(), always_open=True).always_open


@pytest.mark.parametrize("target", ["U012AB3CD", "W0123ABC", "C0123ABC", "G0123ABC", ""])
def test_sla_policy_accepts_slack_ids(target: str) -> None:
    assert SlaPolicy(escalate_to=target).escalate_to == target


@pytest.mark.parametrize("target", ["#sales", "@boss", "u012ab3cd", "X0123ABC", "U"])
def test_sla_policy_rejects_other_targets(target: str) -> None:
    with pytest.raises(ValueError, match="escalate_to"):
        SlaPolicy(escalate_to=target)


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (
            SlaPolicy(escalate_to="U123ABC", business_hours=TOKYO_HOURS),
            [("reannounce", tokyo(17, 9, 5)), ("escalate", tokyo(17, 9, 50))],
        ),
        (SlaPolicy(business_hours=TOKYO_HOURS), [("reannounce", tokyo(17, 9, 5))]),
        (
            SlaPolicy(escalate_to="C123ABC", escalate_after_minutes=0, business_hours=TOKYO_HOURS),
            [("reannounce", tokyo(17, 9, 5))],
        ),
        (
            SlaPolicy(reannounce_after_minutes=0, escalate_to="U123ABC", business_hours=ALWAYS),
            [("escalate", tokyo(14, 18, 50))],
        ),
        (SlaPolicy(reannounce_after_minutes=-5, escalate_after_minutes=-5, escalate_to="U1AB"), []),
    ],
)
def test_sla_due_times(policy: SlaPolicy, expected: list[tuple[str, datetime]]) -> None:
    assert sla_due_times(tokyo(14, 17, 50), policy) == expected


def test_policy_loads_from_plain_data() -> None:
    policy = TypeAdapter(SlaPolicy).validate_python(
        {
            "escalate_to": "U123ABC",
            "business_hours": {"timezone": "Asia/Tokyo", "weekdays": [0, 1, 2, 3], "end": "17:30"},
        }
    )
    assert policy.business_hours == BusinessHours("Asia/Tokyo", (0, 1, 2, 3), "09:00", "17:30")
    assert policy.reannounce_after_minutes == 15
    with pytest.raises(ValidationError, match="unknown time zone"):
        TypeAdapter(SlaPolicy).validate_python({"business_hours": {"timezone": "Nowhere"}})
