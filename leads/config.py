"""The whole rule set a deployment can tune, with documented defaults."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from leads.checks import FieldError, require_http_url, require_positive_seconds
from leads.claiming import ClaimPolicy
from leads.language import Language
from leads.routing import RoutingRule
from leads.scoring import ScoringRules
from leads.signing import secret_key
from leads.sla import SlaPolicy

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

    def __post_init__(self) -> None:
        for name in ("deliver_seconds", "rescore_seconds", "cleanup_seconds"):
            require_positive_seconds(name, getattr(self, name))


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
    """Scoring, routing, SLA, claim and delivery rules (the YAML file's top level)."""

    language: Language = "en"
    scoring: ScoringRules = field(default_factory=ScoringRules)
    routing: tuple[RoutingRule, ...] = ()
    sla: SlaPolicy = field(default_factory=SlaPolicy)
    claim: ClaimPolicy = field(default_factory=ClaimPolicy)
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    sweeps: SweepSettings = field(default_factory=SweepSettings)
    admins: tuple[str, ...] = ()
    webhooks: tuple[Webhook, ...] = ()

    def __post_init__(self) -> None:
        urls = [webhook.url for webhook in self.webhooks]
        for url in urls:
            if urls.count(url) > 1:
                raise FieldError("webhooks", f"{url} is listed twice; give it one entry")

    def webhook(self, url: str) -> Webhook | None:
        """The configured endpoint at `url`, if it is still configured."""
        return next((webhook for webhook in self.webhooks if webhook.url == url), None)
