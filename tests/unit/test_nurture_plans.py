"""Nurture plans: what a plan may say, which leads it takes, which steps a lead may get."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from leadloop.nurture import facts_of
from leads.checks import FieldError
from leads.lead import Lead
from leads.model import Interest, LeadDraft, Source, Stage
from leads.nurture import (
    CONTACT_ACTIONS,
    Action,
    NurtureFacts,
    NurtureSettings,
    Plan,
    PlanStep,
    Segment,
    WorkingHours,
    doer_of,
    first_matching_plan,
    matches_segment,
    plan_named,
    step_allowed,
)

EMAIL = PlanStep(after="1d", action=Action.EMAIL, title="Thank-you email with the brochure")
CALL = PlanStep(after="3d", action=Action.CALL, title="Call about the brochure")
MATERIAL = PlanStep(after="1d", action=Action.MATERIAL, title="Case study", doer="C0INSIDE")
INVITE = PlanStep(after="14d", action=Action.INVITE, title="Seminar invitation", doer="owner")


def plan(name: str, segment: Segment | None = None) -> Plan:
    return Plan(name=name, segment=segment or Segment(), steps=(EMAIL, CALL, INVITE))


# --- what a plan may say -----------------------------------------------------------------


def test_the_defaults() -> None:
    settings = NurtureSettings()
    assert settings.working_hours == WorkingHours(
        "09:00", "18:00", ("mon", "tue", "wed", "thu", "fri")
    )
    assert settings.holidays == ()
    assert settings.require_consent_for == ()
    assert settings.snooze_choices == ("1d", "7d")
    assert settings.plans == ()


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        (
            {"after": "3x"},
            "after",
            "must look like 30m, 4h or 2d (minutes, hours or days), got '3x'",
        ),
        ({"after": "400d"}, "after", "must be at most 366d"),
        ({"action": "fax"}, "action", "must be one of email, call, material, invite, got 'fax'"),
        ({"title": "  "}, "title", "must say what to do"),
        ({"title": "x" * 151}, "title", "at most 150 characters"),
        ({"content": "x" * 2001}, "content", "at most 2000 characters"),
        ({"doer": "@taro"}, "doer", "must be capturer, owner, a user ID (U…/W…) or a channel ID"),
        ({"doer": "#sales"}, "doer", "got '#sales'"),
        ({"doer": "Capturer"}, "doer", "got 'Capturer'"),
        ({"points": -5}, "points", "must be 0 to 1000, got -5"),
    ],
)
def test_a_malformed_step_is_refused(changes: dict[str, object], field: str, reason: str) -> None:
    fields: dict[str, object] = {"after": "1d", "action": "email", "title": "Thanks", **changes}
    with pytest.raises(FieldError) as refused:
        PlanStep(**fields)  # type: ignore[arg-type]
    assert refused.value.field == field
    assert reason in refused.value.reason


@pytest.mark.parametrize(
    "doer", ["capturer", "owner", "U012AB3CD", "W0123ABC", "C0SALES", "G0PRIV"]
)
def test_every_kind_of_doer_is_accepted(doer: str) -> None:
    assert PlanStep(after="0m", action=Action.CALL, title="Call", doer=doer, points=0).doer == doer


@pytest.mark.parametrize(
    ("make", "field", "reason"),
    [
        (lambda: Plan(name="empty"), "steps", "must list at least one step"),
        (lambda: Plan(name=" ", steps=(EMAIL,)), "name", "must not be empty"),
        (lambda: Segment(score_at_least=60, score_below=60), "score_below", "above score_at_least"),
        (lambda: Segment(interest=("lukewarm",)), "interest", "hot, warm, cold, got 'lukewarm'"),  # type: ignore[arg-type]
        (lambda: Segment(source=("booth",)), "source", "got 'booth'"),  # type: ignore[arg-type]
        (lambda: WorkingHours(start="18:00", end="09:00"), "end", "must be after start (18:00)"),
        (lambda: WorkingHours(start="09:00", end="09:00"), "end", "must be after start"),
        (lambda: WorkingHours(start="9am"), "start", "HH:MM"),
        (lambda: WorkingHours(start="24:00", end="24:00"), "start", "not a time of day"),
        (lambda: WorkingHours(end="24:01"), "end", "not a time of day"),
        (lambda: WorkingHours(start="09:60"), "start", "not a time of day"),
        (lambda: WorkingHours(days=("mon", "fun")), "days", "got 'fun'"),
        (lambda: WorkingHours(days=()), "days", "at least one working day"),
        (lambda: NurtureSettings(holidays=("soon",)), "holidays", "dates like 2026-01-01"),  # type: ignore[arg-type]
        (
            lambda: NurtureSettings(holidays=(datetime(2026, 1, 1),)),
            "holidays",
            "dates like 2026-01-01",
        ),
        (
            lambda: NurtureSettings(require_consent_for=("fax",)),  # type: ignore[arg-type]
            "require_consent_for",
            "got 'fax'",
        ),
        (lambda: NurtureSettings(snooze_choices=()), "snooze_choices", "at least one delay"),
        (lambda: NurtureSettings(snooze_choices=("1d", "0m")), "snooze_choices", "longer than 0"),
        (lambda: NurtureSettings(snooze_choices=("1d", "24h")), "snooze_choices", "same delay"),
        (lambda: NurtureSettings(snooze_choices=("soon",)), "snooze_choices", "30m, 4h or 2d"),
        (
            lambda: NurtureSettings(plans=(plan("a"), plan("b"), plan("A "))),
            "plans",
            "plans.0 and plans.2 are both named 'A '",
        ),
    ],
)
def test_a_malformed_plan_or_setting_is_refused(make: object, field: str, reason: str) -> None:
    assert callable(make)
    with pytest.raises(FieldError) as refused:
        make()
    assert refused.value.field == field
    assert reason in refused.value.reason


def test_hours_may_end_at_midnight_and_days_ignore_case() -> None:
    hours = WorkingHours(start="00:00", end="24:00", days=("Mon", " sat "))
    assert (hours.start_minute, hours.end_minute) == (0, 24 * 60)
    assert hours.weekdays == frozenset({0, 5})


def test_a_step_knows_its_delay() -> None:
    assert CALL.delay.days == 3


def test_holidays_are_dates() -> None:
    assert NurtureSettings(holidays=(date(2026, 1, 1),)).holidays == (date(2026, 1, 1),)


# --- enrolment ---------------------------------------------------------------------------

BOOTH_WARM = NurtureFacts(
    interest=Interest.WARM, source=Source.EVENT, event="Tokyo Expo 2026", region="JP", score=35
)


@pytest.mark.parametrize(
    ("segment", "facts", "expected"),
    [
        (Segment(), NurtureFacts(), True),
        (Segment(interest=(Interest.WARM, Interest.COLD)), BOOTH_WARM, True),
        (Segment(interest=(Interest.COLD,)), BOOTH_WARM, False),
        (Segment(interest=(Interest.WARM,)), NurtureFacts(), False),
        (Segment(source=(Source.EVENT, Source.SEMINAR)), BOOTH_WARM, True),
        (Segment(source=(Source.WEB,)), BOOTH_WARM, False),
        (Segment(event="Tokyo Expo*"), BOOTH_WARM, True),
        (Segment(event="tokyo expo*"), BOOTH_WARM, True),
        (Segment(event="Osaka*"), BOOTH_WARM, False),
        (Segment(event="*"), NurtureFacts(), True),
        (Segment(region="jp"), BOOTH_WARM, True),
        (Segment(region="US"), BOOTH_WARM, False),
        (Segment(product="Cloud*"), NurtureFacts(product="cloud ERP"), True),
        (Segment(product="Cloud*"), NurtureFacts(product="On-prem"), False),
        (Segment(score_below=60), BOOTH_WARM, True),
        (Segment(score_below=35), BOOTH_WARM, False),
        (Segment(score_at_least=35), BOOTH_WARM, True),
        (Segment(score_at_least=36), BOOTH_WARM, False),
        (Segment(score_at_least=-50, score_below=0), NurtureFacts(score=-10), True),
        (Segment(consent=True), BOOTH_WARM, False),
        (Segment(consent=True), NurtureFacts(consent=True), True),
        (Segment(consent=True), NurtureFacts(consent=True, opted_out=True), False),
        (Segment(consent=False), NurtureFacts(opted_out=True), True),
        (
            Segment(interest=(Interest.WARM,), source=(Source.EVENT,), region="JP", score_below=60),
            BOOTH_WARM,
            True,
        ),
    ],
)
def test_matches_segment(segment: Segment, facts: NurtureFacts, expected: bool) -> None:
    assert matches_segment(segment, facts) is expected


def test_a_lead_enters_the_first_plan_it_matches() -> None:
    plans = (
        plan("web", Segment(source=(Source.WEB,))),
        plan("expo", Segment(event="Tokyo Expo*")),
        plan("everyone"),
    )
    assert first_matching_plan(plans, BOOTH_WARM) == plans[1]
    assert first_matching_plan(plans, NurtureFacts(source=Source.WEB)) == plans[0]
    assert first_matching_plan(plans, NurtureFacts(source=Source.MANUAL)) == plans[2]
    assert first_matching_plan(plans[:2], NurtureFacts()) is None
    assert first_matching_plan((), BOOTH_WARM) is None


def test_plans_are_found_by_name_ignoring_case() -> None:
    plans = (plan("Trade-show"), plan("whitepaper"))
    assert plan_named(plans, "trade-show") == plans[0]
    assert plan_named(plans, "gone") is None


# --- consent -----------------------------------------------------------------------------

ANYTHING = NurtureSettings()
CONSENT_FOR_WRITING = NurtureSettings(require_consent_for=(Action.EMAIL, Action.MATERIAL))
CONSENT_FOR_CALLS = NurtureSettings(require_consent_for=(Action.CALL,))
CARD_AT_BOOTH = NurtureFacts()
CONSENTED = NurtureFacts(consent=True)
OPTED_OUT = NurtureFacts(consent=True, opted_out=True)


@pytest.mark.parametrize(
    ("step", "facts", "settings", "expected"),
    [
        # By default a business card is enough for every step.
        (EMAIL, CARD_AT_BOOTH, ANYTHING, True),
        (MATERIAL, CARD_AT_BOOTH, ANYTHING, True),
        (CALL, CARD_AT_BOOTH, ANYTHING, True),
        (INVITE, CARD_AT_BOOTH, ANYTHING, True),
        # Opting out (or refusing) stops what reaches the lead in writing, never a call.
        (EMAIL, OPTED_OUT, ANYTHING, False),
        (MATERIAL, OPTED_OUT, ANYTHING, False),
        (CALL, OPTED_OUT, ANYTHING, True),
        (INVITE, OPTED_OUT, ANYTHING, True),
        # The rules file can ask for recorded consent.
        (EMAIL, CARD_AT_BOOTH, CONSENT_FOR_WRITING, False),
        (EMAIL, CONSENTED, CONSENT_FOR_WRITING, True),
        (MATERIAL, CARD_AT_BOOTH, CONSENT_FOR_WRITING, False),
        (CALL, CARD_AT_BOOTH, CONSENT_FOR_WRITING, True),
        (CALL, CARD_AT_BOOTH, CONSENT_FOR_CALLS, False),
        (CALL, CONSENTED, CONSENT_FOR_CALLS, True),
        (CALL, OPTED_OUT, CONSENT_FOR_CALLS, False),
        (EMAIL, CARD_AT_BOOTH, CONSENT_FOR_CALLS, True),
    ],
)
def test_step_allowed(
    step: PlanStep, facts: NurtureFacts, settings: NurtureSettings, expected: bool
) -> None:
    assert step_allowed(step, facts, settings) is expected


def test_written_contact_is_email_and_material() -> None:
    assert frozenset({Action.EMAIL, Action.MATERIAL}) == CONTACT_ACTIONS


# --- doers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "owner", "expected"),
    [
        (EMAIL, None, "UCAPTURER"),
        (EMAIL, "UOWNER", "UCAPTURER"),
        (INVITE, "UOWNER", "UOWNER"),
        (INVITE, None, "UCAPTURER"),
        (MATERIAL, "UOWNER", "C0INSIDE"),
        (PlanStep(after="1d", action=Action.CALL, title="Call", doer="W0ABC"), None, "W0ABC"),
    ],
)
def test_doer_of(step: PlanStep, owner: str | None, expected: str) -> None:
    assert doer_of(step, capturer="UCAPTURER", owner=owner) == expected


def test_an_opted_out_lead_is_enrolled_past_consent_only_plans() -> None:
    consent_only = Plan("consent-only", Segment(consent=True), (EMAIL,))
    anyone = Plan("anyone", Segment(), (CALL,))
    profile = LeadDraft(email="a@b.jp", consent=True)
    lead = Lead(
        id=1,
        profile=profile,
        stage=Stage.NEW,
        owner=None,
        score=0,
        fit=0.0,
        engagement=0.0,
        reasons=(),
        region="",
        touch_count=1,
        captured_by="U0STAFF",
        created_at=datetime(2026, 11, 24, tzinfo=UTC),
    )
    opted_out = replace(lead, profile=replace(profile, opted_out=True))

    assert first_matching_plan((consent_only, anyone), facts_of(lead)) == consent_only
    assert facts_of(opted_out).opted_out
    assert first_matching_plan((consent_only, anyone), facts_of(opted_out)) == anyone
