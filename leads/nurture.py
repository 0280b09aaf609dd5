"""Nurture plans: which leads get which follow-up steps, and when each step's doer hears of it.

A plan names a segment of leads and a list of steps. The first step falls due a delay after
enrolment, each later one a delay after the step before it was done. A due step reaches its
doer (a colleague, not the lead) at the first moment inside working hours on the doer's own
clock: a step due at 02:00 for a Tokyo doer arrives at 09:00 Tokyo time.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from fnmatch import fnmatchcase
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from leads.checks import USER_OR_CHANNEL_ID, FieldError
from leads.model import Interest, Source


class Action(StrEnum):
    """What a nurture step asks its doer to do."""

    EMAIL = "email"
    CALL = "call"
    MATERIAL = "material"  # send a brochure, a case study, a sample
    INVITE = "invite"  # to a seminar, a webinar, a booth


# Steps that reach the lead in writing: never for a lead who refused contact or opted out.
CONTACT_ACTIONS: Final = frozenset({Action.EMAIL, Action.MATERIAL})

CAPTURER: Final = "capturer"
OWNER: Final = "owner"
WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY: Final = 24 * 60
MAX_DELAY: Final = timedelta(days=366)
MAX_TITLE: Final = 150
MAX_CONTENT: Final = 2000
MAX_POINTS: Final = 1000

_DELAY: Final = re.compile(r"(\d{1,6})\s*([mhd])")
_UNITS: Final = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}
_HHMM: Final = re.compile(r"(\d{1,2}):(\d{2})")
_ACTION_NAMES: Final = ", ".join(action.value for action in Action)


def parse_delay(text: str) -> timedelta:
    """`30m`, `4h` or `2d` as a timedelta; ValueError for anything else or more than 366 days."""
    found = _DELAY.fullmatch(text.strip().lower())
    if found is None:
        raise ValueError(f"must look like 30m, 4h or 2d (minutes, hours or days), got {text!r}")
    delay = int(found[1]) * _UNITS[found[2]]
    if delay > MAX_DELAY:
        raise ValueError(f"must be at most 366d, got {text!r}")
    return delay


def _delay(field: str, text: str) -> timedelta:
    try:
        return parse_delay(text)
    except ValueError as error:
        raise FieldError(field, str(error)) from None


def _minute_of_day(field: str, text: str, *, latest: int) -> int:
    found = _HHMM.fullmatch(text.strip())
    if found is None:
        raise FieldError(field, f"must look like HH:MM, got {text!r}")
    hour, minute = int(found[1]), int(found[2])
    total = hour * 60 + minute
    if minute > 59 or total > latest:
        raise FieldError(field, f"is not a time of day: {text!r}")
    return total


def _action(field: str, value: str) -> Action:
    try:
        return Action(value)
    except ValueError:
        raise FieldError(field, f"must be one of {_ACTION_NAMES}, got {value!r}") from None


@dataclass(frozen=True)
class WorkingHours:
    """When doers are at work, each on their own clock: `start` to `end` on `days`."""

    start: str = "09:00"
    end: str = "18:00"
    days: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")

    def __post_init__(self) -> None:
        start = _minute_of_day("start", self.start, latest=MINUTES_PER_DAY - 1)
        end = _minute_of_day("end", self.end, latest=MINUTES_PER_DAY)
        if end <= start:
            raise FieldError("end", f"must be after start ({self.start}), got {self.end!r}")
        unknown = [day for day in self.days if day.strip().lower() not in WEEKDAYS]
        if unknown:
            raise FieldError("days", f"must be among {', '.join(WEEKDAYS)}, got {unknown[0]!r}")
        if not self.days:
            raise FieldError("days", "must name at least one working day")

    @property
    def start_minute(self) -> int:
        """Opening time as minutes since local midnight."""
        return _minute_of_day("start", self.start, latest=MINUTES_PER_DAY - 1)

    @property
    def end_minute(self) -> int:
        """Closing time as minutes since local midnight (1440 for "24:00")."""
        return _minute_of_day("end", self.end, latest=MINUTES_PER_DAY)

    @property
    def weekdays(self) -> frozenset[int]:
        """The working days as date.weekday() numbers (Monday = 0)."""
        return frozenset(WEEKDAYS.index(day.strip().lower()) for day in self.days)


@dataclass(frozen=True)
class Segment:
    """Which leads a plan is for; an empty criterion matches every lead.

    `event` and `product` are shell globs ("Tokyo Expo*"), `region` matches exactly (all
    ignoring case), `score_at_least` and `score_below` bound the score, and `consent: true`
    takes only leads with recorded consent who have not opted out.
    """

    interest: tuple[Interest, ...] = ()
    source: tuple[Source, ...] = ()
    event: str = ""
    region: str = ""
    product: str = ""
    score_below: int | None = None
    score_at_least: int | None = None
    consent: bool = False

    def __post_init__(self) -> None:
        for interest in self.interest:
            _member("interest", Interest, interest)
        for source in self.source:
            _member("source", Source, source)
        low, high = self.score_at_least, self.score_below
        if low is not None and high is not None and high <= low:
            raise FieldError("score_below", f"must be above score_at_least ({low}), got {high}")


def _member(field: str, kind: type[Interest] | type[Source], value: str) -> None:
    try:
        kind(value)
    except ValueError:
        names = ", ".join(member.value for member in kind)
        raise FieldError(field, f"must be among {names}, got {value!r}") from None


@dataclass(frozen=True)
class PlanStep:
    """One step of a plan: do `action` (`title`, with `content`) `after` a delay.

    `after` counts from enrolment for the first step and from the previous step's Done for
    the others. `doer` is capturer, owner, a user ID (U…/W…) or a channel ID (C…/G…).
    `points` are engagement points the lead earns when the step is done.
    """

    after: str
    action: Action
    title: str
    doer: str = CAPTURER
    content: str = ""
    points: int = 0

    def __post_init__(self) -> None:
        _delay("after", self.after)
        _action("action", self.action)
        if not self.title.strip():
            raise FieldError("title", "must say what to do, e.g. 'Thank-you email'")
        if len(self.title) > MAX_TITLE:
            raise FieldError("title", f"must be at most {MAX_TITLE} characters")
        if len(self.content) > MAX_CONTENT:
            raise FieldError("content", f"must be at most {MAX_CONTENT} characters")
        if self.doer not in (CAPTURER, OWNER) and not USER_OR_CHANNEL_ID.fullmatch(self.doer):
            raise FieldError(
                "doer",
                "must be capturer, owner, a user ID (U…/W…) or a channel ID (C…/G…),"
                f" got {self.doer!r}",
            )
        if not 0 <= self.points <= MAX_POINTS:
            raise FieldError("points", f"must be 0 to {MAX_POINTS}, got {self.points}")

    @property
    def delay(self) -> timedelta:
        """How long after enrolment, or after the previous step, this step falls due."""
        return parse_delay(self.after)


@dataclass(frozen=True)
class Plan:
    """A named nurture plan: the leads it is for, and its steps in order."""

    name: str
    segment: Segment = Segment()
    steps: tuple[PlanStep, ...] = ()

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise FieldError("name", "must not be empty")
        if not self.steps:
            raise FieldError("steps", "must list at least one step")


@dataclass(frozen=True)
class NurtureSettings:
    """Nurture plans and when their reminders may reach people (rules-file key `nurture`).

    `require_consent_for` lists actions that need recorded consent. It is empty by default:
    in Japanese B2B practice a business card handed over at a booth counts as permission to
    follow up by email. `snooze_choices` are the delays the Snooze button offers.
    """

    working_hours: WorkingHours = WorkingHours()
    holidays: tuple[date, ...] = ()
    require_consent_for: tuple[Action, ...] = ()
    snooze_choices: tuple[str, ...] = ("1d", "7d")
    plans: tuple[Plan, ...] = ()

    def __post_init__(self) -> None:
        for holiday in self.holidays:
            if not isinstance(holiday, date) or isinstance(holiday, datetime):
                raise FieldError("holidays", f"must be dates like 2026-01-01, got {holiday!r}")
        for action in self.require_consent_for:
            _action("require_consent_for", action)
        self._check_snooze_choices()
        self._check_plan_names()

    def _check_snooze_choices(self) -> None:
        if not self.snooze_choices:
            raise FieldError("snooze_choices", "must offer at least one delay, e.g. [1d, 7d]")
        delays = [_delay("snooze_choices", choice) for choice in self.snooze_choices]
        if not all(delays):
            raise FieldError("snooze_choices", "must be longer than 0")
        if len(set(delays)) < len(delays):
            raise FieldError("snooze_choices", "must not offer the same delay twice")

    def _check_plan_names(self) -> None:
        seen: dict[str, int] = {}
        for index, plan in enumerate(self.plans):
            key = plan.name.strip().casefold()
            if key in seen:
                raise FieldError(
                    "plans",
                    f"plans.{seen[key]} and plans.{index} are both named {plan.name!r};"
                    " each plan needs its own name",
                )
            seen[key] = index


@dataclass(frozen=True, slots=True)
class NurtureFacts:
    """What enrolment and consent look at in a lead."""

    interest: Interest | None = None
    source: Source | None = None
    event: str = ""
    region: str = ""
    product: str = ""
    score: int = 0
    consent: bool = False
    opted_out: bool = False


def _glob(pattern: str, actual: str) -> bool:
    return not pattern or fnmatchcase(actual.casefold(), pattern.casefold())


def _in_band(segment: Segment, score: int) -> bool:
    above = segment.score_at_least is None or score >= segment.score_at_least
    below = segment.score_below is None or score < segment.score_below
    return above and below


def matches_segment(segment: Segment, facts: NurtureFacts) -> bool:
    """Whether every criterion of `segment` holds for the lead."""
    return (
        (not segment.interest or facts.interest in segment.interest)
        and (not segment.source or facts.source in segment.source)
        and _glob(segment.event, facts.event)
        and (not segment.region or segment.region.casefold() == facts.region.casefold())
        and _glob(segment.product, facts.product)
        and _in_band(segment, facts.score)
        and (not segment.consent or (facts.consent and not facts.opted_out))
    )


def first_matching_plan(plans: Iterable[Plan], facts: NurtureFacts) -> Plan | None:
    """The first plan whose segment the lead matches: the one it is enrolled in."""
    return next((plan for plan in plans if matches_segment(plan.segment, facts)), None)


def plan_named(plans: Iterable[Plan], name: str) -> Plan | None:
    """The plan called `name` (ignoring case), or None when the rules file has none."""
    wanted = name.strip().casefold()
    return next((plan for plan in plans if plan.name.strip().casefold() == wanted), None)


def step_allowed(step: PlanStep, facts: NurtureFacts, settings: NurtureSettings) -> bool:
    """Whether the step may be done for this lead: no written contact after an opt-out or a
    refusal, and recorded consent for the actions the rules file says need it."""
    if facts.opted_out and step.action in CONTACT_ACTIONS:
        return False
    if step.action in settings.require_consent_for:
        return facts.consent and not facts.opted_out
    return True


def doer_of(step: PlanStep, *, capturer: str, owner: str | None) -> str:
    """The Slack ID that gets the step's reminder; a lead without an owner falls back to its
    capturer."""
    if step.doer == CAPTURER:
        return capturer
    if step.doer == OWNER:
        return owner or capturer
    return step.doer


def first_due(enrolled_at: datetime, plan: Plan) -> datetime:
    """When the plan's first step falls due (before working hours are applied)."""
    return enrolled_at + plan.steps[0].delay


