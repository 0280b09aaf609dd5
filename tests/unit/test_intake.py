"""Web intake: lead and engagement JSON, per-source secrets, and the engagement points."""

from __future__ import annotations

import base64
import dataclasses
from types import ModuleType

import pytest

from blocks.catalogue import PROBLEMS
from blocks.messages import field_errors
from leads import answers, importing, intake, validation
from leads.checks import FieldError
from leads.engagement import (
    EngagementKind,
    EngagementSettings,
    engagement_kind,
    engagement_points,
)
from leads.intake import (
    EMAIL_REQUIRED,
    KIND_UNKNOWN,
    NOT_AN_OBJECT,
    NOT_TEXT,
    NOT_TRUE_FALSE,
    IntakeSettings,
    IntakeSource,
    engagement_from_json,
    lead_from_json,
    webhook_secret_key,
)
from leads.model import Interest, LeadDraft, Source
from leads.validation import EMAIL_INVALID, NAME_OR_EMAIL, PHONE_DIGITS, Problem, too_long

KEY = bytes(range(32))
SECRET = "whsec_" + base64.b64encode(KEY).decode()

# --- leads -------------------------------------------------------------------------------


def test_a_full_web_form_becomes_a_normalized_draft() -> None:
    draft = lead_from_json(
        {
            "name": "  山田 太郎 ",
            "company": "アクメ株式会社",
            "email": "Taro.Yamada@ACME.co.jp ",
            "phone": "０３−１２３４−５６７８",
            "title": "営業部 部長",
            "event": "Whitepaper: DX 2026",
            "interest": "Warm",
            "notes": "Downloaded the whitepaper\x00",
            "consent": True,
            "utm_source": "newsletter",
        }
    )
    assert draft == LeadDraft(
        name="山田 太郎",
        company="アクメ株式会社",
        email="taro.yamada@acme.co.jp",
        phone="03-1234-5678",
        title="営業部 部長",
        source=Source.WEB,
        event="Whitepaper: DX 2026",
        interest=Interest.WARM,
        consent=True,
        notes="Downloaded the whitepaper",
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"email": "jane@example.com"}, LeadDraft(email="jane@example.com", source=Source.WEB)),
        (
            {"name": "Jane", "email": None, "consent": None},
            LeadDraft(name="Jane", source=Source.WEB),
        ),
        ({"name": "Jane", "interest": ""}, LeadDraft(name="Jane", source=Source.WEB)),
        (
            {"name": "Jane", "interest": " HOT "},
            LeadDraft(name="Jane", interest=Interest.HOT, source=Source.WEB),
        ),
        (
            {"name": "Jane", "consent": False},
            LeadDraft(name="Jane", consent=False, source=Source.WEB),
        ),
    ],
)
def test_optional_fields_may_be_missing_or_null(body: object, expected: LeadDraft) -> None:
    assert lead_from_json(body) == expected


def test_the_source_can_be_given() -> None:
    draft = lead_from_json({"name": "Jane"}, source=Source.SEMINAR)
    assert isinstance(draft, LeadDraft)
    assert draft.source == Source.SEMINAR


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ([], {"body": NOT_AN_OBJECT}),
        ("name=Jane", {"body": NOT_AN_OBJECT}),
        (None, {"body": NOT_AN_OBJECT}),
        ({}, {"name": NAME_OR_EMAIL}),
        ({"name": 42, "email": "jane@example.com"}, {"name": NOT_TEXT}),
        ({"name": "Jane", "phone": 312345678}, {"phone": NOT_TEXT}),
        ({"name": "Jane", "notes": ["a", "b"]}, {"notes": NOT_TEXT}),
        ({"name": "Jane", "consent": "yes"}, {"consent": NOT_TRUE_FALSE}),
        ({"name": "Jane", "consent": 1}, {"consent": NOT_TRUE_FALSE}),
        ({"name": "Jane", "interest": "lukewarm"}, {"interest": answers.INTEREST_UNKNOWN}),
        ({"name": "Jane", "interest": 3}, {"interest": NOT_TEXT}),
        ({"name": "Jane", "email": "jane@"}, {"email": EMAIL_INVALID}),
        ({"name": "Jane", "phone": "12"}, {"phone": PHONE_DIGITS}),
        ({"name": "J" * 201}, {"name": too_long(200, 201)}),
        ({"name": 7}, {"name": NOT_TEXT}),
        (
            {"email": "nope", "consent": "on", "company": {"name": "Acme"}},
            {"email": EMAIL_INVALID, "consent": NOT_TRUE_FALSE, "company": NOT_TEXT},
        ),
    ],
)
def test_bad_fields_are_named_with_their_problem(
    body: object, expected: dict[str, Problem]
) -> None:
    assert lead_from_json(body) == expected


def test_problems_read_as_form_errors_in_both_languages() -> None:
    errors = lead_from_json({"email": "nope", "consent": "on", "interest": "lukewarm"})
    assert isinstance(errors, dict)
    assert field_errors(errors, "en") == {
        "email": "Enter an email like name@company.com",
        "consent": "Send true or false",
        "interest": "Use hot, warm or cold",
    }
    assert all(field_errors(errors, "ja").values())


