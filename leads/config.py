"""The whole rule set a deployment can tune, with documented defaults."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from leads.checks import (
    FieldError,
    require_http_url,
    require_positive_seconds,
    require_user_or_channel_id,
)
from leads.claiming import ClaimPolicy
from leads.engagement import EngagementSettings
from leads.importing import ImportSettings
from leads.intake import IntakeSettings
from leads.language import Language
from leads.nurture import NurtureSettings
from leads.routing import RoutingRule
from leads.scoring import ScoringRules
from leads.signing import secret_key
from leads.sla import SlaPolicy

CURRENCY: Final = re.compile(r"[A-Z]{3}")
# What outbound webhooks can subscribe to.
WEBHOOK_EVENTS: Final = ("lead.hot", "lead.claimed", "lead.outcome", "lead.recycled")


@dataclass(frozen=True)
class DeliverySettings:
    """How the outbox posts to Slack: pacing, retries and leases."""

    per_channel_interval_seconds: float = 1.0
    max_attempts: int = 10
    first_retry_seconds: float = 2.0
    max_retry_seconds: float = 300.0
    lease_seconds: float = 60.0

    def __post_init__(self) -> None:
        for name in (
            "per_channel_interval_seconds",
            "first_retry_seconds",
            "max_retry_seconds",
            "lease_seconds",
        ):
            require_positive_seconds(name, getattr(self, name))
        if self.max_retry_seconds < self.first_retry_seconds:
            raise FieldError("max_retry_seconds", "must not be below first_retry_seconds")
        if self.max_attempts < 1:
            raise FieldError("max_attempts", f"must be at least 1, got {self.max_attempts}")


@dataclass(frozen=True)
class SweepSettings:
    """How often each scheduled sweep runs, in seconds."""

    deliver_seconds: float = 2.0
    rescore_seconds: float = 300.0
    cleanup_seconds: float = 3600.0
    digest_seconds: float = 600.0
    nurture_seconds: float = 60.0

    def __post_init__(self) -> None:
        for name in (
            "deliver_seconds",
            "rescore_seconds",
            "cleanup_seconds",
            "digest_seconds",
            "nurture_seconds",
        ):
            require_positive_seconds(name, getattr(self, name))


@dataclass(frozen=True)
class OutcomeSettings:
    """Deal outcomes: the currency of deal values, and nudges about deals left open."""

    currency: str = "JPY"
    remind_owner_after_days: float = 14.0  # a claimed lead with no outcome: DM its owner once
    remind_manager_after_days: float = 7.0  # ... then, this much later, the manager once
    manager: str = ""  # a user ID (U…) or channel ID (C…); empty: sla.escalate_to

    def __post_init__(self) -> None:
        if not CURRENCY.fullmatch(self.currency):
            raise FieldError(
                "currency", f"must be a 3-letter code like JPY or USD, got {self.currency!r}"
            )
        for name in ("remind_owner_after_days", "remind_manager_after_days"):
            days = getattr(self, name)
            if not (math.isfinite(days) and days >= 0):
                raise FieldError(name, f"must be 0 (off) or more days, got {days:g}")
        require_user_or_channel_id("manager", self.manager)


@dataclass(frozen=True)
class ReportSettings:
    """Funnel reports and the weekly digest."""

    timezone: str = ""  # periods and weeks are counted here; empty: sla.business_hours'
    digest_weekday: int = 0  # the digest of the week before is posted from this day (Monday 0)
    digest_hour: int = 9  # ... at this local hour
    reply_within_seconds: float = 2.0  # /lead stats answers at once if counted by then,
    # else says it is counting and posts the funnel a moment later (Slack waits 3 s)

    def __post_init__(self) -> None:
        if self.timezone:
            try:
                ZoneInfo(self.timezone)
            except (ZoneInfoNotFoundError, ValueError):
                raise FieldError(
                    "timezone", f"is not a time zone name: {self.timezone!r}"
                ) from None
        if not 0 <= self.digest_weekday <= 6:
            raise FieldError(
                "digest_weekday", f"must be 0 (Monday) to 6, got {self.digest_weekday}"
            )
        if not 0 <= self.digest_hour <= 23:
            raise FieldError("digest_hour", f"must be 0 to 23, got {self.digest_hour}")
        if not (math.isfinite(self.reply_within_seconds) and 0 <= self.reply_within_seconds <= 2.5):
            raise FieldError("reply_within_seconds", "must be 0 to 2.5 seconds (Slack waits 3)")


@dataclass(frozen=True)
class CalibrationSettings:
    """Learning from outcomes: sources and events that win more score more."""

    enabled: bool = False
    pseudo_deals: float = 10.0  # smoothing: this many deals at the overall win rate
    max_points: int = 20  # the largest boost or cut a source or an event can earn
    min_decided: int = 5  # below this many decided leads, a source or event earns nothing

    def __post_init__(self) -> None:
        if not (math.isfinite(self.pseudo_deals) and self.pseudo_deals > 0):
            raise FieldError("pseudo_deals", f"must be more than 0, got {self.pseudo_deals:g}")
        if self.max_points < 0:
            raise FieldError("max_points", f"must be 0 or more, got {self.max_points}")
        if self.min_decided < 0:
            raise FieldError("min_decided", f"must be 0 or more, got {self.min_decided}")


@dataclass(frozen=True)
class Webhook:
    """An endpoint that receives lead events, signed as Standard Webhooks 1.0 says."""

    url: str
    secret: str  # whsec_ and base64; never logged, never stored in the outbox
    events: tuple[str, ...]

    def __post_init__(self) -> None:
        require_http_url("url", self.url)
        try:
            secret_key(self.secret)
        except ValueError as error:
            raise FieldError("secret", str(error)) from None
        if not self.events:
            raise FieldError("events", f"must list at least one of {', '.join(WEBHOOK_EVENTS)}")
        for event in self.events:
            if event not in WEBHOOK_EVENTS:
                known = ", ".join(WEBHOOK_EVENTS)
                raise FieldError("events", f"{event!r} is not an event; use {known}")

    def wants(self, event: str) -> bool:
        """Whether this endpoint subscribed to `event`."""
        return event in self.events


@dataclass(frozen=True)
class LeadbotConfig:
    """Scoring, routing, SLA, claim, delivery, nurture and intake rules (the YAML file's top
    level). `list_import` is the rules file's key for `leadbot import`: `import` is a Python
    keyword, so no field can carry that name."""

    language: Language = "en"
    scoring: ScoringRules = field(default_factory=ScoringRules)
    routing: tuple[RoutingRule, ...] = ()
    sla: SlaPolicy = field(default_factory=SlaPolicy)
    claim: ClaimPolicy = field(default_factory=ClaimPolicy)
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    sweeps: SweepSettings = field(default_factory=SweepSettings)
    admins: tuple[str, ...] = ()
    outcomes: OutcomeSettings = field(default_factory=OutcomeSettings)
    reports: ReportSettings = field(default_factory=ReportSettings)
    calibration: CalibrationSettings = field(default_factory=CalibrationSettings)
    webhooks: tuple[Webhook, ...] = ()
    nurture: NurtureSettings = field(default_factory=NurtureSettings)
    engagement: EngagementSettings = field(default_factory=EngagementSettings)
    intake: IntakeSettings = field(default_factory=IntakeSettings)
    list_import: ImportSettings = field(default_factory=ImportSettings)

    def __post_init__(self) -> None:
        urls = [webhook.url for webhook in self.webhooks]
        for url in urls:
            if urls.count(url) > 1:
                raise FieldError("webhooks", f"{url} is listed twice; give it one entry")

    def webhook(self, url: str) -> Webhook | None:
        """The configured endpoint at `url`, if it is still configured."""
        return next((webhook for webhook in self.webhooks if webhook.url == url), None)

    @property
    def timezone(self) -> str:
        """Where report periods and digest weeks are counted."""
        return self.reports.timezone or self.sla.business_hours.timezone

    @property
    def manager(self) -> str:
        """Who hears of deals left open too long (and of unclaimed hot leads)."""
        return self.outcomes.manager or self.sla.escalate_to