def next_due(done_at: datetime, plan: Plan, step_index: int) -> datetime | None:
    """When the step after `step_index` (0-based, just done at `done_at`) falls due, before
    working hours are applied; None when that was the plan's last step."""
    if step_index < 0:
        raise ValueError(f"step_index must be 0 or more, got {step_index}")
    following = step_index + 1
    if following >= len(plan.steps):
        return None
    return done_at + plan.steps[following].delay


def doer_zone(timezone: str, fallback: str = "UTC") -> ZoneInfo:
    """The doer's IANA time zone; an empty or unknown one falls back to `fallback`."""
    for name in (timezone, fallback):
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    raise ValueError(f"unknown fallback time zone {fallback!r}")


def _require_aware(name: str, moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def _local_wall(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def _first_instant(wall: datetime, zone: ZoneInfo) -> datetime:
    """The first instant the local clock shows `wall`; in a DST gap, the end of the gap."""
    earlier = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if _local_wall(earlier, zone) == wall:
        return earlier
    return _gap_end(wall, zone)


def _gap_end(wall: datetime, zone: ZoneInfo) -> datetime:
    # Read with the offsets before and after the jump, `wall` gives two instants; the jump
    # lies between them, at the first whole second whose local time is past `wall`.
    readings = sorted(wall.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1))
    low, high = math.floor(readings[0].timestamp()), math.ceil(readings[1].timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if _local_wall(datetime.fromtimestamp(middle, UTC), zone) >= wall:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def _working_interval(
    day: date, zone: ZoneInfo, hours: WorkingHours, holidays: frozenset[date]
) -> tuple[datetime, datetime] | None:
    """The UTC instants a working day opens and closes, or None for a day off."""
    if day.weekday() not in hours.weekdays or day in holidays:
        return None
    midnight = datetime.combine(day, time())
    opens = _first_instant(midnight + timedelta(minutes=hours.start_minute), zone)
    closes = _first_instant(midnight + timedelta(minutes=hours.end_minute), zone)
    return (opens, closes) if opens < closes else None


def is_working_time(
    moment: datetime,
    timezone: str,
    hours: WorkingHours,
    holidays: Collection[date],
    *,
    fallback_timezone: str = "UTC",
) -> bool:
    """Whether `moment` falls inside working hours on a working day in that time zone."""
    _require_aware("moment", moment)
    zone = doer_zone(timezone, fallback_timezone)
    day = moment.astimezone(zone).date()
    interval = _working_interval(day, zone, hours, frozenset(holidays))
    return interval is not None and interval[0] <= moment < interval[1]


def deliverable_at(
    due: datetime,
    timezone: str,
    hours: WorkingHours,
    holidays: Collection[date],
    *,
    fallback_timezone: str = "UTC",
) -> datetime:
    """The first moment at or after `due` inside working hours on a working day that is not
    a holiday, in the IANA `timezone` (an empty or unknown one: `fallback_timezone`), in UTC."""
    _require_aware("due", due)
    zone = doer_zone(timezone, fallback_timezone)
    days_off = frozenset(holidays)
    moment = due.astimezone(UTC)
    first_day = moment.astimezone(zone).date()
    # Each week has a working day unless a holiday takes it; a DST jump may take one more.
    for offset in range(7 * (len(days_off) + 2)):
        interval = _working_interval(first_day + timedelta(days=offset), zone, hours, days_off)
        if interval is not None and moment < interval[1]:
            return max(moment, interval[0])
    raise ValueError(f"no working time after {due.isoformat()} in {zone.key}")


def snoozed_until(
    now: datetime,
    choice: str,
    timezone: str,
    hours: WorkingHours,
    holidays: Collection[date],
    *,
    fallback_timezone: str = "UTC",
) -> datetime:
    """When a reminder snoozed at `now` for `choice` ("1d", "7d", "2h") comes back, in UTC.

    Whole days keep the time of day on the doer's clock, across DST changes; the result
    then waits for working hours like any reminder.
    """
    _require_aware("now", now)
    delay = parse_delay(choice)
    zone = doer_zone(timezone, fallback_timezone)
    if delay and delay % timedelta(days=1) == timedelta(0):
        woken = _first_instant(_local_wall(now, zone) + delay, zone)
    else:
        woken = now + delay
    return deliverable_at(woken, zone.key, hours, holidays)
