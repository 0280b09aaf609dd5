"""Lead scoring: fit (who they are, no decay) plus engagement (what they did, decays)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Literal

from leads.model import LeadDraft

SECONDS_PER_DAY = 86_400.0

ReasonKind = Literal["fit", "engagement"]


@lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str]:
    # ASCII word boundaries, so "CTO兼社長" still matches \bcto\b.
    return re.compile(pattern, re.IGNORECASE | re.ASCII)


@dataclass(frozen=True)
class Reason:
    """One contribution to a score, shown to people as e.g. `+15 title: Director`."""

    label: str
    points: float
    kind: ReasonKind

    def describe(self) -> str:
        """Points rounded to an integer with an explicit sign, then the label."""
        return f"{round(self.points):+d} {self.label}"

    def __str__(self) -> str:
        return self.describe()


@dataclass(frozen=True)
class TitleRule:
    """Points for a job title matching `pattern` (case-insensitive regex search)."""

    pattern: str = ""
    points: int = 0
    label: str = ""

    def __post_init__(self) -> None:
        try:
            _compile(self.pattern)
        except re.error as error:
            raise ValueError(
                f"title rule {self.label!r}: bad pattern {self.pattern!r}: {error}"
            ) from error


DEFAULT_TITLE_RULES = (
    TitleRule(
        r"\b(ceo|cto|cfo|coo|cio|cmo|chief|founder|owner|(?<!vice )(?<!vice-)president)\b"
        r"|社長|取締役|代表|役員",
        20,
        "title: C-level",
    ),
    TitleRule(
        r"\b(vp|vice president|vice-president|director|head)\b|部長|本部長", 15, "title: Director"
    ),
    TitleRule(r"\b(manager|lead)\b|課長|マネージャー", 8, "title: Manager"),
    TitleRule(r"\b(student|interns?)\b|学生", -15, "student"),
)

DEFAULT_FREE_MAIL_DOMAINS = (
    "gmail.com",
    "yahoo.com",
    "yahoo.co.jp",
    "hotmail.com",
    "outlook.com",
    "icloud.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "mail.com",
    "docomo.ne.jp",
    "ezweb.ne.jp",
    "softbank.ne.jp",
)


@dataclass(frozen=True)
class ScoringRules:
    """Every weight scoring uses; `ScoringRules()` is the documented default."""

    hot_threshold: int = 60
    half_life_days: float = 30.0
    title_rules: tuple[TitleRule, ...] = DEFAULT_TITLE_RULES
    company_size_points: dict[str, int] = field(
        default_factory=lambda: {"1000+": 15, "250-999": 10, "50-249": 5}
    )
    industry_points: dict[str, int] = field(default_factory=dict)
    budget_points: dict[str, int] = field(
        default_factory=lambda: {"large": 15, "medium": 10, "small": 5, "none": -10}
    )
    timeline_points: dict[str, int] = field(
        default_factory=lambda: {"now": 15, "quarter": 10, "year": 5}
    )
    free_mail_domains: tuple[str, ...] = DEFAULT_FREE_MAIL_DOMAINS
    free_mail_points: int = -15
    competitor_domains: tuple[str, ...] = ()
    competitor_points: int = -20
    interest_points: dict[str, int] = field(
        default_factory=lambda: {"hot": 120, "warm": 30, "cold": -40}
    )
    source_points: dict[str, int] = field(
        default_factory=lambda: {
            "event": 10,
            "seminar": 15,
            "web": 5,
            "referral": 20,
            "inbound": 15,
            "manual": 0,
        }
    )
    repeat_touch_points: int = 10

    def __post_init__(self) -> None:
        if not (self.half_life_days > 0 and math.isfinite(self.half_life_days)):
            raise ValueError(f"half_life_days must be a positive number, got {self.half_life_days}")

    @property
    def half_life_seconds(self) -> float:
        """The engagement half-life in seconds."""
        return self.half_life_days * SECONDS_PER_DAY


@dataclass(frozen=True)
class Score:
    """A lead's score: fit and engagement kept apart, with the reasons behind both."""

    fit: float
    engagement: float
    reasons: tuple[Reason, ...]

    @property
    def total(self) -> int:
        """Fit plus engagement, rounded."""
        return round(self.fit + self.engagement)

    def top_reasons(self, n: int = 3) -> tuple[Reason, ...]:
        """The `n` reasons with the largest absolute points (ties keep their order)."""
        return tuple(sorted(self.reasons, key=lambda reason: -abs(reason.points))[:n])

    def is_hot(self, rules: ScoringRules) -> bool:
        """Whether the total reaches the hot threshold."""
        return self.total >= rules.hot_threshold


def _display(value: StrEnum) -> str:
    return value.value.capitalize()


def email_domain(email: str) -> str:
    """The lower-cased domain after the last `@`, or "" when there is none."""
    _, at, domain = email.strip().rpartition("@")
    return domain.strip().rstrip(".").lower() if at else ""


