"""A stored lead as the rest of the system sees it: profile, stage, owner, score, outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from leads.model import LeadDraft, Stage
from leads.outcomes import LostReason
from leads.routing import LeadFacts
from leads.scoring import Reason
from leads.snapshots import pickled_by_fields


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Decision:
    """The latest outcome recorded on a lead: by whom and when, with its value or reason."""

    stage: Stage
    by: str
    at: datetime
    value: float | None = None
    reason: LostReason | None = None
    detail: str = ""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Lead:
    """A snapshot of one lead, detached from the database."""

    id: int
    profile: LeadDraft
    stage: Stage
    owner: str | None
    score: int
    fit: float
    engagement: float
    reasons: tuple[Reason, ...]
    region: str
    touch_count: int
    captured_by: str
    created_at: datetime
    hot_at: datetime | None = None
    claimed_at: datetime | None = None
    route_channel: str = ""
    card_channel: str = ""
    card_ts: str = ""
    decision: Decision | None = None  # the latest outcome recorded, if any

    def top_reasons(self, n: int = 3) -> tuple[Reason, ...]:
        """The reasons that moved the score most."""
        return tuple(sorted(self.reasons, key=lambda reason: -abs(reason.points))[:n])

    def facts(self) -> LeadFacts:
        """What routing rules look at."""
        profile = self.profile
        return LeadFacts(
            source=profile.source.value if profile.source else "",
            event=profile.event,
            region=self.region,
            product=profile.product,
            score=self.score,
        )

    @property
    def display_name(self) -> str:
        """Name, else email, else a placeholder; never empty."""
        return self.profile.name or self.profile.email or f"Lead #{self.id}"
