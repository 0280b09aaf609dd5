"""Routing: region inference, first-match rules, and the Pass destination."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pydantic import TypeAdapter

from leads.routing import LeadFacts, Route, RoutingRule, infer_region, pass_destination, route

# "090-1234-5678" typed with full-width digits and hyphens, as Japanese IMEs often do.
FULL_WIDTH_MOBILE = "\uff10\uff19\uff10\uff0d\uff11\uff12\uff13\uff14\uff0d\uff15\uff16\uff17\uff18"


@pytest.mark.parametrize(
    ("email", "phone", "region"),
    [
        ("", "+81 3-1234-5678", "JP"),
        ("", "+1 (415) 555-0100", "US"),
        ("", "+44 20 7946 0000", "GB"),
        ("", "+49 30 123456", "DE"),
        ("", "+33 1 23 45 67 89", "FR"),
        ("", "+65 6123 4567", "SG"),
        ("", "+86 10 1234 5678", "CN"),
        ("", "+82 2 123 4567", "KR"),
        ("", "+61 2 1234 5678", "AU"),
        ("", "+91 22 1234 5678", "IN"),
        ("", "0044 20 7946 0000", "GB"),
        ("", "03-1234-5678", "JP"),
        ("", "090-1234-5678", "JP"),
        ("", FULL_WIDTH_MOBILE, "JP"),
        ("", "0312345", ""),
        ("", "415-555-0100", ""),
        ("", "+7 495 123 4567", ""),
        ("", "+1", ""),
        ("a@example.co.jp", "+44 20 7946 0000", "GB"),
        ("a@example.co.jp", "", "JP"),
        ("a@example.co.uk", "", "GB"),
        ("a@example.DE", "", "DE"),
        ("a@example.fr", "", "FR"),
        ("a@example.com.sg", "", "SG"),
        ("a@example.cn", "", "CN"),
        ("a@example.kr", "", "KR"),
        ("a@example.com.au", "", "AU"),
        ("a@example.in", "", "IN"),
        ("a@example.com", "", ""),
        ("a@example.com", "555-0100", ""),
        ("", "", ""),
    ],
)
def test_infer_region(email: str, phone: str, region: str) -> None:
    assert infer_region(email, phone) == region


FACTS = LeadFacts(source="event", event="Tokyo Expo 2025", region="JP", product="CRM Pro", score=80)

RULES = (
    RoutingRule(channel="C_ENTERPRISE", min_score=150, name="whales"),
    RoutingRule(channel="C_EXPO", source="event", event="tokyo expo *", region="jp", name="expo"),
    RoutingRule(channel="C_CRM", product="crm*", max_score=100, pass_to="C_ALL"),
    RoutingRule(channel="C_US", region="US", name="us"),
)


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (FACTS, Route("C_EXPO", "expo", "")),
        (
            LeadFacts("event", "Tokyo Expo 2025", "JP", "CRM Pro", 150),
            Route("C_ENTERPRISE", "whales", ""),
        ),
        (
            LeadFacts("web", "Tokyo Expo 2025", "JP", "CRM Pro", 80),
            Route("C_CRM", "rule 3", "C_ALL"),
        ),
        (LeadFacts("event", "Osaka Expo", "JP", "CRM Pro", 100), Route("C_CRM", "rule 3", "C_ALL")),
        (LeadFacts("event", "Osaka Expo", "JP", "CRM Pro", 101), Route("C_DEFAULT", "default", "")),
        (LeadFacts("event", "Tokyo Expo 2025", "US", "Analytics", 10), Route("C_US", "us", "")),
        (LeadFacts("web", "", "", "", 0), Route("C_DEFAULT", "default", "")),
    ],
)
def test_route_first_match_wins(facts: LeadFacts, expected: Route) -> None:
    assert route(facts, RULES, "C_DEFAULT") == expected


@pytest.mark.parametrize(
    ("rule", "matched"),
    [
        (RoutingRule(), True),
        (RoutingRule(source="EVENT"), True),
        (RoutingRule(source="web"), False),
        (RoutingRule(region="jp"), True),
        (RoutingRule(region="JPN"), False),
        (RoutingRule(event="*expo*"), True),
        (RoutingRule(event="TOKYO EXPO 202?"), True),
        (RoutingRule(event="Tokyo Expo"), False),
        (RoutingRule(product="crm pro"), True),
        (RoutingRule(product="[cd]rm*"), True),
        (RoutingRule(product="erp*"), False),
        (RoutingRule(min_score=80), True),
        (RoutingRule(min_score=81), False),
        (RoutingRule(max_score=80), True),
        (RoutingRule(max_score=79), False),
        (RoutingRule(min_score=80, max_score=80), True),
        (RoutingRule(min_score=-10, max_score=0), False),
    ],
)
def test_each_criterion(rule: RoutingRule, matched: bool) -> None:
    expected_channel = "C_RULE" if matched else "C_DEFAULT"
    assert route(FACTS, (replace(rule, channel="C_RULE"),), "C_DEFAULT").channel == expected_channel


def test_glob_does_not_match_missing_event() -> None:
    facts = LeadFacts("web", "", "", "", 0)
    assert route(facts, (RoutingRule(channel="C1", event="expo*"),), "C0").channel == "C0"
    assert route(facts, (RoutingRule(channel="C1", event="*"),), "C0").channel == "C1"


def test_rule_without_channel_lands_in_default() -> None:
    rules = (RoutingRule(pass_to="C_ALL", name="pass only"),)
    assert route(FACTS, rules, "C_DEFAULT") == Route("C_DEFAULT", "pass only", "C_ALL")


def test_no_rules_routes_to_default() -> None:
    assert route(FACTS, (), "C_DEFAULT") == Route("C_DEFAULT", "default", "")


@pytest.mark.parametrize(
    ("current", "pass_to", "destination"),
    [
        ("C_EXPO", "C_ALL", "C_ALL"),
        ("C_ALL", "C_ALL", None),
        ("C_EXPO", "", None),
        ("C_DEFAULT", "", None),
        ("C_OTHER", "C_ALL", "C_ALL"),
    ],
)
def test_pass_destination(current: str, pass_to: str, destination: str | None) -> None:
    assert pass_destination(current, Route("C_EXPO", "expo", pass_to), "C_DEFAULT") == destination


def test_rules_load_from_plain_data() -> None:
    rules = TypeAdapter(tuple[RoutingRule, ...]).validate_python(
        [{"channel": "C1", "event": "expo*", "min_score": 60, "name": "expo"}]
    )
    assert rules == (RoutingRule(channel="C1", event="expo*", min_score=60, name="expo"),)
