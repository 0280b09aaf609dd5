"""The whole rule set a deployment can tune, with documented defaults."""

from __future__ import annotations

from dataclasses import dataclass, field

from leads.checks import FieldError, require_positive_seconds
from leads.claiming import ClaimPolicy
from leads.language import Language
from leads.routing import RoutingRule
from leads.scoring import ScoringRules
from leads.sla import SlaPolicy


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

    def __post_init__(self) -> None:
        for name in ("deliver_seconds", "rescore_seconds", "cleanup_seconds"):
            require_positive_seconds(name, getattr(self, name))


@dataclass(frozen=True)
class LeadbotConfig:
    """Scoring, routing, SLA, claim and delivery rules (the YAML file's top level)."""

    language: Language = "en"
    scoring: ScoringRules = field(default_factory=ScoringRules)
    routing: tuple[RoutingRule, ...] = ()
    sla: SlaPolicy = field(default_factory=SlaPolicy)
    claim: ClaimPolicy = field(default_factory=ClaimPolicy)
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    sweeps: SweepSettings = field(default_factory=SweepSettings)
    admins: tuple[str, ...] = ()
