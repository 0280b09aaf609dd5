"""Every command ends a failure with one line naming the problem and the fix, never a traceback."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.processes import BOT_TOKEN, Finished, cli_env, free_port, run_leadbot, serve_env
from workspace.fake_slack import FakeSlack

APP_TOKEN = "xapp-1-A0LEADBOT-test"
UNREACHABLE_POSTGRES = "postgresql+asyncpg://nobody@127.0.0.1:1/x"
EXIT_UNAVAILABLE, EXIT_MISCONFIGURED = 1, 2
# Every command that opens the database, as (arguments, needs Slack settings).
DATABASE_COMMANDS = {
    "serve": ["serve", "--host", "127.0.0.1", "--port", "{port}"],
    "socket": ["socket"],
    "migrate": ["migrate"],
    "jobs run": ["jobs", "run", "rescore"],
    "export": ["export"],
}
RULES_COMMANDS = {
    "serve": DATABASE_COMMANDS["serve"],
    "socket": ["socket"],
    "jobs list": ["jobs", "list"],
    "jobs run": ["jobs", "run", "cleanup"],
}
TOKEN_COMMANDS = {name: DATABASE_COMMANDS[name] for name in ("serve", "socket", "jobs run")}
BOT_TOKEN_FIX = "copy the Bot User OAuth Token from your app's OAuth & Permissions page"


def _args(template: list[str]) -> list[str]:
    return [arg.format(port=free_port()) for arg in template]


def _env(database_url: str, slack: FakeSlack, **settings: str) -> dict[str, str]:
    return serve_env(database_url, slack, SLACK_APP_TOKEN=APP_TOKEN, **settings)


def _files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def _empty_file(path: Path) -> None:
    path.touch()


def assert_one_line(finished: Finished, code: int, message: str) -> None:
    """The process failed with `code` and said exactly `message` (a prefix, with `...`)."""
    assert finished.code == code, finished.err
    assert "Traceback" not in finished.err
    [line] = finished.err.strip().splitlines()
    if message.endswith("..."):
        assert line.startswith(message.removesuffix("...")), line
    else:
        assert line == message


@pytest.mark.parametrize("command", DATABASE_COMMANDS)
async def test_unreachable_postgresql(command: str, slack: FakeSlack, tmp_path: Path) -> None:
    env = _env(UNREACHABLE_POSTGRES, slack)
    finished = await run_leadbot(*_args(DATABASE_COMMANDS[command]), env=env, cwd=tmp_path)
    assert_one_line(
        finished,
        EXIT_UNAVAILABLE,
        "leadbot: cannot reach the database postgresql+asyncpg://nobody@127.0.0.1:1/x (...",
    )
    assert finished.err.rstrip().endswith(
        "; check DATABASE_URL and that the database server is running"
    )


@pytest.mark.parametrize("command", ["migrate", "serve"])
async def test_sqlite_file_in_a_missing_folder(
    command: str, slack: FakeSlack, tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-folder"
    env = _env(f"sqlite+aiosqlite:///{missing / 'leadbot.db'}", slack)
    finished = await run_leadbot(*_args(DATABASE_COMMANDS[command]), env=env, cwd=tmp_path)
    assert_one_line(
        finished,
        EXIT_UNAVAILABLE,
        f"leadbot: the folder {missing} of the SQLite database in DATABASE_URL does not exist;"
        " create it, or change DATABASE_URL",
    )
    assert not missing.exists()


async def test_export_before_any_migrate_leaves_no_database_file(tmp_path: Path) -> None:
    env = cli_env("sqlite+aiosqlite:///leadbot.db")
    finished = await run_leadbot("export", env=env, cwd=tmp_path)
    assert_one_line(
        finished,
        EXIT_UNAVAILABLE,
        "leadbot: there is no database at leadbot.db yet; run `leadbot migrate`"
        " (or `leadbot serve`) first, or point DATABASE_URL at your database",
    )
    assert _files(tmp_path) == []


async def test_export_migrates_a_database_without_tables(database_url: str, tmp_path: Path) -> None:
    if database_url.startswith("sqlite"):
        _empty_file(Path(database_url.removeprefix("sqlite+aiosqlite:///")))  # SQLite's "empty"
    finished = await run_leadbot("export", env=cli_env(database_url), cwd=tmp_path)
    assert finished.code == 0, finished.err
    assert finished.out.startswith("id,name,company,email,")
    assert finished.err.strip() == "exported 0 lead(s)"


async def test_export_to_a_missing_folder(database_url: str, tmp_path: Path) -> None:
    await run_leadbot("migrate", env=cli_env(database_url), cwd=tmp_path)
    target = tmp_path / "missing" / "leads.csv"
    finished = await run_leadbot(
        "export", "--output", str(target), env=cli_env(database_url), cwd=tmp_path
    )
    assert_one_line(
        finished,
        EXIT_UNAVAILABLE,
        f"leadbot: cannot write {target} (No such file or directory); choose another --output",
    )


async def test_serve_on_a_port_in_use(slack: FakeSlack, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = _env("sqlite+aiosqlite:///leadbot.db", slack)
        finished = await run_leadbot(
            "serve", "--host", "127.0.0.1", "--port", str(port), env=env, cwd=tmp_path
        )
    assert_one_line(
        finished,
        EXIT_UNAVAILABLE,
        f"leadbot: port {port} on 127.0.0.1 is already in use; stop the program that holds it,"
        " or choose another port with --port or PORT",
    )
    assert _files(tmp_path) == []


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (
            "sweeps:\n  deliver_seconds: 2\n  rescore_seconds: 0\n",
            "leadbot: rules.yml line 3: sweeps.rescore_seconds: must be more than 0 seconds, got 0",
        ),
        (
            "delivery:\n  per_channel_interval_seconds: -1\n",
            "leadbot: rules.yml line 2: delivery.per_channel_interval_seconds: must be more than"
            " 0 seconds, got -1",
        ),
        (
            "routing:\n  - name: japan\n    channel: '#sales-japan'\n",
            "leadbot: rules.yml line 3: routing.0.channel: must be a channel ID like C0123456789"
            " (not a channel name), got '#sales-japan'",
        ),
        (
            "sla:\n  escalate_to: sales-lead\n",
            "leadbot: rules.yml line 2: sla.escalate_to: must be a Slack user ID (U…/W…) or"
            " channel ID (C…/G…), not a name, got 'sales-lead'",
        ),
    ],
    ids=["sweep-interval", "delivery-interval", "routing-channel", "escalate-to"],
)
async def test_bad_rules_file_value(
    rules: str, message: str, slack: FakeSlack, tmp_path: Path
) -> None:
    (tmp_path / "rules.yml").write_text(rules, encoding="utf-8")
    env = _env("sqlite+aiosqlite:///leadbot.db", slack, LEADBOT_CONFIG="rules.yml")
    finished = await run_leadbot(*_args(DATABASE_COMMANDS["serve"]), env=env, cwd=tmp_path)
    assert_one_line(finished, EXIT_MISCONFIGURED, message)
    assert _files(tmp_path) == ["rules.yml"]
    assert slack.calls == []


@pytest.mark.parametrize("command", RULES_COMMANDS)
async def test_every_command_that_reads_rules_refuses_a_bad_one(
    command: str, slack: FakeSlack, tmp_path: Path
) -> None:
    (tmp_path / "rules.yml").write_text("sweeps:\n  cleanup_seconds: -5\n", encoding="utf-8")
    env = _env("sqlite+aiosqlite:///leadbot.db", slack, LEADBOT_CONFIG="rules.yml")
    finished = await run_leadbot(*_args(RULES_COMMANDS[command]), env=env, cwd=tmp_path)
    assert_one_line(
        finished,
        EXIT_MISCONFIGURED,
        "leadbot: rules.yml line 2: sweeps.cleanup_seconds: must be more than 0 seconds, got -5",
    )


@pytest.mark.parametrize(
    ("command", "error"),
    [("serve", "invalid_auth"), ("socket", "token_revoked"), ("jobs run", "account_inactive")],
)
async def test_a_token_slack_rejects_stops_the_command_before_anything_starts(
    command: str, error: str, slack: FakeSlack, tmp_path: Path
) -> None:
    slack.reject_token(BOT_TOKEN, error)
    env = _env("sqlite+aiosqlite:///leadbot.db", slack)
    finished = await run_leadbot(*_args(TOKEN_COMMANDS[command]), env=env, cwd=tmp_path)
    assert_one_line(
        finished,
        EXIT_MISCONFIGURED,
        f"leadbot: SLACK_BOT_TOKEN was rejected by Slack ({error}); {BOT_TOKEN_FIX}",
    )
    assert [call.method for call in slack.calls] == ["auth.test"]
    assert _files(tmp_path) == []  # no database was made, no server started


async def test_socket_refuses_a_rejected_app_token(slack: FakeSlack, tmp_path: Path) -> None:
    slack.reject_token(APP_TOKEN, "invalid_auth")
    env = _env("sqlite+aiosqlite:///leadbot.db", slack)
    finished = await run_leadbot("socket", env=env, cwd=tmp_path)
    assert_one_line(
        finished,
        EXIT_MISCONFIGURED,
        "leadbot: SLACK_APP_TOKEN was rejected by Slack (invalid_auth); create an app-level"
        " token with the connections:write scope under your app's Basic Information,"
        " App-Level Tokens",
    )
    assert _files(tmp_path) == []


async def test_unreachable_slack(slack: FakeSlack, tmp_path: Path) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}/api/"
    env = _env("sqlite+aiosqlite:///leadbot.db", slack, SLACK_API_URL=nowhere)
    finished = await run_leadbot("jobs", "run", "deliver", env=env, cwd=tmp_path)
    assert_one_line(
        finished,
        EXIT_UNAVAILABLE,
        f"leadbot: cannot reach Slack at {nowhere} to check SLACK_BOT_TOKEN (...",
    )
    assert finished.err.rstrip().endswith("; check the network, or SLACK_API_URL")
