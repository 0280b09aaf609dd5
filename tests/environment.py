"""Keep the developer's environment and `.env` out of the tests."""

from __future__ import annotations

import os

from bot.settings import Settings

SETTING_PREFIXES = ("SLACK_", "LEADBOT_")
SETTING_VARIABLES = frozenset(name.upper() for name in Settings.model_fields)


def is_setting_variable(name: str) -> bool:
    """Whether leadbot, Bolt or slack_sdk could read the variable `name` as a setting."""
    upper = name.upper()
    return upper in SETTING_VARIABLES or upper.startswith(SETTING_PREFIXES)


def clean_environ(**settings: str) -> dict[str, str]:
    """This process's environment without any setting variable, plus `settings`."""
    kept = {name: value for name, value in os.environ.items() if not is_setting_variable(name)}
    return {**kept, **settings}
