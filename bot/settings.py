"""Process settings from the environment and `.env`, checked once at start."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from dotenv import dotenv_values
from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError, field_validator

from bot.errors import EXIT_MISCONFIGURED, StartupError
from storage.db import check_database_url

Mode = Literal["serve", "socket", "jobs", "cli"]
COMMANDS: dict[Mode, str] = {
    "serve": "leadbot serve",
    "socket": "leadbot socket",
    "jobs": "leadbot jobs run",
    "cli": "leadbot",
}


class SettingError(StartupError):
    """A missing or malformed setting; the message is one line that names it."""

    exit_code = EXIT_MISCONFIGURED


class Settings(BaseModel):
    """Everything configured through environment variables (see README, Settings)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    database_url: str = "sqlite+aiosqlite:///leadbot.db"
    leadbot_sales_channel: str = ""
    leadbot_marketing_channel: str = ""
    leadbot_config: Path | None = None
    host: str = "0.0.0.0"
    port: int = 3000
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    leadbot_capture_process: bool = True

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        return _prefixed(value, "xoxb-")

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        return _prefixed(value, "xapp-")

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_shape(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _database_url_shape(cls, value: str) -> str:
        return check_database_url(value)

    @field_validator("leadbot_sales_channel", "leadbot_marketing_channel")
    @classmethod
    def _channel_shape(cls, value: str) -> str:
        if value and (value[0] not in "CG" or not value.isalnum()):
            raise ValueError("must be a channel ID like C0123456789")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level_any_case(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("port")
    @classmethod
    def _port_range(cls, value: int) -> int:
        if not 0 <= value <= 65535:
            raise ValueError("must be between 0 and 65535")
        return value

    def bot_token(self) -> str:
        """The bot token (required in every mode)."""
        return _secret(self.slack_bot_token)

    def signing_secret(self) -> str:
        """The signing secret, or empty when not set."""
        return _secret(self.slack_signing_secret)

    def app_token(self) -> str:
        """The app-level token, or empty when not set."""
        return _secret(self.slack_app_token)


REQUIRED: dict[Mode, tuple[str, ...]] = {
    "serve": ("slack_bot_token", "slack_signing_secret", "leadbot_sales_channel"),
    "socket": ("slack_bot_token", "slack_app_token", "leadbot_sales_channel"),
    "jobs": ("slack_bot_token",),
    "cli": (),
}


def load_settings(
    mode: Mode, *, environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")
) -> Settings:
    """Settings for `mode` from `environ` alone, or else from the process environment over
    `env_file`; raise SettingError naming every missing and every malformed one at once."""
    values = _variables(environ if environ is not None else process_environment(env_file))
    malformed: dict[str, str] = {}
    try:
        settings = Settings.model_validate(values)
    except ValidationError as error:
        malformed = _reasons(error)
        settings = Settings.model_validate(
            {name: value for name, value in values.items() if name not in malformed}
        )
    missing = [
        name for name in REQUIRED[mode] if not getattr(settings, name) and name not in malformed
    ]
    if malformed or missing:
        raise SettingError(_problems(mode, missing, malformed))
    return settings


def process_environment(env_file: Path | None) -> dict[str, str]:
    """The process environment over the variables of `env_file` (if it exists)."""
    from_file = dotenv_values(env_file) if env_file is not None and env_file.is_file() else {}
    return {
        **{name: value for name, value in from_file.items() if value is not None},
        **os.environ,
    }


def _variables(environ: Mapping[str, str]) -> dict[str, Any]:
    """Field name -> value for the variables that name a setting; empty ones count as unset."""
    fields = Settings.model_fields
    return {
        name.lower(): value
        for name, value in environ.items()
        if name.lower() in fields and value != ""
    }


def _reasons(error: ValidationError) -> dict[str, str]:
    reasons: dict[str, str] = {}
    for problem in error.errors():
        name = str(problem["loc"][0]) if problem["loc"] else "?"
        reasons.setdefault(name, problem["msg"].removeprefix("Value error, "))
    return reasons


def _problems(mode: Mode, missing: list[str], malformed: dict[str, str]) -> str:
    parts = []
    if len(malformed) == 1:
        [(name, reason)] = malformed.items()
        parts.append(f"setting {name.upper()} is malformed: {reason}")
    elif malformed:
        described = ", ".join(f"{name.upper()} ({reason})" for name, reason in malformed.items())
        parts.append(f"settings are malformed: {described}")
    if missing:
        names = ", ".join(name.upper() for name in missing)
        verb = "setting {} is" if len(missing) == 1 else "settings {} are"
        parts.append(f"{verb.format(names)} required for {COMMANDS[mode]}; see .env.example")
    return "; ".join(parts)


def _prefixed(value: SecretStr | None, prefix: str) -> SecretStr | None:
    if (
        value is not None
        and value.get_secret_value()
        and not value.get_secret_value().startswith(prefix)
    ):
        raise ValueError(f"must start with {prefix}")
    return value


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""
