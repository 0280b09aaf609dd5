"""Routing: which sales channel a lead goes to, and where it goes when passed on."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from fnmatch import fnmatchcase

from leads.checks import FieldError, require_channel_id
from leads.scoring import email_domain

COUNTRY_CODE_REGIONS = {
    "1": "US",
    "33": "FR",
    "44": "GB",
    "49": "DE",
    "61": "AU",
    "65": "SG",
    "81": "JP",
    "82": "KR",
    "86": "CN",
    "91": "IN",
}

CCTLD_REGIONS = {
    "jp": "JP",
    "uk": "GB",
    "de": "DE",
    "fr": "FR",
    "sg": "SG",
    "cn": "CN",
    "kr": "KR",
    "au": "AU",
    "in": "IN",
}

JP_DOMESTIC_DIGITS = range(10, 12)


def _phone_digits(phone: str) -> tuple[bool, str]:
    """(is international, digits after any `+` or `00` prefix) of a typed phone number."""
    text = unicodedata.normalize("NFKC", phone).strip()
    digits = "".join(char for char in text if char.isdigit())
    if text.startswith("+"):
        return True, digits
    if digits.startswith("00"):
        return True, digits[2:]
    return False, digits


def _region_from_phone(phone: str) -> str:
    international, digits = _phone_digits(phone)
    if international:
        for length in (1, 2, 3):
            region = COUNTRY_CODE_REGIONS.get(digits[:length])
            if region and len(digits) > length:
                return region
        return ""
    if digits.startswith("0") and len(digits) in JP_DOMESTIC_DIGITS:
        return "JP"
    return ""


def _region_from_email(email: str) -> str:
    return CCTLD_REGIONS.get(email_domain(email).rpartition(".")[2], "")


def infer_region(email: str, phone: str) -> str:
    """Region from the phone's country code or a JP domestic number, else the email's ccTLD."""
    return _region_from_phone(phone) or _region_from_email(email)


@dataclass(frozen=True)
class RoutingRule:
    """One routing rule; empty criteria match anything, event/product are globs."""

    channel: str = ""
    source: str = ""
    event: str = ""
    region: str = ""
    product: str = ""
    min_score: int | None = None
    max_score: int | None = None
    pass_to: str = ""
    name: str = ""

    def __post_init__(self) -> None:
        require_channel_id("channel", self.channel)
        require_channel_id("pass_to", self.pass_to)
        if (
            self.min_score is not None
            and self.max_score is not None
            and self.min_score > self.max_score
        ):
            raise FieldError("max_score", f"must not be below min_score ({self.min_score})")


@dataclass(frozen=True)
class LeadFacts:
    """What routing needs to know about a lead."""

    source: str
    event: str
    region: str
    product: str
    score: int


@dataclass(frozen=True)
class Route:
    """Where a lead goes: its channel, the rule that sent it, and where Pass sends it."""

    channel: str
    rule_name: str
    pass_to: str


def _same(wanted: str, actual: str) -> bool:
    return not wanted or wanted.casefold() == actual.casefold()


def _glob(pattern: str, actual: str) -> bool:
    return not pattern or fnmatchcase(actual.casefold(), pattern.casefold())


def _in_band(rule: RoutingRule, score: int) -> bool:
    above_min = rule.min_score is None or score >= rule.min_score
    below_max = rule.max_score is None or score <= rule.max_score
    return above_min and below_max


def matches(rule: RoutingRule, facts: LeadFacts) -> bool:
    """Whether every non-empty criterion of `rule` matches `facts`."""
    return (
        _same(rule.source, facts.source)
        and _same(rule.region, facts.region)
        and _glob(rule.event, facts.event)
        and _glob(rule.product, facts.product)
        and _in_band(rule, facts.score)
    )


def route(facts: LeadFacts, rules: tuple[RoutingRule, ...], default_channel: str) -> Route:
    """The first matching rule's route, or the default channel when none matches."""
    for number, rule in enumerate(rules, start=1):
        if matches(rule, facts):
            return Route(
                channel=rule.channel or default_channel,
                rule_name=rule.name or f"rule {number}",
                pass_to=rule.pass_to,
            )
    return Route(channel=default_channel, rule_name="default", pass_to="")


def pass_destination(current_channel: str, route: Route, default_channel: str) -> str | None:
    """Where Pass in `current_channel` sends the lead; None means it stays in this queue."""
    if route.pass_to and route.pass_to != current_channel:
        return route.pass_to
    return None
