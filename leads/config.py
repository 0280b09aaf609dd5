"""The whole rule set a deployment can tune, with documented defaults."""

from __future__ import annotations

from dataclasses import dataclass, field

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
        if self.per_channel_interval_seconds < 0 or self.first_retry_seconds <= 0:
            raise ValueError("intervals must be positive")
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")


@dataclass(frozen=True)
class SweepSettings:
    """How often each scheduled sweep runs, in seconds."""

    deliver_seconds: float = 2.0
    rescore_seconds: float = 300.0
    cleanup_seconds: float = 3600.0


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