def _domain_in(domain: str, listed: tuple[str, ...]) -> bool:
    """Whether `domain` is one of `listed` or a subdomain of one."""
    for entry in listed:
        wanted = entry.strip().lower()
        if wanted and (domain == wanted or domain.endswith("." + wanted)):
            return True
    return False


def _lookup(
    points: dict[str, int], value: StrEnum | None, label: str, kind: ReasonKind
) -> list[Reason]:
    if value is None or value.value not in points:
        return []
    return [Reason(f"{label}: {_display(value)}", points[value.value], kind)]


def _title_reasons(title: str, rules: ScoringRules) -> list[Reason]:
    if not title.strip():
        return []
    for rule in rules.title_rules:
        if _compile(rule.pattern).search(title):
            return [Reason(rule.label, rule.points, "fit")]
    return []


def _company_size_reasons(draft: LeadDraft, rules: ScoringRules) -> list[Reason]:
    size = draft.company_size
    if size is None or size.value not in rules.company_size_points:
        return []
    return [Reason(f"company size: {size.value}", rules.company_size_points[size.value], "fit")]


def _industry_reasons(industry: str, rules: ScoringRules) -> list[Reason]:
    wanted = industry.strip().casefold()
    if not wanted:
        return []
    for key, points in rules.industry_points.items():
        if key.strip().casefold() == wanted:
            return [Reason(f"industry: {industry.strip()}", points, "fit")]
    return []


def _domain_reasons(email: str, rules: ScoringRules) -> list[Reason]:
    domain = email_domain(email)
    if not domain:
        return []
    if _domain_in(domain, rules.competitor_domains):
        return [Reason("competitor domain", rules.competitor_points, "fit")]
    if _domain_in(domain, rules.free_mail_domains):
        return [Reason("free-mail domain", rules.free_mail_points, "fit")]
    return []


def _without_zeros(reasons: list[Reason]) -> tuple[Reason, ...]:
    return tuple(reason for reason in reasons if reason.points != 0)


def fit_reasons(draft: LeadDraft, rules: ScoringRules) -> tuple[Reason, ...]:
    """Fit reasons: title, company size, industry, budget, timeline, email domain."""
    return _without_zeros(
        [
            *_title_reasons(draft.title, rules),
            *_company_size_reasons(draft, rules),
            *_industry_reasons(draft.industry, rules),
            *_lookup(rules.budget_points, draft.budget, "budget", "fit"),
            *_lookup(rules.timeline_points, draft.timeline, "timeline", "fit"),
            *_domain_reasons(draft.email, rules),
        ]
    )


def touch_reasons(draft: LeadDraft, rules: ScoringRules, *, repeat: bool) -> tuple[Reason, ...]:
    """Engagement reasons of one capture: interest, source, and a repeat touch."""
    repeat_reason = [Reason("repeat touch", rules.repeat_touch_points, "engagement")]
    return _without_zeros(
        [
            *_lookup(rules.interest_points, draft.interest, "interest", "engagement"),
            *_lookup(rules.source_points, draft.source, "source", "engagement"),
            *(repeat_reason if repeat else []),
        ]
    )


def decayed(acc: float, acc_at: float, now: float, half_life_seconds: float) -> float:
    """Engagement `acc` (valid at `acc_at`) as it stands at `now`; no decay backwards."""
    if half_life_seconds <= 0:
        raise ValueError(f"half-life must be positive, got {half_life_seconds}")
    elapsed = max(0.0, now - acc_at)
    return acc * math.exp2(-elapsed / half_life_seconds)


def add_engagement(
    acc: float, acc_at: float, points: float, now: float, half_life_seconds: float
) -> tuple[float, float]:
    """Decay `acc` to `now`, add `points`, and return (new value, now)."""
    return decayed(acc, acc_at, now, half_life_seconds) + points, now


def time_below(
    acc: float, acc_at: float, threshold: float, half_life_seconds: float
) -> float | None:
    """When `acc` decays down to `threshold`; None if it is already there or never gets there."""
    if not acc > threshold > 0:
        return None
    return acc_at + half_life_seconds * math.log2(acc / threshold)


def score_capture(
    draft: LeadDraft,
    rules: ScoringRules,
    *,
    repeat: bool,
    previous_engagement: float = 0.0,
    previous_at: float | None = None,
    now: float,
) -> tuple[Score, float]:
    """Score one capture; returns the Score and the new engagement value (valid at `now`)."""
    fit = fit_reasons(draft, rules)
    touch = touch_reasons(draft, rules, repeat=repeat)
    carried = decayed(
        previous_engagement,
        now if previous_at is None else previous_at,
        now,
        rules.half_life_seconds,
    )
    carried_reasons = _without_zeros([Reason("earlier engagement", carried, "engagement")])
    engagement = carried + sum(reason.points for reason in touch)
    score = Score(
        fit=sum(reason.points for reason in fit),
        engagement=engagement,
        reasons=(*fit, *carried_reasons, *touch),
    )
    return score, engagement
