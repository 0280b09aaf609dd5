"""The `leadbot` console script, run as a real process."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import shutil
import signal
import socket
import sys
import time
from pathlib import Path

from aiohttp import ClientSession

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.requests import signed_headers, slash_command
from tests.harness import SECRET, Leadbot

LEADBOT = shutil.which("leadbot") or str(Path(sys.executable).with_name("leadbot"))


def _env(database_url: str, **extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "LEADBOT_"))}
    return {**keep, "DATABASE_URL": database_url, **extra}


def _serve_env(database_url: str, slack: FakeSlack, **extra: str) -> dict[str, str]:
    return _env(
        database_url,
        SLACK_BOT_TOKEN="xoxb-cli-test",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack.base_url,
        LEADBOT_SALES_CHANNEL="C0SALES",
        **extra,
    )


async def _run(*args: str, env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        LEADBOT,
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode or 0, out.decode(), err.decode()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _wait_healthy(http: ClientSession, url: str) -> dict[str, str]:
    deadline = time.monotonic() + 30
    while True:
        try:
            async with http.get(url) as response:
                if response.status == 200:
                    return dict(await response.json())
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError("leadbot serve never became healthy")
        await asyncio.sleep(0.1)


async def test_serve_migrates_answers_health_and_slack(
    database_url: str, slack: FakeSlack, tmp_path: Path
) -> None:
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        LEADBOT,
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        env=_serve_env(database_url, slack),
        cwd=tmp_path,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with ClientSession() as http:
            assert await _wait_healthy(http, f"{base}/healthz") == {
                "status": "ok",
                "database": "ok",
            }
            body = slash_command("help")
            headers = signed_headers(SECRET, body, timestamp=int(time.time()))
            async with http.post(f"{base}/slack/events", data=body, headers=headers) as response:
                assert response.status == 200
                assert "/lead event" in await response.text()
            async with http.post(f"{base}/slack/events", data=body) as unsigned:
                assert unsigned.status == 401
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0
    assert "xoxb-cli-test" not in err.decode()
    assert all(json.loads(line) for line in err.decode().splitlines() if line.strip())


async def test_missing_setting_stops_start_with_one_line(tmp_path: Path) -> None:
    code, _out, err = await _run("serve", env=_env("sqlite+aiosqlite:///x.db"), cwd=tmp_path)
    assert code == 2
    assert err.strip() == "leadbot: setting SLACK_BOT_TOKEN is required for `leadbot serve`"
    assert not (tmp_path / "x.db").exists()


async def test_malformed_rules_file_stops_start_naming_the_line(
    slack: FakeSlack, tmp_path: Path
) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text("scoring:\n  hot_threshold: 60\n  half_life: 3\n")
    env = _serve_env(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", slack, LEADBOT_CONFIG=str(rules))
    code, _, err = await _run("serve", env=env, cwd=tmp_path)
    assert code == 2
    assert "rules.yml line 3: unknown setting scoring.half_life" in err
    assert len(err.strip().splitlines()) == 1


async def test_export_writes_every_lead_as_csv_and_jsonl(
    leadbot: Leadbot, database_url: str, tmp_path: Path
) -> None:
    await leadbot.command("Yamada Taro, Acme Corp, taro@acme.co.jp, 090-1234-5678, warm")
    await leadbot.command("=cmd|calc, Evil Inc, evil@example.com, cold")
    code, out, err = await _run("export", env=_env(database_url), cwd=tmp_path)
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {
        "id",
        "name",
        "company",
        "email",
        "phone",
        "source",
        "event",
        "interest",
        "score",
        "status",
        "owner",
        "created_at",
    } <= set(rows[0])
    assert [row["email"] for row in rows] == ["taro@acme.co.jp", "evil@example.com"]
    assert rows[0]["status"] == "new"
    assert rows[0]["owner"] == ""
    assert rows[1]["name"].startswith("'=")
    assert "exported 2 lead(s)" in err

    target = tmp_path / "leads.jsonl"
    code, _, _ = await _run(
        "export", "--format", "jsonl", "--output", str(target), env=_env(database_url), cwd=tmp_path
    )
    assert code == 0
    records = [json.loads(line) for line in target.read_text().splitlines()]
    assert records[0]["name"] == "Yamada Taro"
    assert records[0]["interest"] == "warm"


async def test_migrate_and_jobs(database_url: str, slack: FakeSlack, tmp_path: Path) -> None:
    code, out, _ = await _run("migrate", env=_env(database_url), cwd=tmp_path)
    assert code == 0
    assert "up to date" in out
    code, out, _ = await _run("jobs", "list", env=_env(database_url), cwd=tmp_path)
    assert {line.split()[0] for line in out.splitlines()} == {"deliver", "rescore", "cleanup"}
    code, out, err = await _run(
        "jobs", "run", "rescore", env=_serve_env(database_url, slack), cwd=tmp_path
    )
    assert code == 0, err
    assert "rescored 0 lead(s)" in out


async def test_socket_mode_connects_and_answers_commands(
    database_url: str, slack: FakeSlack, tmp_path: Path
) -> None:
    env = _serve_env(database_url, slack, SLACK_APP_TOKEN="xapp-1-A0LEADBOT-test")
    process = await asyncio.create_subprocess_exec(
        LEADBOT,
        "socket",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await slack.wait_for_socket(timeout=30)
        command = {
            "command": "/lead",
            "text": "help",
            "user_id": "U0STAFF",
            "channel_id": "C0BOOTH",
            "team_id": "T0TEST",
            "trigger_id": "1.2.3",
        }
        ack = await slack.send_envelope("slash_commands", command, timeout=10)
        assert "/lead event" in json.dumps(ack.get("payload"))
        capture = {**command, "text": "Jane Doe, Initech, jane@initech.example, hot"}
        await slack.send_envelope("slash_commands", capture, timeout=10)
        [card] = await slack.wait_for("chat.postMessage", timeout=10)
        assert card.args["channel"] == "C0SALES"
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0
    assert [call.token for call in slack.calls_to("apps.connections.open")] == [
        "xapp-1-A0LEADBOT-test"
    ]
