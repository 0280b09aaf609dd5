"""The YAML rules file: defaults, overrides, and refusals that name the line and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_config, parse_config
from bot.settings import SettingError
from leads.config import LeadbotConfig
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
