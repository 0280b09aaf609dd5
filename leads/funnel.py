"""The funnel: how many leads reached each stage, conversions, drop-off, speed to lead."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Final
from zoneinfo import ZoneInfo

from leads.outcomes import LostReason

# The steps a lead passes, in order; each counts the leads that ever reached it.
STEPS: Final = ("captured", "hot", "claimed", "meeting", "won")
PERIODS: Final = ("7d", "30d", "90d", "all")
_PERIOD: Final = re.compile(r"(?P<days>\d{1,4})d")


class Dimension(StrEnum):
    """What a funnel is broken down by."""

    SOURCE = "source"
    EVENT = "event"


@dataclass(frozen=True)
class Period:
    """The leads captured from `start` (inclusive, None: since the beginning) up to `end`."""

    name: str
    start: datetime | None
    end: datetime


def period(name: str, *, now: datetime, timezone: str) -> Period | None:
    """`7d` is today and the 6 days before it in `timezone`, from local midnight; `all` is
    everything. None for a name that is not a period."""
    name = name.strip().lower() or "30d"
    if name == "all":
        return Period("all", None, now)
    found = _PERIOD.fullmatch(name)
    if found is None or not 0 < int(found["days"]) <= 3660:
        return None
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    first = today - timedelta(days=int(found["days"]) - 1)
    return Period(name, _midnight(first, zone), now)


def last_week(*, now: datetime, timezone: str) -> Period:
    """The last complete Monday-to-Sunday week in `timezone`, named as ISO names it (2026-W47)."""
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday() + 7)
    year, week, _ = monday.isocalendar()
    start, end = _midnight(monday, zone), _midnight(monday + timedelta(days=7), zone)
    return Period(f"{year}-W{week:02d}", start, end)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zone)


@dataclass(frozen=True)
class Row:
    """One group of the funnel (a source, an event, or everything)."""

    key: str
    reached: Mapping[str, int]  # step -> leads that reached it
    lost: int = 0
    won_value: float = 0.0
    hot_to_claim: Sequence[float] = ()  # seconds, one per claimed lead
    sla_breaches: int = 0
    loss_reasons: Mapping[str, int] = field(default_factory=dict)

    def count(self, step: str) -> int:
        """Leads that reached `step`."""
        return int(self.reached.get(step, 0))

    @property
    def decided(self) -> int:
        """Leads with a final outcome, won or lost."""
        return self.count("won") + self.lost

    @property
    def win_rate(self) -> float | None:
        """Won out of decided; None before anything was decided."""
        return self.count("won") / self.decided if self.decided else None

    def conversion(self, step: str) -> float | None:
        """The share of the step before `step` that reached it (None at the first step)."""
        index = STEPS.index(step)
        if index == 0:
            return None
        before = self.count(STEPS[index - 1])
        return self.count(step) / before if before else None

    def drop_off(self, step: str) -> int:
        """How many of the step before `step` did not reach it."""
        index = STEPS.index(step)
        return 0 if index == 0 else max(self.count(STEPS[index - 1]) - self.count(step), 0)

    @property
    def median_hot_to_claim(self) -> float | None:
        """Median seconds from hot to claim."""
        return percentile(self.hot_to_claim, 50)

    @property
    def p90_hot_to_claim(self) -> float | None:
        """90th percentile of seconds from hot to claim."""
        return percentile(self.hot_to_claim, 90)

    def top_loss_reasons(self, count: int = 3) -> list[tuple[LostReason, int]]:
        """The most frequent reasons deals were lost, most first."""
        known = [(LostReason(k), n) for k, n in self.loss_reasons.items() if k in _REASONS and n]
        return sorted(known, key=lambda item: (-item[1], item[0].value))[:count]


_REASONS: Final = frozenset(reason.value for reason in LostReason)


@dataclass(frozen=True)
class Funnel:
    """The funnel of a period: everything, then by source and by event."""

    period: Period
    total: Row
    by_source: Sequence[Row]
    by_event: Sequence[Row]


def percentile(values: Sequence[float], pct: float) -> float | None:
    """The nearest-rank percentile of `values` (None when there are none)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(math.ceil(pct / 100 * len(ordered)), 1)
    return ordered[rank - 1]


def merge_rows(key: str, rows: Sequence[Row]) -> Row:
    """Add rows up into one (every source together is the total)."""
    reached: dict[str, int] = {}
    reasons: dict[str, int] = {}
    for row in rows:
        for step, count in row.reached.items():
            reached[step] = reached.get(step, 0) + count
        for reason, count in row.loss_reasons.items():
            reasons[reason] = reasons.get(reason, 0) + count
    return Row(
        key=key,
        reached=reached,
        lost=sum(row.lost for row in rows),
        won_value=sum(row.won_value for row in rows),
        hot_to_claim=[seconds for row in rows for seconds in row.hot_to_claim],
        sla_breaches=sum(row.sla_breaches for row in rows),
        loss_reasons=reasons,
    )
