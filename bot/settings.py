"""Process settings from the environment and `.env`, checked once at start."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.db import check_database_url

Mode = Literal["serve", "socket", "jobs", "cli"]


class SettingError(Exception):
    """A missing or malformed setting; the message is one line that names it."""


class Settings(BaseSettings):
    """Everything configured through environment variables (see README, Settings)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    database_url: str = "sqlite+aiosqlite:///leadbot.db"
    leadbot_sales_channel: str = ""
    leadbot_config: Path | None = None
    host: str = "0.0.0.0"
    port: int = 3000
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

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

    @field_validator("leadbot_sales_channel")
    @classmethod
    def _channel_shape(cls, value: str) -> str:
        if value and (value[0] not in "CG" or not value.isalnum()):
            raise ValueError("must be a channel ID like C0123456789")
        return value

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
    """Read settings for `mode`; raise SettingError naming the first bad or missing one."""
    try:
        if environ is None:
            settings = Settings(_env_file=env_file)  # type: ignore[call-arg]
        else:
            settings = Settings.model_validate({k.lower(): v for k, v in environ.items()})
    except ValidationError as error:
        raise SettingError(_describe(error)) from None
    for name in REQUIRED[mode]:
        if not getattr(settings, name):
            raise SettingError(f"setting {name.upper()} is required for `leadbot {mode}`")
    return settings


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    name = str(first["loc"][0]).upper() if first["loc"] else "?"
    reason = first["msg"].removeprefix("Value error, ")
    return f"setting {name} is malformed: {reason}"


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
