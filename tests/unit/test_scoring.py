"""Scoring: fit and engagement reasons, decay maths, and the hot/cold invariant."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import pytest
from pydantic import TypeAdapter, ValidationError

from blocks.words import describe_reason
from leads.model import Budget, CompanySize, Interest, LeadDraft, Source, Timeline
from leads.scoring import (
    Reason,
    Score,
    ScoringRules,
    TitleRule,
    TouchFact,
    decayed,
    engagement_reasons,
    fit_reasons,
    score_lead,
    time_below,
    touch_reasons,
)

RULES = ScoringRules()
DAY = 86_400.0
H = 30 * DAY
T0 = 1_700_000_000.0


def labels(reasons: tuple[Reason, ...]) -> list[str]:
    return [describe_reason(reason, "en") for reason in reasons]


@pytest.mark.parametrize(
    ("reason", "text"),
    [
        (Reason("interest", {"interest": "hot"}, 120, "engagement"), "+120 interest: Hot"),
        (Reason("title", {"level": "director"}, 15, "fit"), "+15 title: Director"),
        (Reason("free_mail", {"domain": "gmail.com"}, -15, "fit"), "-15 free-mail domain"),
        (Reason("repeat_touch", {}, 29.6, "engagement"), "+30 repeat touch"),
        (Reason("repeat_touch", {}, -4.4, "engagement"), "-4 repeat touch"),
        (Reason("title", {"level": "Sales VP"}, 9, "fit"), "+9 title: Sales VP"),
        (Reason("from_the_future", {}, 0.2, "engagement"), "+0 from_the_future"),
    ],
)
def test_reason_text_has_sign_and_rounded_points(reason: Reason, text: str) -> None:
    assert describe_reason(reason, "en") == text


def test_reasons_of_one_cause_share_a_key() -> None:
    first = Reason("interest", {"interest": "hot"}, 120, "engagement")
    assert first.key == Reason("interest", {"interest": "hot"}, 60, "engagement").key
    assert first.key != Reason("interest", {"interest": "warm"}, 30, "engagement").key


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
        ("Graduate Student", ["-15 title: Student"]),
        ("Summer Intern", ["-15 title: Student"]),
        ("大学院生 (学生)", ["-15 title: Student"]),
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
                "+15 timeline: Within a month",
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
                "-10 budget: No budget",
                "+5 timeline: This year",
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
            ["+120 interest: Hot", "+10 source: Event booth"],
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
    reasons = touch_reasons(draft.interest, draft.source, RULES, repeat=repeat)
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
        Reason("a", {}, 5, "fit"),
        Reason("b", {}, -20, "fit"),
        Reason("c", {}, 20, "engagement"),
        Reason("d", {}, 120, "engagement"),
        Reason("e", {}, 1, "fit"),
    )
    score = Score(5.0, 140.0, reasons)
    assert [reason.code for reason in score.top_reasons()] == ["d", "b", "c"]
    assert [reason.code for reason in score.top_reasons(10)] == ["d", "b", "c", "a", "e"]
    assert score.top_reasons(0) == ()


def touch(
    at: float,
    by: str = "U0STAFF",
    interest: Interest | None = None,
    source: Source | None = Source.EVENT,
) -> TouchFact:
    return TouchFact(at=at, captured_by=by, interest=interest, source=source)


def test_score_of_a_first_touch() -> None:
    draft = LeadDraft(title="CTO", email="ceo@gmail.com")
    score = score_lead(
        draft, [touch(T0, interest=Interest.WARM, source=Source.SEMINAR)], RULES, now=T0
    )
    assert labels(score.reasons) == [
        "+20 title: C-level",
        "-15 free-mail domain",
        "+30 interest: Warm",
        "+15 source: Seminar",
    ]
    assert (score.fit, score.engagement, score.total) == (5, 45, 50)
    assert not score.is_hot(RULES)


def test_earlier_touches_decay_and_repeat_touches_add() -> None:
    touches = [
        touch(T0, interest=Interest.WARM),
        touch(T0 + H, by="U0OTHER", interest=Interest.WARM),
    ]
    score = score_lead(LeadDraft(), touches, RULES, now=T0 + H)
    assert labels(score.reasons) == [
        "+45 interest: Warm",
        "+15 source: Event booth",
        "+10 repeat touch",
    ]
    assert score.engagement == pytest.approx((30 + 10) / 2 + 30 + 10 + 10)
    assert score.is_hot(RULES)
    assert sum(reason.points for reason in score.reasons) == pytest.approx(
        score.fit + score.engagement
    )


@pytest.mark.parametrize(
    ("gaps_minutes", "interests", "expected"),
    [
        ([0, 1, 1, 1], ["warm"] * 4, 40),  # a double submit and two replays: one touch
        ([0, 9], ["warm", "warm"], 40),  # within the window
        ([0, 11], ["warm", "warm"], 90),  # a real second touch later: 40 + 40 + 10 repeat
        ([0, 5, 5, 5], ["warm"] * 4, 40),  # a chain, each within 10 min of the one before
        ([0, 2], ["warm", "hot"], 130),  # the stronger capture in the window counts
        ([0, 2], ["hot", "cold"], 130),  # a weaker one takes nothing away
    ],
)
def test_captures_by_one_person_close_together_count_once(
    gaps_minutes: list[int], interests: list[str], expected: float
) -> None:
    at, touches = T0, []
    for gap, interest in zip(gaps_minutes, interests, strict=True):
        at += gap * 60
        touches.append(touch(at, interest=Interest(interest)))
    engagement = sum(r.points for r in engagement_reasons(touches, RULES, now=at))
    assert engagement == pytest.approx(expected, abs=0.1)


def test_two_capturers_at_once_are_two_touches() -> None:
    touches = [
        touch(T0, interest=Interest.WARM),
        touch(T0 + 60, by="U0OTHER", interest=Interest.WARM),
    ]
    engagement = sum(r.points for r in engagement_reasons(touches, RULES, now=T0 + 60))
    assert engagement == pytest.approx(90, abs=0.1)


def test_the_touch_window_is_configurable() -> None:
    rules = replace(RULES, touch_window_minutes=0)
    touches = [touch(T0, interest=Interest.WARM), touch(T0 + 60, interest=Interest.WARM)]
    engagement = sum(r.points for r in engagement_reasons(touches, rules, now=T0 + 60))
    assert engagement == pytest.approx(90, abs=0.1)


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
        score = score_lead(draft, [touch(T0, interest=interest, source=source)], rules, now=T0)
        if score.is_hot(rules) is not hot:
            wrong.append((draft, score.total))
    assert len(FIT_COMBOS) > 10_000
    assert wrong == []


def test_rules_load_from_plain_data() -> None:
    rules = TypeAdapter(ScoringRules).validate_python(
        {
            "hot_threshold": 70,
            "title_rules": [{"pattern": r"\bcto\b", "points": 25, "level": "CTO"}],
            "competitor_domains": ["rival.com"],
        }
    )
    assert rules.hot_threshold == 70
    assert rules.title_rules == (TitleRule(r"\bcto\b", 25, "CTO"),)
    assert rules.competitor_domains == ("rival.com",)
    assert rules.interest_points == RULES.interest_points


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"half_life_days": 0}, "half_life_days"),
        ({"title_rules": [{"pattern": "(", "points": 1, "level": "x"}]}, "bad pattern"),
    ],
)
def test_bad_rules_are_rejected(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        TypeAdapter(ScoringRules).validate_python(data)
