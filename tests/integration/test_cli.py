"""The `leadbot` console script, run as a real process."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import signal
import time
from pathlib import Path

from aiohttp import ClientSession

from leads.model import Stage
from tests.harness import SECRET, Leadbot, claimed_by, record_outcome, until_stage
from tests.processes import (
    LEADBOT,
    cli_env,
    free_port,
    run_leadbot,
    serve_env,
    start_serve,
    stop_serve,
    wait_healthy,
)
from workspace.fake_slack import FakeSlack
from workspace.requests import signed_headers, slash_command


async def _run(*args: str, env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    finished = await run_leadbot(*args, env=env, cwd=cwd)
    return finished.code, finished.out, finished.err


async def test_serve_migrates_answers_health_and_slack(
    database_url: str, slack: FakeSlack, tmp_path: Path
) -> None:
    port = free_port()
    process = await start_serve(port, env=serve_env(database_url, slack), cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        async with ClientSession() as http:
            assert await wait_healthy(http, f"{base}/healthz") == {
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
        err = await stop_serve(process, 30)
    assert process.returncode == 0
    assert "xoxb-cli-test" not in err
    assert all(json.loads(line) for line in err.splitlines() if line.strip())


async def test_missing_setting_stops_start_with_one_line(tmp_path: Path) -> None:
    code, _out, err = await _run("serve", env=cli_env("sqlite+aiosqlite:///x.db"), cwd=tmp_path)
    assert code == 2
    assert err.strip() == (
        "leadbot: settings SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, LEADBOT_SALES_CHANNEL"
        " are required for leadbot serve; see .env.example"
    )
    assert not (tmp_path / "x.db").exists()


async def test_malformed_rules_file_stops_start_naming_the_line(
    slack: FakeSlack, tmp_path: Path
) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text("scoring:\n  hot_threshold: 60\n  half_life: 3\n")
    env = serve_env(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", slack, LEADBOT_CONFIG=str(rules))
    code, _, err = await _run("serve", env=env, cwd=tmp_path)
    assert code == 2
    assert "rules.yml line 3: unknown setting scoring.half_life" in err
    assert len(err.strip().splitlines()) == 1


async def test_export_writes_every_lead_as_csv_and_jsonl(
    leadbot: Leadbot, database_url: str, tmp_path: Path
) -> None:
    await leadbot.command("Yamada Taro, Acme Corp, taro@acme.co.jp, 090-1234-5678, warm")
    await leadbot.command("=cmd|calc, Evil Inc, evil@example.com, cold")
    code, out, err = await _run("export", env=cli_env(database_url), cwd=tmp_path)
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
    assert rows[0]["created_at"] == leadbot.clock.now.isoformat() == "2026-11-24T10:00:00+00:00"
    assert (rows[0]["hot_at"], rows[0]["claimed_at"]) == ("", "")
    assert "exported 2 lead(s)" in err

    target = tmp_path / "leads.jsonl"
    code, _, _ = await _run(
        "export",
        "--format",
        "jsonl",
        "--output",
        str(target),
        env=cli_env(database_url),
        cwd=tmp_path,
    )
    assert code == 0
    records = [json.loads(line) for line in target.read_text().splitlines()]
    assert records[0]["name"] == "Yamada Taro"
    assert records[0]["interest"] == "warm"
    assert records[0]["created_at"] == "2026-11-24T10:00:00+00:00"
    assert (records[0]["score"], records[0]["consent"], records[0]["touches"]) == (30, False, 1)


async def test_migrate_and_jobs(database_url: str, slack: FakeSlack, tmp_path: Path) -> None:
    code, out, _ = await _run("migrate", env=cli_env(database_url), cwd=tmp_path)
    assert code == 0
    assert "up to date" in out
    code, out, _ = await _run("jobs", "list", env=cli_env(database_url), cwd=tmp_path)
    assert {line.split()[0] for line in out.splitlines()} == {
        "deliver",
        "rescore",
        "cleanup",
        "digest",
        "nurture",
    }
    code, out, err = await _run(
        "jobs", "run", "rescore", env=serve_env(database_url, slack), cwd=tmp_path
    )
    assert code == 0, err
    assert "rescored 0 lead(s)" in out


async def test_socket_mode_connects_and_answers_commands(
    database_url: str, slack: FakeSlack, tmp_path: Path
) -> None:
    env = serve_env(database_url, slack, SLACK_APP_TOKEN="xapp-1-A0LEADBOT-test")
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


async def test_report_prints_the_funnel_as_table_csv_and_json(
    leadbot: Leadbot, database_url: str, tmp_path: Path
) -> None:
    lead = await claimed_by(leadbot, "U0ANN")
    await record_outcome(leadbot, lead, "U0ANN", "won", value="700")
    await until_stage(leadbot, lead, Stage.WON)
    await leadbot.command("Cold Lead, cold@initech.example, cold")
    env = cli_env(database_url)

    code, table, err = await _run("report", "--period", "all", env=env, cwd=tmp_path)
    assert code == 0, err
    assert table.splitlines()[0].startswith("funnel of the leads captured since the beginning")
    assert "total" in table

    code, out, _ = await _run("report", "--period", "all", "--format", "csv", env=env, cwd=tmp_path)
    rows = {(row["dimension"], row["key"]): row for row in csv.DictReader(io.StringIO(out))}
    total = rows[("total", "all")]
    assert (total["captured"], total["hot"], total["claimed"], total["won"]) == ("2", "1", "1", "1")
    assert float(total["won_value"]) == 700

    code, out, _ = await _run("report", "--format", "json", env=env, cwd=tmp_path)
    document = json.loads(out)
    assert (document["period"], document["currency"]) == ("30d", "JPY")

    code, _, err = await _run("report", "--period", "last week", env=env, cwd=tmp_path)
    assert code != 0
    assert err.strip().count("\n") == 0
    assert "is not a period" in err
