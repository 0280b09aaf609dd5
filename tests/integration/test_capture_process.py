"""Captures written in a process of their own (`LEADBOT_CAPTURE_PROCESS`, on in `serve`):
stored and answered as before, handed back to the web process when the child is gone."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from pathlib import Path

import pytest
from aiohttp import ClientSession

from bot.capture_process import CaptureProcess, WriterSetup
from leadloop.capture import Captures
from leads.config import LeadbotConfig
from leads.model import Stage
from tests.harness import FakeClock, Leadbot, signed_bytes_headers
from tests.processes import free_port, serve_env, start_serve, stop_serve, wait_healthy
from workspace import requests as slack_requests
from workspace.fake_slack import FakeSlack

SAVED = "Saved a new lead"
SHUTDOWN_DEADLINE = 10.0  # the promise to operators, not a measurement


async def started(database_url: str, slack: FakeSlack, clock: FakeClock) -> Leadbot:
    bot = await Leadbot(database_url, slack, clock, capture_process=True).start()
    assert bot.svc.capture_process is not None
    assert bot.svc.capture_process.available, "the capture process should have started"
    return bot


def written_here(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the batches this (the web) process writes itself (patch before starting)."""
    batches: list[int] = []
    write = Captures.write

    async def counted(self: Captures, session: object, requests: list[object]) -> object:
        batches.append(len(requests))
        return await write(self, session, requests)  # type: ignore[arg-type]

    monkeypatch.setattr(Captures, "write", counted)
    return batches


async def test_captures_are_stored_and_answered_by_the_capture_process(
    database_url: str, slack: FakeSlack, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = written_here(monkeypatch)  # before the bot binds Captures.write
    bot = await started(database_url, slack, clock)
    try:
        texts = [f"Person {n}, Acme {n}, p{n}@acme.example, warm" for n in range(19)]
        texts.append("山田太郎, 株式会社アクメ, taro@acme.co.jp, ホット")
        replies = await asyncio.gather(*(bot.command(text) for text in texts))
        again = await bot.command("Person 3, p3@acme.example, hot")

        assert [reply.status for reply in replies] == [200] * 20
        assert all(SAVED in reply.text for reply in replies), replies[0].text
        assert again.status == 200
        leads = {lead.profile.email: lead for lead in await bot.leads()}
        assert len(leads) == 20
        assert leads["p3@acme.example"].touch_count == 2  # merged, not a second lead
        assert leads["taro@acme.co.jp"].profile.name == "山田太郎"
        assert leads["taro@acme.co.jp"].stage is Stage.HOT
        await bot.posted_to("C0SALES")  # the card the child owed, delivered from here
        assert here == [], "every batch should have gone to the capture process"
    finally:
        await bot.stop()


async def test_a_capture_process_that_dies_hands_captures_back(
    database_url: str, slack: FakeSlack, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = written_here(monkeypatch)  # before the bot binds Captures.write
    bot = await started(database_url, slack, clock)
    try:
        assert SAVED in (await bot.command("Before, before@acme.example")).text
        process = bot.svc.capture_process
        assert process is not None
        assert process.pid is not None
        os.kill(process.pid, signal.SIGKILL)

        replies = await asyncio.gather(
            *(bot.command(f"After {n}, after{n}@acme.example") for n in range(5))
        )

        assert all(reply.status == 200 and SAVED in reply.text for reply in replies)
        assert not process.available
        assert sum(here) == 5  # written in the web process once the child was found gone
        emails = {lead.profile.email for lead in await bot.leads()}
        assert emails == {"before@acme.example", *(f"after{n}@acme.example" for n in range(5))}
    finally:
        await bot.stop()


async def test_a_capture_process_that_cannot_reach_the_database_is_not_used(
    caplog: pytest.LogCaptureFixture,
) -> None:
    setup = WriterSetup(
        database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none",
        config=LeadbotConfig(),
        sales_channel="C0SALES",
    )
    process = CaptureProcess(setup)

    await process.start()

    assert not process.available
    assert process.pid is None
    assert "captures are written in the web process" in caplog.text


async def test_serve_writes_captures_in_its_capture_process_and_stops_it(
    database_url: str, slack: FakeSlack, tmp_path: Path
) -> None:
    port = free_port()
    serve = await start_serve(port, env=serve_env(database_url, slack), cwd=tmp_path)
    try:
        async with ClientSession() as http:
            await wait_healthy(http, f"http://127.0.0.1:{port}/healthz")
            body = slack_requests.slash_command("Rin Sato, rin@acme.example, warm", user_id="U1")
            async with http.post(
                f"http://127.0.0.1:{port}/slack/events",
                data=body.encode(),
                headers=signed_bytes_headers(body.encode()),
            ) as answer:
                assert answer.status == 200
                assert SAVED in await answer.text()
    finally:
        log = await stop_serve(serve, SHUTDOWN_DEADLINE)
    assert serve.returncode == 0, log[-2000:]
    assert "Traceback" not in log, log[-3000:]
    child = _capture_process_pid(log)
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)  # stopped with serve, and reaped


def _capture_process_pid(log: str) -> int:
    for line in log.splitlines():
        record = json.loads(line) if line.startswith("{") else {}
        message = str(record.get("message", ""))
        if message.startswith("captures are written in process "):
            return int(message.rsplit(" ", 1)[1])
    raise AssertionError(f"serve never said it started its capture process:\n{log[-2000:]}")
