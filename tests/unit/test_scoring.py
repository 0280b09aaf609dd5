"""Scoring: fit and engagement reasons, decay maths, and the hot/cold invariant."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import pytest
from pydantic import TypeAdapter, ValidationError

from leads.model import Budget, CompanySize, Interest, LeadDraft, Source, Timeline
from leads.scoring import (
    Reason,
    Score,
    ScoringRules,
    TitleRule,
    add_engagement,
    decayed,
    fit_reasons,
    score_capture,
    time_below,
    touch_reasons,
)

RULES = ScoringRules()
DAY = 86_400.0
H = 30 * DAY
T0 = 1_700_000_000.0


def labels(reasons: tuple[Reason, ...]) -> list[str]:
    return [str(reason) for reason in reasons]


@pytest.mark.parametrize(
    ("reason", "text"),
    [
        (Reason("interest: Hot", 120, "engagement"), "+120 interest: Hot"),
        (Reason("title: Director", 15, "fit"), "+15 title: Director"),
        (Reason("free-mail domain", -15, "fit"), "-15 free-mail domain"),
        (Reason("earlier engagement", 29.6, "engagement"), "+30 earlier engagement"),
        (Reason("earlier engagement", -4.4, "engagement"), "-4 earlier engagement"),
        (Reason("tiny", 0.2, "engagement"), "+0 tiny"),
    ],
)
def test_reason_text_has_sign_and_rounded_points(reason: Reason, text: str) -> None:
    assert str(reason) == text
    assert reason.describe() == text


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("CEO", ["+20 title: C-level"]),
        ("Co-Founder & CTO", ["+20 title: C-level"]),
        ("President", ["+20 title: C-level"]),
        ("代表取締役社長", ["+20 title: C-level"]),
        ("CTO兼CFO", ["+20 title: C-level"]),
        ("Vice President of Sales", ["+15 title: Director"]),
        ("VP Engineering", ["+15 title: Director"]),
        ("Head of IT", ["+15 title: Director"]),
        ("営業本部長", ["+15 title: Director"]),
        ("Engineering Manager", ["+8 title: Manager"]),
        ("Tech Lead", ["+8 title: Manager"]),
        ("情報システム課長", ["+8 title: Manager"]),
        ("Graduate Student", ["-15 student"]),
        ("Summer Intern", ["-15 student"]),
        ("大学院生 (学生)", ["-15 student"]),
        ("Internal Audit Specialist", []),
        ("Headquarters liaison", []),
        ("Engineer", []),
        ("", []),
    ],
)
def test_title_rules_first_match_wins(title: str, expected: list[str]) -> None:
    assert labels(fit_reasons(LeadDraft(title=title), RULES)) == expected


@pytest.mark.parametrize(
    ("draft", "expected"),
    [
        (LeadDraft(), []),
        (
            LeadDraft(
                title="Director of IT",
                company_size=CompanySize.LARGE,
                budget=Budget.LARGE,
                timeline=Timeline.NOW,
                email="taro@example.co.jp",
            ),
            [
                "+15 title: Director",
                "+15 company size: 1000+",
                "+15 budget: Large",
                "+15 timeline: Now",
            ],
        ),
        (
            LeadDraft(
                company_size=CompanySize.SMALL,
                budget=Budget.NONE,
                timeline=Timeline.YEAR,
                email="someone@Gmail.com",
            ),
            [
                "+5 company size: 50-249",
                "-10 budget: None",
                "+5 timeline: Year",
                "-15 free-mail domain",
            ],
        ),
        (
            LeadDraft(
                company_size=CompanySize.MICRO,
                budget=Budget.UNKNOWN,
                timeline=Timeline.LATER,
                email="hanako@docomo.ne.jp",
            ),
            ["-15 free-mail domain"],
        ),
        (LeadDraft(company_size=CompanySize.UNKNOWN, timeline=Timeline.UNKNOWN), []),
        (LeadDraft(email="not-an-email"), []),
        (LeadDraft(email="a@mail.yahoo.co.jp"), ["-15 free-mail domain"]),
        (LeadDraft(email="a@notgmail.com"), []),
    ],
)
def test_fit_reasons_with_default_rules(draft: LeadDraft, expected: list[str]) -> None:
    reasons = fit_reasons(draft, RULES)
    assert labels(reasons) == expected
    assert all(reason.kind == "fit" for reason in reasons)


COMPETITOR_RULES = replace(
    RULES, competitor_domains=("rival.com",), industry_points={"FinTech": 10, "retail": -5}
)


@pytest.mark.parametrize(
    ("draft", "expected"),
    [
        (LeadDraft(email="x@rival.com"), ["-20 competitor domain"]),
        (LeadDraft(email="x@eu.Rival.com"), ["-20 competitor domain"]),
        (LeadDraft(email="x@arrival.com"), []),
        (LeadDraft(industry="fintech"), ["+10 industry: fintech"]),
        (LeadDraft(industry=" Retail "), ["-5 industry: Retail"]),
        (LeadDraft(industry="Mining"), []),
    ],
)
def test_competitor_and_industry_rules(draft: LeadDraft, expected: list[str]) -> None:
    assert labels(fit_reasons(draft, COMPETITOR_RULES)) == expected


@pytest.mark.parametrize(
    ("draft", "repeat", "expected"),
    [
        (
            LeadDraft(interest=Interest.HOT, source=Source.EVENT),
            False,
            ["+120 interest: Hot", "+10 source: Event"],
        ),
        (
            LeadDraft(interest=Interest.WARM, source=Source.REFERRAL),
            True,
            ["+30 interest: Warm", "+20 source: Referral", "+10 repeat touch"],
        ),
        (LeadDraft(interest=Interest.COLD, source=Source.MANUAL), False, ["-40 interest: Cold"]),
        (LeadDraft(), False, []),
        (LeadDraft(), True, ["+10 repeat touch"]),
    ],
)
def test_touch_reasons(draft: LeadDraft, repeat: bool, expected: list[str]) -> None:
    reasons = touch_reasons(draft, RULES, repeat=repeat)
    assert labels(reasons) == expected
    assert all(reason.kind == "engagement" for reason in reasons)


@pytest.mark.parametrize(
    ("acc", "acc_at", "now", "expected"),
    [
        (80.0, T0, T0, 80.0),
        (80.0, T0, T0 + H, 40.0),
        (80.0, T0, T0 + 2 * H, 20.0),
        (80.0, T0, T0 + H / 2, 80.0 / math.sqrt(2)),
        (-40.0, T0, T0 + H, -20.0),
        (80.0, T0, T0 - H, 80.0),
        (0.0, T0, T0 + H, 0.0),
    ],
)
def test_decayed(acc: float, acc_at: float, now: float, expected: float) -> None:
    assert decayed(acc, acc_at, now, H) == pytest.approx(expected)


def test_decayed_rejects_non_positive_half_life() -> None:
    with pytest.raises(ValueError, match="half-life"):
        decayed(1.0, T0, T0, 0.0)


@pytest.mark.parametrize(
    ("acc", "acc_at", "points", "now", "expected"),
    [
        (0.0, T0, 130.0, T0, (130.0, T0)),
        (100.0, T0, 10.0, T0 + H, (60.0, T0 + H)),
        (100.0, T0, -40.0, T0 + 2 * H, (-15.0, T0 + 2 * H)),
        (100.0, T0 + H, 0.0, T0, (100.0, T0)),
    ],
)
def test_add_engagement(
    acc: float, acc_at: float, points: float, now: float, expected: tuple[float, float]
) -> None:
    value, at = add_engagement(acc, acc_at, points, now, H)
    assert value == pytest.approx(expected[0])
    assert at == expected[1]


@pytest.mark.parametrize(
    ("acc", "threshold", "expected"),
    [
        (120.0, 60.0, T0 + H),
        (240.0, 60.0, T0 + 2 * H),
        (90.0, 60.0, T0 + H * math.log2(1.5)),
        (60.0, 60.0, None),
        (50.0, 60.0, None),
        (-10.0, 60.0, None),
        (120.0, 0.0, None),
        (120.0, -5.0, None),
    ],
)
def test_time_below(acc: float, threshold: float, expected: float | None) -> None:
    when = time_below(acc, T0, threshold, H)
    if expected is None:
        assert when is None
    else:
        assert when is not None
        assert when == pytest.approx(expected)
        assert decayed(acc, T0, when, H) == pytest.approx(threshold)


@pytest.mark.parametrize(
    ("fit", "engagement", "total"),
    [(10.0, 49.4, 59), (10.0, 49.6, 60), (0.0, -0.4, 0), (-20.0, 5.0, -15), (0.5, 0.0, 0)],
)
def test_total_is_rounded_sum(fit: float, engagement: float, total: int) -> None:
    assert Score(fit, engagement, ()).total == total


@pytest.mark.parametrize(("engagement", "hot"), [(59.4, False), (59.5, True), (60.0, True)])
def test_is_hot_at_threshold(engagement: float, hot: bool) -> None:
    assert Score(0.0, engagement, ()).is_hot(RULES) is hot


def test_top_reasons_by_absolute_points_stable() -> None:
    reasons = (
        Reason("a", 5, "fit"),
        Reason("b", -20, "fit"),
        Reason("c", 20, "engagement"),
        Reason("d", 120, "engagement"),
        Reason("e", 1, "fit"),
    )
    score = Score(5.0, 140.0, reasons)
    assert [reason.label for reason in score.top_reasons()] == ["d", "b", "c"]
    assert [reason.label for reason in score.top_reasons(10)] == ["d", "b", "c", "a", "e"]
    assert score.top_reasons(0) == ()


def test_score_capture_first_touch() -> None:
    draft = LeadDraft(
        title="CTO", email="ceo@gmail.com", interest=Interest.WARM, source=Source.SEMINAR
    )
    score, engagement = score_capture(draft, RULES, repeat=False, now=T0)
    assert labels(score.reasons) == [
        "+20 title: C-level",
        "-15 free-mail domain",
        "+30 interest: Warm",
        "+15 source: Seminar",
    ]
    assert (score.fit, score.engagement, engagement, score.total) == (5, 45, 45, 50)
    assert not score.is_hot(RULES)


def test_score_capture_carries_decayed_engagement() -> None:
    draft = LeadDraft(interest=Interest.WARM, source=Source.EVENT)
    score, engagement = score_capture(
        draft, RULES, repeat=True, previous_engagement=40.0, previous_at=T0, now=T0 + H
    )
    assert labels(score.reasons) == [
        "+20 earlier engagement",
        "+30 interest: Warm",
        "+10 source: Event",
        "+10 repeat touch",
    ]
    assert engagement == pytest.approx(70.0)
    assert score.total == 70
    assert score.is_hot(RULES)
    assert sum(reason.points for reason in score.reasons) == pytest.approx(score.fit + engagement)


def test_score_capture_without_previous_time_does_not_decay() -> None:
    _, engagement = score_capture(
        LeadDraft(), RULES, repeat=False, previous_engagement=12.0, now=T0
    )
    assert engagement == 12.0


TITLES = ("CEO", "Head of Sales", "Manager", "Engineer", "Student", "")
EMAILS = ("a@corp.example", "a@gmail.com", "a@rival.com", "")
INVARIANT_RULES = (RULES, replace(RULES, competitor_domains=("rival.com",)))
FIT_COMBOS = list(
    itertools.product(
        TITLES,
        (None, *CompanySize),
        (None, *Budget),
        (None, *Timeline),
        EMAILS,
        (None, *Source),
    )
)


@pytest.mark.parametrize("rules", INVARIANT_RULES, ids=["defaults", "with-competitor"])
@pytest.mark.parametrize(("interest", "hot"), [(Interest.HOT, True), (Interest.COLD, False)])
def test_first_capture_interest_decides_hotness(
    rules: ScoringRules, interest: Interest, hot: bool
) -> None:
    wrong = []
    for title, size, budget, timeline, email, source in FIT_COMBOS:
        draft = LeadDraft(
            title=title,
            company_size=size,
            budget=budget,
            timeline=timeline,
            email=email,
            source=source,
            interest=interest,
        )
        score, _ = score_capture(draft, rules, repeat=False, now=T0)
        if score.is_hot(rules) is not hot:
            wrong.append((draft, score.total))
    assert len(FIT_COMBOS) > 10_000
    assert wrong == []


def test_rules_load_from_plain_data() -> None:
    rules = TypeAdapter(ScoringRules).validate_python(
        {
            "hot_threshold": 70,
            "title_rules": [{"pattern": r"\bcto\b", "points": 25, "label": "title: CTO"}],
            "competitor_domains": ["rival.com"],
        }
    )
    assert rules.hot_threshold == 70
    assert rules.title_rules == (TitleRule(r"\bcto\b", 25, "title: CTO"),)
    assert rules.competitor_domains == ("rival.com",)
    assert rules.interest_points == RULES.interest_points


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"half_life_days": 0}, "half_life_days"),
        ({"title_rules": [{"pattern": "(", "points": 1, "label": "x"}]}, "bad pattern"),
    ],
)
def test_bad_rules_are_rejected(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        TypeAdapter(ScoringRules).validate_python(data)
