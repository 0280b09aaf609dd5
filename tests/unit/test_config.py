"""The YAML rules file: defaults, overrides, and refusals that name the line and reason."""

from __future__ import annotations

from datetime import date
from itertools import takewhile
from pathlib import Path

import pytest

from bot.config import load_config, parse_config
from bot.settings import SettingError
from leads.config import LeadbotConfig
from leads.model import Interest, Source
from leads.nurture import Action, Segment
from leads.routing import RoutingRule

EXAMPLE = Path(__file__).resolve().parents[2] / "leadbot.example.yml"


def test_shipped_example_is_exactly_the_defaults() -> None:
    assert load_config(EXAMPLE) == LeadbotConfig()


def test_no_file_means_defaults() -> None:
    assert load_config(None) == LeadbotConfig()


def test_empty_file_means_defaults() -> None:
    assert parse_config("") == LeadbotConfig()


def test_overrides_keep_other_defaults() -> None:
    config = parse_config(
        "scoring:\n  hot_threshold: 80\nrouting:\n  - channel: C0JAPAN\n    region: JP\n"
    )
    assert config.scoring.hot_threshold == 80
    assert config.scoring.half_life_days == LeadbotConfig().scoring.half_life_days
    assert config.routing == (RoutingRule(channel="C0JAPAN", region="JP"),)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "scoring:\n  hot_treshold: 5\n",
            "line 2: unknown setting scoring.hot_treshold (did you mean hot_threshold?)",
        ),
        ("scoring:\n  hot_threshold: lots\n", "line 2: scoring.hot_threshold:"),
        ("sla:\n  business_hours:\n    timezone: Mars/Base\n", "line 3"),
        ("sla:\n  business_hours:\n    start: '25:00'\n", "line 3"),
        (
            "routing:\n  - channel: C1\n    colour: red\n",
            "line 3: unknown setting routing.0.colour",
        ),
        ("scoring: [1, 2\n", "line 2"),
        ("- just\n- a list\n", "line 1: the top level must be a mapping"),
        ("claim:\n  mode: everyone\n", "line 2"),
        ("scoring:\n  title_rules:\n    - pattern: '('\n", "line 3"),
    ],
)
def test_malformed_rules_are_refused_with_line_and_reason(text: str, expected: str) -> None:
    with pytest.raises(SettingError) as refused:
        parse_config(text, source="rules.yml")
    message = str(refused.value)
    assert message.startswith("rules.yml line ")
    assert expected in message
    assert "\n" not in message


def test_unreadable_file_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(SettingError, match="LEADBOT_CONFIG"):
        load_config(tmp_path / "missing.yml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "sweeps:\n  deliver_seconds: 0\n",
            "rules.yml line 2: sweeps.deliver_seconds: must be more than 0 seconds, got 0",
        ),
        (
            "sweeps:\n  deliver_seconds: 2\n  cleanup_seconds: -60\n",
            "rules.yml line 3: sweeps.cleanup_seconds: must be more than 0 seconds, got -60",
        ),
        (
            "delivery:\n  per_channel_interval_seconds: 0\n",
            "rules.yml line 2: delivery.per_channel_interval_seconds: must be more than 0 seconds",
        ),
        (
            "delivery:\n  lease_seconds: .nan\n",
            "rules.yml line 2: delivery.lease_seconds: must be more than 0 seconds, got nan",
        ),
        (
            "delivery:\n  first_retry_seconds: 60\n  max_retry_seconds: 30\n",
            "rules.yml line 3: delivery.max_retry_seconds: must not be below first_retry_seconds",
        ),
        (
            "routing:\n  - name: japan\n    channel: '#sales-japan'\n",
            "rules.yml line 3: routing.0.channel: must be a channel ID like C0123456789"
            " (not a channel name), got '#sales-japan'",
        ),
        (
            "routing:\n  - channel: C0JAPAN\n  - channel: C0EXPO\n    pass_to: partners\n",
            "rules.yml line 4: routing.1.pass_to: must be a channel ID like C0123456789",
        ),
        (
            "sla:\n  reannounce_after_minutes: 15\n  escalate_to: '@sales-lead'\n",
            "rules.yml line 3: sla.escalate_to: must be a Slack user ID (U…/W…) or channel ID",
        ),
    ],
)
def test_bad_intervals_and_ids_are_refused_at_their_line(text: str, expected: str) -> None:
    with pytest.raises(SettingError) as refused:
        parse_config(text, source="rules.yml")
    assert str(refused.value).startswith(expected)


