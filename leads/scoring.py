"""Lead scoring: fit (who they are, no decay) plus engagement (what they did, decays)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Literal

from leads.model import Interest, LeadDraft, Source

SECONDS_PER_DAY = 86_400.0

ReasonKind = Literal["fit", "engagement"]


@lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str]:
    # ASCII word boundaries, so "CTO兼社長" still matches \bcto\b.
    return re.compile(pattern, re.IGNORECASE | re.ASCII)


@dataclass(frozen=True)
class Reason:
    """One contribution to a score: a code with its values, rendered as `+15 title: Director`."""

    code: str
    params: Mapping[str, str]
    points: float
    kind: ReasonKind

    @property
    def key(self) -> str:
        """Identifies reasons of the same cause, so they can be added up."""
        return self.code + "".join(
            f"|{name}={value}" for name, value in sorted(self.params.items())
        )


@dataclass(frozen=True)
class TitleRule:
    """Points for a job title matching `pattern` (case-insensitive regex search).

    `level` names the rule on cards: c_level, director, manager and student are translated,
    any other text is shown as written.
    """

    pattern: str = ""
    points: int = 0
    level: str = ""

    def __post_init__(self) -> None:
        try:
            _compile(self.pattern)
        except re.error as error:
            raise ValueError(
                f"title rule {self.level!r}: bad pattern {self.pattern!r}: {error}"
            ) from error


DEFAULT_TITLE_RULES = (
    TitleRule(
        r"\b(ceo|cto|cfo|coo|cio|cmo|chief|founder|owner|(?<!vice )(?<!vice-)president)\b"
        r"|社長|取締役|代表|役員",
        20,
        "c_level",
    ),
    TitleRule(r"\b(vp|vice president|vice-president|director|head)\b|部長|本部長", 15, "director"),
    TitleRule(r"\b(manager|lead)\b|課長|マネージャー", 8, "manager"),
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
    touch_window_minutes: float = 10.0

    def __post_init__(self) -> None:
        if not (self.half_life_days > 0 and math.isfinite(self.half_life_days)):
            raise ValueError(f"half_life_days must be a positive number, got {self.half_life_days}")
        if not (self.touch_window_minutes >= 0 and math.isfinite(self.touch_window_minutes)):
            raise ValueError(
                f"touch_window_minutes must be zero or more, got {self.touch_window_minutes}"
            )

    @property
    def half_life_seconds(self) -> float:
        """The engagement half-life in seconds."""
        return self.half_life_days * SECONDS_PER_DAY

    @property
    def touch_window_seconds(self) -> float:
        """Captures by one person within this many seconds count as one touch."""
        return self.touch_window_minutes * 60.0


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


def email_domain(email: str) -> str:
    """The lower-cased domain after the last `@`, or "" when there is none."""
    _, at, domain = email.strip().rpartition("@")
    return domain.strip().rstrip(".").lower() if at else ""


def _domain_in(domain: str, listed: tuple[str, ...]) -> bool:
    """Whether `domain` is one of `listed` or a subdomain of one."""
    wanted = _domains(listed)
    if not wanted:
        return False
    parts = domain.split(".")
    return any(".".join(parts[start:]) in wanted for start in range(len(parts)))


@lru_cache(maxsize=64)
def _domains(listed: tuple[str, ...]) -> frozenset[str]:
    return frozenset(wanted for entry in listed if (wanted := entry.strip().lower()))


def _lookup(points: Mapping[str, int], code: str, value: StrEnum | None) -> list[Reason]:
    if value is None or value.value not in points:
        return []
    kind: ReasonKind = "engagement" if code in ENGAGEMENT_CODES else "fit"
    return [Reason(code, {code: value.value}, points[value.value], kind)]


ENGAGEMENT_CODES = frozenset(
    {"interest", "source", "repeat_touch", "engagement_event", "nurture_step"}
)
NURTURE_STEP_KIND = "nurture_step"  # the touch kind of a nurture step marked Done


def event_reason(kind: str, points: float) -> Reason:
    """The engagement reason of one event of `kind` (a webinar, a download, a nurture step
    done) worth `points`."""
    if kind == NURTURE_STEP_KIND:
        return Reason(NURTURE_STEP_KIND, {}, points, "engagement")
    return Reason("engagement_event", {"kind": kind}, points, "engagement")


def _title_reasons(title: str, rules: ScoringRules) -> list[Reason]:
    if not title.strip():
        return []
    for rule in rules.title_rules:
        if _compile(rule.pattern).search(title):
            return [Reason("title", {"level": rule.level}, rule.points, "fit")]
    return []


def _company_size_reasons(draft: LeadDraft, rules: ScoringRules) -> list[Reason]:
    size = draft.company_size
    if size is None or size.value not in rules.company_size_points:
        return []
    points = rules.company_size_points[size.value]
    return [Reason("company_size", {"size": size.value}, points, "fit")]


def _industry_reasons(industry: str, rules: ScoringRules) -> list[Reason]:
    wanted = industry.strip().casefold()
    if not wanted:
        return []
    for key, points in rules.industry_points.items():
        if key.strip().casefold() == wanted:
            return [Reason("industry", {"industry": industry.strip()}, points, "fit")]
    return []


def _domain_reasons(email: str, rules: ScoringRules) -> list[Reason]:
    domain = email_domain(email)
    if not domain:
        return []
    if _domain_in(domain, rules.competitor_domains):
        return [Reason("competitor", {"domain": domain}, rules.competitor_points, "fit")]
    if _domain_in(domain, rules.free_mail_domains):
        return [Reason("free_mail", {"domain": domain}, rules.free_mail_points, "fit")]
    return []


def _without_zeros(reasons: Sequence[Reason]) -> tuple[Reason, ...]:
    return tuple(reason for reason in reasons if round(reason.points, 6) != 0)


class _Memo:
    """Reasons already worked out under one rules object, by the facts they depend on.

    Scoring is pure, and a batch of captures or an imported list repeats the same titles,
    domains and interests many times. The rules object is held, so a new one (a reload)
    starts afresh; the memo is emptied when it grows past `size`.
    """

    def __init__(self, size: int = 4096) -> None:
        self._rules: ScoringRules | None = None
        self._found: dict[Hashable, tuple[Reason, ...]] = {}
        self._size = size

    def get(
        self, rules: ScoringRules, key: Hashable, work: Callable[[], tuple[Reason, ...]]
    ) -> tuple[Reason, ...]:
        """The reasons for `key` under `rules`, worked out once."""
        if self._rules is not rules:
            self._rules, self._found = rules, {}
        found = self._found.get(key)
        if found is None:
            if len(self._found) >= self._size:
                self._found.clear()
            found = self._found[key] = work()
        return found


_FIT_MEMO = _Memo()
_TOUCH_MEMO = _Memo()


def fit_reasons(draft: LeadDraft, rules: ScoringRules) -> tuple[Reason, ...]:
    """Fit reasons: title, company size, industry, budget, timeline, email domain."""
    facts = (draft.title, draft.company_size, draft.industry, draft.budget, draft.timeline)
    profile = _FIT_MEMO.get(rules, facts, lambda: _profile_reasons(draft, rules))
    domain = _domain_reasons(draft.email, rules)
    return (*profile, *_without_zeros(domain)) if domain else profile


def _profile_reasons(draft: LeadDraft, rules: ScoringRules) -> tuple[Reason, ...]:
    return _without_zeros(
        [
            *_title_reasons(draft.title, rules),
            *_company_size_reasons(draft, rules),
            *_industry_reasons(draft.industry, rules),
            *_lookup(rules.budget_points, "budget", draft.budget),
            *_lookup(rules.timeline_points, "timeline", draft.timeline),
        ]
    )


def touch_reasons(
    interest: Interest | None, source: Source | None, rules: ScoringRules, *, repeat: bool
) -> tuple[Reason, ...]:
    """Engagement reasons of one touch: interest, source, and a repeat touch."""
    return _TOUCH_MEMO.get(
        rules, (interest, source, repeat), lambda: _touch_reasons(interest, source, rules, repeat)
    )


def _touch_reasons(
    interest: Interest | None, source: Source | None, rules: ScoringRules, repeat: bool
) -> tuple[Reason, ...]:
    repeat_reason = [Reason("repeat_touch", {}, rules.repeat_touch_points, "engagement")]
    return _without_zeros(
        [
            *_lookup(rules.interest_points, "interest", interest),
            *_lookup(rules.source_points, "source", source),
            *(repeat_reason if repeat else []),
        ]
    )


def decayed(acc: float, acc_at: float, now: float, half_life_seconds: float) -> float:
    """Engagement `acc` (valid at `acc_at`) as it stands at `now`; no decay backwards."""
    if half_life_seconds <= 0:
        raise ValueError(f"half-life must be positive, got {half_life_seconds}")
    elapsed = max(0.0, now - acc_at)
    return acc * math.exp2(-elapsed / half_life_seconds)


def time_below(
    acc: float, acc_at: float, threshold: float, half_life_seconds: float
) -> float | None:
    """When `acc` decays down to `threshold`; None if it is already there or never gets there."""
    if not acc > threshold > 0:
        return None
    return acc_at + half_life_seconds * math.log2(acc / threshold)


@dataclass(frozen=True)
class TouchFact:
    """What scoring needs of one capture: when, by whom, and the interest and source given.

    An engagement event (a webinar, a download) has its `kind` and the `points` it earned
    when it happened; each counts on its own, decayed, outside the capture windows.
    """

    at: float
    captured_by: str
    interest: Interest | None = None
    source: Source | None = None
    kind: str = ""
    points: float = 0.0


@dataclass
class _Window:
    """Captures of one person by one capturer close together: they count as one touch."""

    captured_by: str
    repeat: bool
    last_at: float
    best: tuple[Reason, ...] = ()
    best_at: float = 0.0

    def offer(self, reasons: tuple[Reason, ...], at: float) -> None:
        if not self.best or _total(reasons) > _total(self.best):
            self.best, self.best_at = reasons, at
        self.last_at = at


def _total(reasons: Sequence[Reason]) -> float:
    return sum(reason.points for reason in reasons)


def _windows(touches: Sequence[TouchFact], rules: ScoringRules) -> list[_Window]:
    windows: list[_Window] = []
    open_by_capturer: dict[str, _Window] = {}
    for touch in sorted(touches, key=lambda t: t.at):
        window = open_by_capturer.get(touch.captured_by)
        if window is None or touch.at - window.last_at > rules.touch_window_seconds:
            window = _Window(touch.captured_by, repeat=bool(windows), last_at=touch.at)
            windows.append(window)
            open_by_capturer[touch.captured_by] = window
        window.offer(
            touch_reasons(touch.interest, touch.source, rules, repeat=window.repeat), touch.at
        )
    return windows


def engagement_reasons(
    touches: Sequence[TouchFact], rules: ScoringRules, *, now: float
) -> tuple[Reason, ...]:
    """Engagement as of `now`, from every touch, decayed; a burst by one capturer counts once.

    Captures of one lead by the same capturer within `touch_window_minutes` of each other
    are one touch: it counts with the strongest of them, so a double submit or a replayed
    request adds nothing.
    """
    if len(touches) == 1 and not touches[0].kind:  # a new lead's first capture: one window
        only = touches[0]
        weight = decayed(1.0, only.at, now, rules.half_life_seconds)
        reasons = touch_reasons(only.interest, only.source, rules, repeat=False)
        return _without_zeros(
            [Reason(r.code, r.params, 0.0 + r.points * weight, "engagement") for r in reasons]
        )
    points: dict[str, float] = {}
    first: dict[str, Reason] = {}
    weighed: list[tuple[Reason, float]] = []
    for window in _windows([touch for touch in touches if not touch.kind], rules):
        weight = decayed(1.0, window.best_at, now, rules.half_life_seconds)
        weighed.extend((reason, weight) for reason in window.best)
    for touch in touches:
        if touch.kind and touch.points:
            weight = decayed(1.0, touch.at, now, rules.half_life_seconds)
            weighed.append((event_reason(touch.kind, touch.points), weight))
    for reason, weight in weighed:
        points[reason.key] = points.get(reason.key, 0.0) + reason.points * weight
        first.setdefault(reason.key, reason)
    return _without_zeros(
        [Reason(r.code, r.params, points[key], "engagement") for key, r in first.items()]
    )


def score_lead(
    profile: LeadDraft, touches: Sequence[TouchFact], rules: ScoringRules, *, now: float
) -> Score:
    """A lead's score as of `now`: fit from its profile, engagement from its touches."""
    fit = fit_reasons(profile, rules)
    engagement = engagement_reasons(touches, rules, now=now)
    return Score(fit=_total(fit), engagement=_total(engagement), reasons=(*fit, *engagement))
