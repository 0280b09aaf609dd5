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


@pytest.mark.parametrize(
    ("mode", "environ", "message"),
    [
        (
            "serve",
            {},
            "settings SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, LEADBOT_SALES_CHANNEL are required"
            " for leadbot serve; see .env.example",
        ),
        (
            "serve",
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": ""},
            "settings SLACK_SIGNING_SECRET, LEADBOT_SALES_CHANNEL are required for leadbot"
            " serve; see .env.example",
        ),
        (
            "socket",
            {"SLACK_BOT_TOKEN": "xoxb-1"},
            "settings SLACK_APP_TOKEN, LEADBOT_SALES_CHANNEL are required for leadbot socket;"
            " see .env.example",
        ),
        (
            "jobs",
            {},
            "setting SLACK_BOT_TOKEN is required for leadbot jobs run; see .env.example",
        ),
    ],
)
def test_every_missing_setting_is_named_at_once(
    mode: str, environ: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingError) as refused:
        load_settings(mode, environ=environ)  # type: ignore[arg-type]
    assert str(refused.value) == message


def test_every_malformed_setting_is_named_at_once() -> None:
    environ = {**VALID, "DATABASE_URL": "mysql://db/leads", "PORT": "eighty", "LOG_LEVEL": "LOUD"}
    with pytest.raises(SettingError) as refused:
        load_settings("serve", environ=environ)
    message = str(refused.value)
    assert message.startswith("settings are malformed: DATABASE_URL (driver must be one of")
    assert ", PORT (Input should be a valid integer" in message
    assert ", LOG_LEVEL (Input should be 'DEBUG', 'INFO', 'WARNING' or 'ERROR')" in message
    assert "\n" not in message


def test_malformed_and_missing_settings_are_named_together() -> None:
    environ = {"SLACK_BOT_TOKEN": "xoxp-a-user-token", "PORT": "70000"}
    with pytest.raises(SettingError) as refused:
        load_settings("serve", environ=environ)
    assert str(refused.value) == (
        "settings are malformed: SLACK_BOT_TOKEN (must start with xoxb-),"
        " PORT (must be between 0 and 65535); settings SLACK_SIGNING_SECRET,"
        " LEADBOT_SALES_CHANNEL are required for leadbot serve; see .env.example"
    )


def test_log_level_in_any_case() -> None:
    assert load_settings("cli", environ={"LOG_LEVEL": "debug"}).log_level == "DEBUG"


@pytest.mark.parametrize(("value", "expected"), [(None, True), ("on", True), ("off", False)])
def test_capture_process_is_on_unless_turned_off(value: str | None, expected: bool) -> None:
    environ = {**VALID} if value is None else {**VALID, "LEADBOT_CAPTURE_PROCESS": value}
    assert load_settings("serve", environ=environ).leadbot_capture_process is expected


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
        ("LEADBOT_CAPTURE_PROCESS", "sometimes"),
    ],
)
def test_malformed_setting_is_named_in_one_line(name: str, value: str) -> None:
    with pytest.raises(SettingError) as refused:
        load_settings("serve", environ={**VALID, name: value})
    message = str(refused.value)
    assert message.startswith(f"setting {name} is malformed")
    assert "\n" not in message
    assert "xoxp-user-token" not in message


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in VALID.items()) + "PORT=4123\n")
    settings = load_settings("serve", env_file=env_file)
    assert settings.port == 4123
    assert settings.bot_token() == VALID["SLACK_BOT_TOKEN"]


def test_secrets_never_show_in_repr() -> None:
    settings = load_settings("serve", environ=VALID)
    assert "s3cret" not in repr(settings)
    assert "xoxb-1-2-abc" not in repr(settings)


def test_environment_wins_over_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in VALID.items()) + "PORT=4123\n")
    monkeypatch.setenv("PORT", "5123")
    assert load_settings("serve", env_file=env_file).port == 5123