# --- engagement events -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"email": " Jane@Example.com", "kind": "webinar_attended"},
            ("jane@example.com", EngagementKind.WEBINAR_ATTENDED),
        ),
        (
            {"email": "jane@example.com", "kind": "Pricing_Page_Visited ", "at": "now"},
            ("jane@example.com", EngagementKind.PRICING_PAGE_VISITED),
        ),
        ({}, {"email": EMAIL_REQUIRED, "kind": KIND_UNKNOWN}),
        ([1], {"body": NOT_AN_OBJECT}),
        ({"email": "jane@example.com", "kind": "liked"}, {"kind": KIND_UNKNOWN}),
        ({"email": "jane@example.com", "kind": 3}, {"kind": NOT_TEXT}),
        ({"email": "jane", "kind": "email_opened"}, {"email": EMAIL_INVALID}),
        ({"email": 5, "kind": "email_opened"}, {"email": NOT_TEXT}),
        ({"email": "  ", "kind": "email_opened"}, {"email": EMAIL_REQUIRED}),
    ],
)
def test_engagement_from_json(
    body: object, expected: tuple[str, EngagementKind] | dict[str, Problem]
) -> None:
    assert engagement_from_json(body) == expected


def test_every_kind_has_default_points_and_a_setting() -> None:
    names = [field.name for field in dataclasses.fields(EngagementSettings)]
    assert names == [kind.value for kind in EngagementKind]
    defaults = EngagementSettings()
    assert {kind: engagement_points(kind, defaults) for kind in EngagementKind} == {
        EngagementKind.EMAIL_OPENED: 1,
        EngagementKind.EMAIL_CLICKED: 5,
        EngagementKind.WEBINAR_REGISTERED: 10,
        EngagementKind.WEBINAR_ATTENDED: 20,
        EngagementKind.WHITEPAPER_DOWNLOADED: 10,
        EngagementKind.PRICING_PAGE_VISITED: 20,
        EngagementKind.UNSUBSCRIBED: 0,
    }


def test_points_come_from_the_settings() -> None:
    settings = EngagementSettings(webinar_attended=40, email_opened=0)
    assert engagement_points(EngagementKind.WEBINAR_ATTENDED, settings) == 40
    assert engagement_points(EngagementKind.EMAIL_OPENED, settings) == 0


def test_unknown_kinds() -> None:
    assert engagement_kind("email_opened") is EngagementKind.EMAIL_OPENED
    assert engagement_kind("liked") is None
    with pytest.raises(ValueError, match="liked"):
        engagement_points("liked", EngagementSettings())  # type: ignore[arg-type]


def test_absurd_points_are_refused() -> None:
    with pytest.raises(FieldError, match="-1000 to 1000") as refused:
        EngagementSettings(pricing_page_visited=5000)
    assert refused.value.field == "pricing_page_visited"


# --- sources and secrets -----------------------------------------------------------------


def test_a_secret_holds_its_key() -> None:
    assert webhook_secret_key(SECRET) == KEY
    assert IntakeSource(secret=SECRET).key == KEY
    assert IntakeSettings(sources={"website": IntakeSource(SECRET)}).source("website") is not None
    assert IntakeSettings().source("website") is None


@pytest.mark.parametrize(
    ("secret", "reason"),
    [
        ("", "must be whsec_ and base64"),
        ("whsec_", "must be whsec_ and base64"),
        (base64.b64encode(KEY).decode(), "must be whsec_ and base64"),
        ("whsec_not base64!", "followed by base64"),
        ("whsec_" + base64.b64encode(b"short").decode(), "at least 24 random bytes, has 5"),
        ("whsec_" + base64.b64encode(KEY).decode().rstrip("="), "followed by base64"),
    ],
)
def test_a_malformed_secret_is_refused_without_showing_it(secret: str, reason: str) -> None:
    with pytest.raises(FieldError) as refused:
        IntakeSource(secret=secret)
    assert refused.value.field == "secret"
    assert reason in refused.value.reason
    if len(secret) > 8:
        assert secret not in str(refused.value)


@pytest.mark.parametrize("name", ["website", "lp-2026", "partner_portal", "a.b", "W3"])
def test_source_names_fit_in_a_url(name: str) -> None:
    assert name in IntakeSettings(sources={name: IntakeSource(SECRET)}).sources


@pytest.mark.parametrize("name", ["", "web site", "../admin", "-x", "ウェブ", "x" * 65])
def test_source_names_that_break_a_url_are_refused(name: str) -> None:
    with pytest.raises(FieldError, match="part of the URL"):
        IntakeSettings(sources={name: IntakeSource(SECRET)})


# --- every problem the domain can name has words -----------------------------------------


def _problems(module: ModuleType) -> list[Problem]:
    return [value for value in vars(module).values() if isinstance(value, Problem)]


@pytest.mark.parametrize("module", [validation, answers, intake, importing])
def test_every_problem_has_a_message(module: ModuleType) -> None:
    problems = _problems(module)
    assert problems
    for problem in problems:
        assert problem.code in PROBLEMS
