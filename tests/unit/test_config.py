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
