"""Settings from the environment: required per mode, malformed values named in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import SettingError, load_settings

VALID = {
    "SLACK_BOT_TOKEN": "xoxb-1-2-abc",
    "SLACK_SIGNING_SECRET": "s3cret",
    "LEADBOT_SALES_CHANNEL": "C0SALES",
}


def test_defaults() -> None:
    settings = load_settings("serve", environ=VALID)
    assert settings.database_url == "sqlite+aiosqlite:///leadbot.db"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.port == 3000
    assert settings.leadbot_config is None


@pytest.mark.parametrize(
    ("mode", "missing", "named"),
    [
        ("serve", "SLACK_BOT_TOKEN", "SLACK_BOT_TOKEN"),
        ("serve", "SLACK_SIGNING_SECRET", "SLACK_SIGNING_SECRET"),
        ("serve", "LEADBOT_SALES_CHANNEL", "LEADBOT_SALES_CHANNEL"),
        ("socket", "SLACK_APP_TOKEN", "SLACK_APP_TOKEN"),
        ("jobs", "SLACK_BOT_TOKEN", "SLACK_BOT_TOKEN"),
    ],
)
def test_missing_required_setting_is_named(mode: str, missing: str, named: str) -> None:
    environ = {k: v for k, v in VALID.items() if k != missing}
    with pytest.raises(SettingError, match=f"setting {named} is required"):
        load_settings(mode, environ=environ)  # type: ignore[arg-type]


def test_cli_commands_need_no_slack_settings() -> None:
    assert load_settings("cli", environ={}).database_url.startswith("sqlite")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SLACK_BOT_TOKEN", "xoxp-user-token"),
        ("SLACK_APP_TOKEN", "xoxb-not-an-app-token"),
        ("SLACK_API_URL", "ftp://example"),
        ("DATABASE_URL", "mysql://localhost/leads"),
        ("DATABASE_URL", "not a url"),
        ("LEADBOT_SALES_CHANNEL", "#sales"),
        ("PORT", "eighty"),
        ("PORT", "70000"),
        ("LOG_LEVEL", "LOUD"),
    ],
)
def test_malformed_setting_is_named_in_one_line(name: str, value: str) -> None:
    with pytest.raises(SettingError) as refused:
        load_settings("serve", environ={**VALID, name: value})
    message = str(refused.value)
    assert message.startswith(f"setting {name} is malformed")
    assert "\n" not in message
    assert "xoxp-user-token" not in message


def test_dotenv_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*VALID, "PORT"):
        monkeypatch.delenv(name, raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in VALID.items()) + "PORT=4123\n")
    settings = load_settings("serve", env_file=env_file)
    assert settings.port == 4123
    assert settings.bot_token() == VALID["SLACK_BOT_TOKEN"]


def test_secrets_never_show_in_repr() -> None:
    settings = load_settings("serve", environ=VALID)
    assert "s3cret" not in repr(settings)
    assert "xoxb-1-2-abc" not in repr(settings)