def test_slack_ids_are_accepted_where_ids_belong() -> None:
    config = parse_config(
        "routing:\n  - {channel: C0JAPAN, pass_to: G0PARTNERS}\n"
        "sla: {escalate_to: W0123ABC}\n"
        "sweeps: {deliver_seconds: 0.5}\n"
    )
    assert config.routing[0].pass_to == "G0PARTNERS"
    assert config.sla.escalate_to == "W0123ABC"
    assert config.sweeps.deliver_seconds == 0.5


# --- nurture, engagement, intake and list import ----------------------------------------

NURTURE_PLANS = Path(__file__).resolve().parents[2] / "examples" / "nurture-plans.yml"
STEP = "        - after: 1d\n          action: email\n          title: Thanks\n"


def plan_yaml(step: str = STEP, *, name: str = "follow-up", segment: str = "") -> str:
    return f"    - name: {name}\n{segment}      steps:\n{step}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "nurture:\n  plans:\n" + plan_yaml(STEP.replace("1d", "3x")),
            "rules.yml line 5: nurture.plans.0.steps.0.after: must look like 30m, 4h or 2d"
            " (minutes, hours or days), got '3x'",
        ),
        (
            "nurture:\n  plans:\n" + plan_yaml(STEP.replace("email", "fax")),
            "rules.yml line 6: nurture.plans.0.steps.0.action: Input should be 'email', 'call',"
            " 'material' or 'invite'",
        ),
        (
            "nurture:\n  plans:\n" + plan_yaml(STEP + "          doer: '#sales'\n"),
            "rules.yml line 8: nurture.plans.0.steps.0.doer: must be capturer, owner, a user ID",
        ),
        (
            "nurture:\n  plans:\n" + plan_yaml(STEP + "          points: -5\n"),
            "rules.yml line 8: nurture.plans.0.steps.0.points: must be 0 to 1000, got -5",
        ),
        (
            "nurture:\n  plans:\n" + plan_yaml(STEP + "          delay: 2d\n"),
            "rules.yml line 8: unknown setting nurture.plans.0.steps.0.delay",
        ),
        (
            "nurture:\n  plans:\n    - name: follow-up\n      steps: []\n",
            "rules.yml line 4: nurture.plans.0.steps: must list at least one step",
        ),
        (
            "nurture:\n  plans:\n" + plan_yaml() + plan_yaml(name="Follow-up"),
            "rules.yml line 3: nurture.plans: plans.0 and plans.1 are both named 'Follow-up'",
        ),
        (
            "nurture:\n  plans:\n"
            + plan_yaml(segment="      segment:\n        interest: [warm, lukewarm]\n"),
            "rules.yml line 5: nurture.plans.0.segment.interest.1: Input should be 'hot', 'warm'",
        ),
        (
            "nurture:\n  plans:\n"
            + plan_yaml(
                segment="      segment:\n        score_at_least: 60\n        score_below: 30\n"
            ),
            "rules.yml line 6: nurture.plans.0.segment.score_below: must be above score_at_least",
        ),
        (
            "nurture:\n  plans:\n" + plan_yaml(segment="      segement: {source: [web]}\n"),
            "rules.yml line 4: unknown setting nurture.plans.0.segement (did you mean segment?)",
        ),
        (
            "nurture:\n  working_hours:\n    start: '18:00'\n    end: '09:00'\n",
            "rules.yml line 4: nurture.working_hours.end: must be after start (18:00), got '09:00'",
        ),
        (
            "nurture:\n  working_hours:\n    days: [mon, tues]\n",
            "rules.yml line 3: nurture.working_hours.days: must be among mon, tue, wed, thu, fri,"
            " sat, sun, got 'tues'",
        ),
        (
            "nurture:\n  working_hours:\n    days: []\n",
            "rules.yml line 3: nurture.working_hours.days: must name at least one working day",
        ),
        (
            "nurture:\n  holidays:\n    - 2026-01-01\n    - next monday\n",
            "rules.yml line 4: nurture.holidays.1: Input should be a valid date",
        ),
        (
            "nurture:\n  holidays: ['2026-02-30']\n",
            "rules.yml line 2: nurture.holidays.0: Input should be a valid date",
        ),
        (
            "nurture:\n  require_consent_for: [email, fax]\n",
            "rules.yml line 2: nurture.require_consent_for.1: Input should be 'email'",
        ),
        (
            "nurture:\n  snooze_choices: [1d, 1w]\n",
            "rules.yml line 2: nurture.snooze_choices: must look like 30m, 4h or 2d",
        ),
        (
            "engagement:\n  email_opened: 1\n  email_openned: 3\n",
            "rules.yml line 3: unknown setting engagement.email_openned"
            " (did you mean email_opened?)",
        ),
        (
            "intake:\n  sources:\n    website:\n      secret: hunter2\n",
            "rules.yml line 4: intake.sources.website.secret: must be whsec_ and base64",
        ),
        (
            "intake:\n  sources:\n    web site:\n      secret: whsec_" + "A" * 32 + "\n",
            "rules.yml line 3: intake.sources: source name 'web site' must be letters, digits",
        ),
        (
            "list_import:\n  headers:\n    担当者: nmae\n",
            "rules.yml line 3: list_import.headers: header '担当者' maps to 'nmae', which is not",
        ),
        (
            "import:\n  headers: {}\n",
            "rules.yml line 2: unknown setting import (did you mean list_import?)",
        ),
    ],
)
def test_a_malformed_nurture_plan_or_intake_setting_is_refused_with_its_line(
    text: str, expected: str
) -> None:
    with pytest.raises(SettingError) as refused:
        parse_config(text, source="rules.yml")
    assert str(refused.value).startswith(expected)
    assert "\n" not in str(refused.value)


