"""The tests never see the developer's settings: not their environment, not their `.env`."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from bot.settings import load_settings
from tests.conftest import StartLeadbot
from tests.environment import clean_environ, is_setting_variable
from tests.processes import run_leadbot, run_process, serve_env
from workspace.fake_slack import FakeSlack

ROOT = Path(__file__).resolve().parents[2]

# Real-looking settings a developer may have exported or written into .env. None of them
# may reach a test; the addresses are local ones where nothing answers.
HOSTILE = {
    "SLACK_BOT_TOKEN": "xoxb-the-developers-real-token",
    "SLACK_SIGNING_SECRET": "the-developers-real-signing-secret",
    "SLACK_APP_TOKEN": "xapp-1-A0REAL-the-developers-app-token",
    "SLACK_API_URL": "http://127.0.0.1:9/api/",
    "DATABASE_URL": "postgresql+asyncpg://developer@127.0.0.1:1/production",
    "LEADBOT_CONFIG": "/nonexistent/leadbot.yml",
    "LEADBOT_SALES_CHANNEL": "C0REALSALES",
    "LOG_LEVEL": "DEBUG",
    "HOST": "::1",
    "PORT": "1",
}
# Bolt turns on its OAuth flow by itself when it finds these.
HOSTILE_TO_BOLT = {"SLACK_CLIENT_ID": "123.456", "SLACK_CLIENT_SECRET": "oauth-secret"}
VALID = {
    "SLACK_BOT_TOKEN": "xoxb-test",
    "SLACK_SIGNING_SECRET": "test-secret",
    "LEADBOT_SALES_CHANNEL": "C0SALES",
}


def _hostile_dotenv(folder: Path) -> None:
    """A `.env` made from `.env.example`, with the hostile values appended."""
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    extra = "".join(f"{name}={value}\n" for name, value in HOSTILE.items())
    (folder / ".env").write_text(example + extra, encoding="utf-8")


@pytest.fixture
def hostile(monkeypatch: pytest.MonkeyPatch) -> None:
    """Put the hostile settings in this process's environment and its working directory."""
    for name, value in HOSTILE.items():
        monkeypatch.setenv(name, value)
    _hostile_dotenv(Path.cwd())


def test_tests_start_without_the_developers_settings() -> None:
    assert not [name for name in os.environ if is_setting_variable(name)]
    assert not Path(".env").exists()


@pytest.mark.usefixtures("hostile")
def test_settings_from_a_mapping_read_nothing_else() -> None:
    settings = load_settings("serve", environ=VALID)
    assert settings.bot_token() == "xoxb-test"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.database_url == "sqlite+aiosqlite:///leadbot.db"
    assert settings.leadbot_config is None
    assert settings.log_level == "INFO"
    assert (settings.host, settings.port) == ("0.0.0.0", 3000)


@pytest.mark.usefixtures("hostile")
async def test_the_harness_runs_on_its_own_settings(start_leadbot: StartLeadbot) -> None:
    leadbot = await start_leadbot()
    reply = await leadbot.command("help")
    assert reply.status == 200
    assert "/lead event" in reply.text
    assert leadbot.svc.settings.database_url == leadbot.database_url


@pytest.mark.usefixtures("hostile")
async def test_cli_processes_get_only_the_settings_a_test_gives(
    slack: FakeSlack, tmp_path: Path
) -> None:
    env = serve_env(f"sqlite+aiosqlite:///{tmp_path / 'leadbot.db'}", slack)
    migrated = await run_leadbot("migrate", env=env, cwd=tmp_path)
    ran = await run_leadbot("jobs", "run", "cleanup", env=env, cwd=tmp_path)
    assert (migrated.code, ran.code) == (0, 0), migrated.err + ran.err
    logged = [json.loads(line) for line in (migrated.err + ran.err).splitlines()]
    assert not [entry for entry in logged if entry["level"] == "DEBUG"]  # LOG_LEVEL=DEBUG
    assert [call.token for call in slack.calls_to("auth.test")] == ["xoxb-cli-test"]


@pytest.mark.slow
async def test_suite_passes_beside_a_real_dotenv_and_real_variables(tmp_path: Path) -> None:
    _hostile_dotenv(tmp_path)
    env = {**clean_environ(**HOSTILE, **HOSTILE_TO_BOLT)}
    env.pop("TEST_DATABASE_URL", None)  # SQLite only: leave the shared PostgreSQL alone
    chosen = [
        ROOT / "tests/unit/test_settings.py",
        ROOT / "tests/integration/test_cli.py",
        ROOT / "tests/integration/test_quick_capture.py",
    ]
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--rootdir={ROOT}"]
    finished = await run_process(*pytest, *map(str, chosen), env=env, cwd=tmp_path, timeout=300)
    report = finished.out + finished.err
    assert finished.code == 0, report[-3000:]
    assert " passed" in report
