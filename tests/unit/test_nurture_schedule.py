"""Nurture schedule maths: due times, and reminders moved into the doer's working hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from leads.checks import FieldError
from leads.nurture import (
    WEEKDAYS,
    Action,
    Plan,
    PlanStep,
    WorkingHours,
    deliverable_at,
    doer_zone,
    first_due,
    is_working_time,
    next_due,
    parse_delay,
    snoozed_until,
)

TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")
SANTIAGO = ZoneInfo("America/Santiago")
OFFICE = WorkingHours()
TO_MIDNIGHT = WorkingHours(start="09:00", end="24:00")
SIX_DAYS = WorkingHours(days=("mon", "tue", "wed", "thu", "fri", "sat"))
NY_SUNDAY_GAP = WorkingHours(start="02:30", end="05:00", days=("sun",))
NY_SUNDAY_OVERLAP = WorkingHours(start="01:30", end="03:00", days=("sun",))
NY_SUNDAY_NIGHT = WorkingHours(start="00:00", end="01:30", days=("sun",))
SANTIAGO_SUNDAY = WorkingHours(start="00:00", end="06:00", days=("sun",))
SPRING_EQUINOX_2025 = date(2025, 3, 20)  # 春分の日, a Thursday
COMING_OF_AGE_2026 = date(2026, 1, 12)  # 成人の日, a Monday
GOLDEN_WEEK_2026 = (date(2026, 5, 4), date(2026, 5, 5), date(2026, 5, 6))


def tokyo(day: int, hour: int, minute: int = 0, *, month: int = 3, year: int = 2025) -> datetime:
    """A Tokyo wall time; March 2025 starts on a Saturday (Mondays: 3, 10, 17, 24, 31)."""
    return datetime(year, month, day, hour, minute, tzinfo=TOKYO)


def new_york(month: int, day: int, hour: int, minute: int = 0, *, fold: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=NEW_YORK, fold=fold)


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("due", "zone", "hours", "holidays", "expected"),
    [
        # Tokyo, inside and outside the day.
        pytest.param(tokyo(10, 10), "Asia/Tokyo", OFFICE, (), tokyo(10, 10), id="inside"),
        pytest.param(tokyo(11, 2), "Asia/Tokyo", OFFICE, (), tokyo(11, 9), id="02:00-to-09:00"),
        pytest.param(tokyo(10, 9), "Asia/Tokyo", OFFICE, (), tokyo(10, 9), id="at-opening"),
        pytest.param(tokyo(10, 8, 59), "Asia/Tokyo", OFFICE, (), tokyo(10, 9), id="before-open"),
        pytest.param(tokyo(10, 17, 59), "Asia/Tokyo", OFFICE, (), tokyo(10, 17, 59), id="last"),
        pytest.param(tokyo(10, 18), "Asia/Tokyo", OFFICE, (), tokyo(11, 9), id="at-closing"),
        pytest.param(tokyo(10, 23, 30), "Asia/Tokyo", OFFICE, (), tokyo(11, 9), id="late-night"),
        # Weekends.
        pytest.param(tokyo(14, 19), "Asia/Tokyo", OFFICE, (), tokyo(17, 9), id="fri-19:00"),
        pytest.param(tokyo(14, 18), "Asia/Tokyo", OFFICE, (), tokyo(17, 9), id="fri-closing"),
        pytest.param(tokyo(15, 12), "Asia/Tokyo", OFFICE, (), tokyo(17, 9), id="saturday"),
        pytest.param(tokyo(16, 23, 59), "Asia/Tokyo", OFFICE, (), tokyo(17, 9), id="sunday"),
        pytest.param(tokyo(15, 12), "Asia/Tokyo", SIX_DAYS, (), tokyo(15, 12), id="six-days"),
        pytest.param(tokyo(15, 7), "Asia/Tokyo", SIX_DAYS, (), tokyo(15, 9), id="six-days-am"),
        # Holidays.
        pytest.param(
            tokyo(20, 10), "Asia/Tokyo", OFFICE, (SPRING_EQUINOX_2025,), tokyo(21, 9), id="equinox"
        ),
        pytest.param(
            tokyo(19, 18), "Asia/Tokyo", OFFICE, (SPRING_EQUINOX_2025,), tokyo(21, 9), id="eve"
        ),
        pytest.param(
            tokyo(10, 19, month=1, year=2026),
            "Asia/Tokyo",
            OFFICE,
            (COMING_OF_AGE_2026,),
            tokyo(13, 9, month=1, year=2026),
            id="holiday-monday",
        ),
        pytest.param(
            tokyo(1, 18, month=5, year=2026),
            "Asia/Tokyo",
            OFFICE,
            GOLDEN_WEEK_2026,
            tokyo(7, 9, month=5, year=2026),
            id="golden-week",
        ),
        pytest.param(
            tokyo(20, 10), "Asia/Tokyo", OFFICE, (date(2025, 3, 21),), tokyo(20, 10), id="other"
        ),
        # The due time in another zone than the doer's.
        pytest.param(utc(3, 10, 17), "Asia/Tokyo", OFFICE, (), tokyo(11, 9), id="utc-due"),
        pytest.param(utc(3, 10, 8), "UTC", OFFICE, (), utc(3, 10, 9), id="utc-doer"),
        pytest.param(utc(3, 10, 18), "UTC", OFFICE, (), utc(3, 11, 9), id="utc-closing"),
        pytest.param(tokyo(11, 17), "UTC", OFFICE, (), utc(3, 11, 9), id="tokyo-due-utc"),
        # New York across DST: clocks spring forward on Sunday 9 March 2025 and fall back on
        # Sunday 2 November 2025.
        pytest.param(
            new_york(3, 7, 19), "America/New_York", OFFICE, (), utc(3, 10, 13), id="ny-spring"
        ),
        pytest.param(
            new_york(10, 31, 18), "America/New_York", OFFICE, (), utc(11, 3, 14), id="ny-fall"
        ),
        pytest.param(
            new_york(3, 9, 0), "America/New_York", NY_SUNDAY_GAP, (), utc(3, 9, 7), id="ny-gap"
        ),
        pytest.param(
            new_york(11, 2, 0),
            "America/New_York",
            NY_SUNDAY_OVERLAP,
            (),
            utc(11, 2, 5, 30),
            id="ny-overlap-first-pass",
        ),
        pytest.param(
            new_york(11, 2, 1, 15, fold=1),
            "America/New_York",
            NY_SUNDAY_NIGHT,
            (),
            new_york(11, 9, 0),
            id="ny-overlap-second-pass-is-after-closing",
        ),
        pytest.param(
            new_york(11, 2, 1, 15, fold=0),
            "America/New_York",
            NY_SUNDAY_NIGHT,
            (),
            utc(11, 2, 5, 15),  # an ambiguous wall time never equals one in another zone
            id="ny-overlap-first-pass-is-open",
        ),
        # Santiago skips its midnight when DST starts (Sunday 7 September 2025).
        pytest.param(
            datetime(2025, 9, 6, 22, tzinfo=SANTIAGO),
            "America/Santiago",
            SANTIAGO_SUNDAY,
            (),
            utc(9, 7, 4),
            id="santiago-missing-midnight",
        ),
        # Kolkata is UTC+05:30.
        pytest.param(utc(3, 10, 3), "Asia/Kolkata", OFFICE, (), utc(3, 10, 3, 30), id="kolkata"),
        pytest.param(
            utc(3, 10, 12, 30), "Asia/Kolkata", OFFICE, (), utc(3, 11, 3, 30), id="kolkata-close"
        ),
        pytest.param(
            utc(3, 10, 12, 29), "Asia/Kolkata", OFFICE, (), utc(3, 10, 12, 29), id="kolkata-last"
        ),
        # Hours to midnight.
        pytest.param(
            tokyo(10, 23, 59), "Asia/Tokyo", TO_MIDNIGHT, (), tokyo(10, 23, 59), id="to-24:00"
        ),
        pytest.param(tokyo(11, 0), "Asia/Tokyo", TO_MIDNIGHT, (), tokyo(11, 9), id="midnight"),
        # A time zone Slack does not give, or one Python does not know.
        pytest.param(tokyo(11, 2), "", OFFICE, (), tokyo(11, 9), id="no-zone-fallback"),
        pytest.param(tokyo(11, 2), "Mars/Olympus", OFFICE, (), tokyo(11, 9), id="unknown-zone"),
    ],
)
def test_deliverable_at(
    due: datetime,
    zone: str,
    hours: WorkingHours,
    holidays: tuple[date, ...],
    expected: datetime,
) -> None:
    result = deliverable_at(due, zone, hours, holidays, fallback_timezone="Asia/Tokyo")
    assert result == expected
    assert result.tzinfo is UTC


def test_new_york_opens_at_nine_on_both_sides_of_dst() -> None:
    before = deliverable_at(new_york(3, 7, 7), "America/New_York", OFFICE, ())
    after = deliverable_at(new_york(3, 10, 7), "America/New_York", OFFICE, ())
    assert before.astimezone(NEW_YORK).hour == after.astimezone(NEW_YORK).hour == 9
    assert (before.hour, after.hour) == (14, 13)


def test_a_naive_due_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        deliverable_at(datetime(2025, 3, 10, 9), "Asia/Tokyo", OFFICE, ())


def test_the_fallback_zone_falls_back_to_utc_only_when_known() -> None:
    assert doer_zone("", "Asia/Tokyo") == TOKYO
    assert doer_zone("Asia/Kolkata", "Asia/Tokyo") == KOLKATA
    assert doer_zone("../../etc/passwd") == ZoneInfo("UTC")
    with pytest.raises(ValueError, match="fallback"):
        doer_zone("Nowhere", "Nowhere/Either")


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (tokyo(10, 9), True),
        (tokyo(10, 17, 59), True),
        (tokyo(10, 18), False),
        (tokyo(10, 8, 59), False),
        (tokyo(15, 10), False),
        (tokyo(20, 10), False),
    ],
)
def test_is_working_time(moment: datetime, expected: bool) -> None:
    assert is_working_time(moment, "Asia/Tokyo", OFFICE, (SPRING_EQUINOX_2025,)) is expected


def test_a_working_week_without_days_is_refused() -> None:
    with pytest.raises(FieldError, match="at least one working day") as refused:
        WorkingHours(days=())
    assert refused.value.field == "days"


# --- due times ---------------------------------------------------------------------------

TRADE_SHOW = Plan(
    name="trade-show",
    steps=(
        PlanStep(after="1d", action=Action.EMAIL, title="Thank-you email"),
        PlanStep(after="3d", action=Action.CALL, title="Call"),
        PlanStep(after="90m", action=Action.INVITE, title="Seminar invitation"),
    ),
)


def test_the_first_step_counts_from_enrolment() -> None:
    assert first_due(tokyo(10, 15), TRADE_SHOW) == tokyo(11, 15)


@pytest.mark.parametrize(
    ("done_index", "expected"),
    [(0, tokyo(13, 15)), (1, tokyo(10, 16, 30)), (2, None), (7, None)],
)
def test_later_steps_count_from_the_previous_done(
    done_index: int, expected: datetime | None
) -> None:
    assert next_due(tokyo(10, 15), TRADE_SHOW, done_index) == expected


def test_a_negative_step_index_is_refused() -> None:
    with pytest.raises(ValueError, match="step_index"):
        next_due(tokyo(10, 15), TRADE_SHOW, -1)


def test_due_times_are_plain_arithmetic_and_working_hours_come_after() -> None:
    due = first_due(tokyo(14, 17, 30), TRADE_SHOW)
    assert due == tokyo(15, 17, 30)
    assert deliverable_at(due, "Asia/Tokyo", OFFICE, ()) == tokyo(17, 9)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0m", timedelta(0)),
        ("30m", timedelta(minutes=30)),
        ("4h", timedelta(hours=4)),
        ("2d", timedelta(days=2)),
        (" 14D ", timedelta(days=14)),
        ("366d", timedelta(days=366)),
    ],
)
def test_parse_delay(text: str, expected: timedelta) -> None:
    assert parse_delay(text) == expected


@pytest.mark.parametrize("text", ["3x", "", "d", "1.5d", "-1d", "1w", "2 days", "367d", "1d2h"])
def test_parse_delay_refuses(text: str) -> None:
    with pytest.raises(ValueError, match=r"30m, 4h or 2d|at most 366d"):
        parse_delay(text)


# --- snooze ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "choice", "zone", "holidays", "expected"),
    [
        pytest.param(tokyo(10, 10), "1d", "Asia/Tokyo", (), tokyo(11, 10), id="next-day"),
        pytest.param(tokyo(14, 10), "1d", "Asia/Tokyo", (), tokyo(17, 9), id="fri-to-mon"),
        pytest.param(tokyo(12, 10), "7d", "Asia/Tokyo", (), tokyo(19, 10), id="a-week"),
        pytest.param(
            tokyo(19, 10), "1d", "Asia/Tokyo", (SPRING_EQUINOX_2025,), tokyo(21, 9), id="holiday"
        ),
        pytest.param(tokyo(10, 17, 30), "2h", "Asia/Tokyo", (), tokyo(11, 9), id="hours"),
        pytest.param(tokyo(10, 10), "30m", "Asia/Tokyo", (), tokyo(10, 10, 30), id="minutes"),
        pytest.param(
            new_york(3, 5, 10), "7d", "America/New_York", (), new_york(3, 12, 10), id="ny-dst"
        ),
        pytest.param(tokyo(10, 10), "1d", "Mars/Olympus", (), tokyo(11, 10), id="fallback"),
    ],
)
def test_snoozed_until(
    now: datetime, choice: str, zone: str, holidays: tuple[date, ...], expected: datetime
) -> None:
    result = snoozed_until(now, choice, zone, OFFICE, holidays, fallback_timezone="Asia/Tokyo")
    assert result == expected


def test_a_snooze_of_a_week_across_dst_keeps_the_wall_clock_not_the_hours() -> None:
    result = snoozed_until(new_york(3, 5, 10), "7d", "America/New_York", OFFICE, ())
    assert result - new_york(3, 5, 10) == timedelta(days=7, hours=-1)


def test_snooze_refuses_a_naive_now_and_a_bad_choice() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        snoozed_until(datetime(2025, 3, 10, 10), "1d", "Asia/Tokyo", OFFICE, ())
    with pytest.raises(ValueError, match="30m, 4h or 2d"):
        snoozed_until(tokyo(10, 10), "tomorrow", "Asia/Tokyo", OFFICE, ())


# --- properties --------------------------------------------------------------------------

ZONES = (
    "Asia/Tokyo",
    "UTC",
    "America/New_York",
    "Asia/Kolkata",
    "Europe/London",
    "Australia/Sydney",
    "America/Santiago",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
)


@st.composite
def working_hours(draw: st.DrawFn, *, earliest: int = 0, latest: int = 24 * 60) -> WorkingHours:
    start = draw(st.integers(earliest, latest - 1))
    end = draw(st.integers(start + 1, latest))
    days = draw(st.sets(st.sampled_from(WEEKDAYS), min_size=1))
    return WorkingHours(
        start=f"{start // 60:02d}:{start % 60:02d}",
        end=f"{end // 60:02d}:{end % 60:02d}",
        days=tuple(sorted(days, key=WEEKDAYS.index)),
    )


dues = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)


holiday_offsets = st.lists(st.integers(-2, 40), max_size=12)


def days_after(due: datetime, offsets: list[int]) -> list[date]:
    return [due.date() + timedelta(days=offset) for offset in offsets]


@settings(max_examples=200, deadline=None)
@given(due=dues, zone=st.sampled_from(ZONES), hours=working_hours(), offsets=holiday_offsets)
@example(
    due=datetime(2025, 3, 9, 5, tzinfo=UTC),
    zone="America/New_York",
    hours=NY_SUNDAY_GAP,
    offsets=[],
)
@example(
    due=datetime(2025, 11, 2, 5, tzinfo=UTC),
    zone="America/New_York",
    hours=NY_SUNDAY_OVERLAP,
    offsets=[],
)
@example(
    due=datetime(2025, 9, 7, 2, tzinfo=UTC),
    zone="America/Santiago",
    hours=SANTIAGO_SUNDAY,
    offsets=[7],
)
def test_a_reminder_arrives_at_the_first_working_moment(
    due: datetime, zone: str, hours: WorkingHours, offsets: list[int]
) -> None:
    holidays = days_after(due, offsets)
    result = deliverable_at(due, zone, hours, holidays)
    assert result >= due
    assert is_working_time(result, zone, hours, holidays)
    assert result == due or not is_working_time(
        result - timedelta(seconds=1), zone, hours, holidays
    )
    probe = due
    while probe < result:
        assert not is_working_time(probe, zone, hours, holidays)
        probe += timedelta(minutes=29)
    assert result - due <= timedelta(days=7 * (len(set(holidays)) + 1) + 1)
    if not holidays:
        assert result - due <= timedelta(days=14)


@settings(max_examples=200, deadline=None)
@given(
    due=dues,
    zone=st.sampled_from(ZONES),
    hours=working_hours(earliest=4 * 60, latest=23 * 60),
    offsets=holiday_offsets,
)
def test_a_reminder_arrives_inside_the_hours_on_the_doers_own_clock(
    due: datetime, zone: str, hours: WorkingHours, offsets: list[int]
) -> None:
    # Away from midnight and from the small hours, where clocks change, the local wall clock
    # alone says whether a moment is working time.
    holidays = days_after(due, offsets)
    local = deliverable_at(due, zone, hours, holidays).astimezone(ZoneInfo(zone))
    minute = local.hour * 60 + local.minute
    assert hours.start_minute <= minute < hours.end_minute
    assert local.weekday() in hours.weekdays
    assert local.date() not in holidays


@settings(max_examples=200, deadline=None)
@given(
    now=dues,
    zone=st.sampled_from(ZONES),
    choice=st.sampled_from(["1d", "7d", "2h", "30m", "3d"]),
    hours=working_hours(),
)
def test_a_snoozed_reminder_comes_back_later_and_at_work(
    now: datetime, zone: str, choice: str, hours: WorkingHours
) -> None:
    result = snoozed_until(now, choice, zone, hours, ())
    # Keeping the wall-clock time across a DST change moves the instant by up to an hour.
    assert result >= now + parse_delay(choice) - timedelta(hours=1)
    assert result > now
    assert is_working_time(result, zone, hours, ())