def test_the_shipped_nurture_plans_load() -> None:
    config = parse_config(NURTURE_PLANS.read_text(encoding="utf-8"), source=str(NURTURE_PLANS))
    trade_show, whitepaper = config.nurture.plans
    assert trade_show.name == "trade-show-follow-up"
    assert trade_show.segment == Segment(
        source=(Source.EVENT,), interest=(Interest.WARM, Interest.COLD)
    )
    assert [(step.action, step.delay.days) for step in trade_show.steps] == [
        (Action.EMAIL, 1),
        (Action.CALL, 3),
        (Action.INVITE, 14),
    ]
    assert "brochure" in trade_show.steps[0].title
    assert whitepaper.name == "whitepaper-follow-up"
    assert whitepaper.segment.consent
    assert {step.doer for step in whitepaper.steps} == {"C0123INSIDESALES"}
    assert len(config.nurture.holidays) == 17
    assert all(isinstance(day, date) for day in config.nurture.holidays)


def test_the_example_rules_file_shows_the_same_plans_commented_out() -> None:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    after_plans = lines[lines.index("  plans: []") + 1 :]
    commented = list(takewhile(lambda line: line.startswith("#    "), after_plans))
    text = "nurture:\n  plans:\n" + "\n".join(line.removeprefix("#") for line in commented)
    shown = parse_config(text).nurture.plans
    assert shown == load_config(NURTURE_PLANS).nurture.plans


def test_the_new_sections_load_from_plain_yaml() -> None:
    secret = "whsec_" + "A" * 32
    config = parse_config(
        "nurture:\n"
        "  working_hours: {start: '10:00', end: '19:00', days: [mon, tue, wed, thu]}\n"
        "  holidays: [2026-01-01, '2026-01-12']\n"
        "  require_consent_for: [email]\n"
        "engagement: {webinar_attended: 40}\n"
        f"intake: {{sources: {{website: {{secret: {secret}}}}}}}\n"
        "list_import: {headers: {担当者: name, 'No.': ignore}}\n"
    )
    assert config.nurture.working_hours.weekdays == frozenset({0, 1, 2, 3})
    assert config.nurture.holidays == (date(2026, 1, 1), date(2026, 1, 12))
    assert config.nurture.require_consent_for == (Action.EMAIL,)
    assert config.engagement.webinar_attended == 40
    assert config.engagement.email_opened == 1
    assert config.intake.sources["website"].key == bytes(24)
    assert config.list_import.headers == {"担当者": "name", "No.": "ignore"}


def test_an_impossible_date_is_refused_with_its_line() -> None:
    text = "nurture:\n  holidays: [2026-01-01, 2026-13-01]\n"
    with pytest.raises(SettingError, match=r"rules.yml line 2: nurture.holidays.1"):
        parse_config(text, source="rules.yml")
    assert parse_config("nurture:\n  holidays: [2026-01-12]\n").nurture.holidays
