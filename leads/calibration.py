"""Calibration: outcomes teach which sources and events bring customers, in words people read.

A source's win rate is smoothed toward the overall rate, `(wins + m·p0) / (decided + m)` with
`m` pseudo-deals, so three wins out of four is not read as 75 %. Its distance from the overall
rate becomes a bounded number of points.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from leads.config import CalibrationSettings
from leads.funnel import Dimension


@dataclass(frozen=True, slots=True)
class Tally:
    """Decided leads of one source or event, and how many of them were won."""

    wins: int
    decided: int


@dataclass(frozen=True, slots=True)
class Weight:
    """What calibration learned about one source or event."""

    dimension: Dimension
    value: str
    tally: Tally
    rate: float
    points: float


def overall(tallies: Mapping[str, Tally]) -> Tally:
    """Every decided lead of one dimension together."""
    return Tally(
        wins=sum(tally.wins for tally in tallies.values()),
        decided=sum(tally.decided for tally in tallies.values()),
    )


def smoothed_rate(tally: Tally, base_rate: float, pseudo_deals: float) -> float:
    """The win rate pulled toward `base_rate` as if `pseudo_deals` more deals were decided."""
    return (tally.wins + pseudo_deals * base_rate) / (tally.decided + pseudo_deals)


def points_for(tally: Tally, base: Tally, settings: CalibrationSettings) -> tuple[float, float]:
    """The smoothed rate of a source or event and the points it earns (0 below min_decided)."""
    if base.decided == 0:
        return 0.0, 0.0
    base_rate = base.wins / base.decided
    rate = smoothed_rate(tally, base_rate, settings.pseudo_deals)
    if tally.decided < settings.min_decided or base_rate in (0.0, 1.0):
        return rate, 0.0
    spread = base_rate if rate < base_rate else 1.0 - base_rate
    points = settings.max_points * (rate - base_rate) / spread
    return rate, round(max(-settings.max_points, min(settings.max_points, points)), 1)


def weights(
    dimension: Dimension, tallies: Mapping[str, Tally], settings: CalibrationSettings
) -> list[Weight]:
    """The weight of every value of one dimension that has decided leads."""
    base = overall(tallies)
    found = []
    for value, tally in sorted(tallies.items()):
        if not value or tally.decided == 0:
            continue
        rate, points = points_for(tally, base, settings)
        found.append(Weight(dimension, value, tally, rate, points))
    return found
