"""Domain values shared by parsing, validation, scoring and routing."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from leads.snapshots import pickled_by_fields


class Interest(StrEnum):
    """How interested the person said they are, as judged at capture."""

    HOT = "hot"
    WARM = "warm"
    COLD = "cold"

    @property
    def strength(self) -> int:
        """Hot beats warm beats cold."""
        return {"hot": 3, "warm": 2, "cold": 1}[self.value]


def stronger_interest(first: Interest | None, second: Interest | None) -> Interest | None:
    """The stronger of two interests; a missing one never wins."""
    if first is None or second is None:
        return first or second
    return first if first.strength >= second.strength else second


class Source(StrEnum):
    """Where a lead came from; funnel reports group by it."""

    EVENT = "event"
    SEMINAR = "seminar"
    WEB = "web"
    REFERRAL = "referral"
    INBOUND = "inbound"
    MANUAL = "manual"


class Budget(StrEnum):
    """Budget band the person mentioned."""

    UNKNOWN = "unknown"
    NONE = "none"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


class Timeline(StrEnum):
    """When the person expects to buy."""

    UNKNOWN = "unknown"
    NOW = "now"
    QUARTER = "quarter"
    YEAR = "year"
    LATER = "later"


class CompanySize(StrEnum):
    """Head-count band of the lead's company."""

    UNKNOWN = "unknown"
    MICRO = "1-49"
    SMALL = "50-249"
    MEDIUM = "250-999"
    LARGE = "1000+"


class Stage(StrEnum):
    """Where a lead is in its lifecycle (leads/lifecycle.py says how it moves)."""

    NEW = "new"
    NURTURING = "nurturing"
    HOT = "hot"
    CLAIMED = "claimed"
    MEETING = "meeting"
    WON = "won"
    LOST = "lost"
    RECYCLED = "recycled"


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class LeadDraft:
    """What a person typed about a lead, before it is validated and stored."""

    name: str = ""
    company: str = ""
    email: str = ""
    phone: str = ""
    title: str = ""
    company_size: CompanySize | None = None
    industry: str = ""
    source: Source | None = None
    event: str = ""
    interest: Interest | None = None
    product: str = ""
    budget: Budget | None = None
    timeline: Timeline | None = None
    consent: bool = False
    opted_out: bool = False  # refused contact or unsubscribed: no email, no material
    notes: str = ""

    def with_capture_defaults(self, current_event: str) -> LeadDraft:
        """Fill the event from the capturer's current one; a lead with an event is from a booth."""
        event, source = capture_defaults(self.event, self.source, current_event)
        return replace(self, event=event, source=source)


def capture_defaults(event: str, source: Source | None, current_event: str) -> tuple[str, Source]:
    """A capture's event (its own, else the capturer's current one) and source (its own,
    else from an event when it has one, else manual)."""
    event = event or current_event
    return event, source or (Source.EVENT if event else Source.MANUAL)
