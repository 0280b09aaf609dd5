"""`leadbot demo`: a real process that prints where to open it; the workspace's page routes
driven over HTTP (commands, views, Home, threads) and never answering 500."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp import ClientSession
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.demo import COMMANDS, DemoOptions, RunningDemo, SpeedClock, demo_rules, running_demo
from storage.nurture import DONE, DUE, SENT
from storage.tables import LeadRow, NurtureStepRow
from tests.processes import LEADBOT, cli_env, free_port
from workspace.directory import BOOTH, MANAGER, REP_1, SALES, STAFFER

ROOT = Path(__file__).resolve().parents[2]
STARTUP_DEADLINE = 20.0  # generous for CI; the startup time is printed, never asserted


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[RunningDemo]:
    """The demo in this process on an ephemeral port, with a fresh database."""
    async with running_demo(DemoOptions(port=0, database=tmp_path / "demo.db")) as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[ClientSession]:
    """An HTTP client."""
    async with ClientSession() as session:
        yield session


async def _post(http: ClientSession, demo: RunningDemo, path: str, body: Any) -> Any:
    async with http.post(demo.url + path.lstrip("/"), json=body) as reply:
        assert reply.status == 200, await reply.text()
        return await reply.json()


async def _get(http: ClientSession, demo: RunningDemo, path: str) -> Any:
    async with http.get(demo.url + path.lstrip("/")) as reply:
        assert reply.status == 200, await reply.text()
        return await reply.json()


async def _eventually(check: Any, timeout: float = 5.0) -> Any:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while True:
        found = await check()
        if found or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.05)


@pytest.mark.slow
async def test_demo_process_prints_its_address_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        LEADBOT,
        "demo",
        "--port",
        str(port),
        "--seed",
        env=cli_env("sqlite+aiosqlite:///unused.db"),
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        lines: list[str] = []
        while not lines or not lines[-1].startswith("Open "):
            line = await asyncio.wait_for(process.stdout.readline(), STARTUP_DEADLINE)
            assert line, "leadbot demo ended before printing its address"
            lines.append(line.decode().strip())
        print(f"leadbot demo --seed was ready in {time.monotonic() - started:.2f} s")
        assert lines[-1] == f"Open http://127.0.0.1:{port}/"
        assert lines[0].startswith("seeded 320 leads over twelve weeks")
        async with ClientSession() as http, http.get(f"http://127.0.0.1:{port}/") as page:
            assert page.status == 200
            assert '<script src="/static/app.js">' in await page.text()
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), timeout=10)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, err.decode()
    assert not any(tmp_path.iterdir())  # noqa: ASYNC240 - the database was in a temporary folder


async def test_demo_refuses_a_speed_that_is_not_positive(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        LEADBOT,
        "demo",
        "--speed",
        "0",
        env=cli_env("sqlite+aiosqlite:///unused.db"),
        cwd=tmp_path,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode != 0
    assert "--speed must be a positive number" in err.decode()


def test_the_page_offers_the_command_the_manifest_declares() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    declared = manifest["features"]["slash_commands"]
    assert [
        {key: command[key] for key in ("command", "description", "usage_hint")}
        for command in declared
    ] == COMMANDS


def test_speed_clock_runs_n_times_faster() -> None:
    start = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    clock = SpeedClock(60, started=start, _origin=time.monotonic() - 2)
    assert clock() - start >= timedelta(seconds=120)
    assert clock() - start < timedelta(seconds=180)


def test_faster_demo_sweeps_look_at_the_clock_more_often() -> None:
    normal, fast = demo_rules(1), demo_rules(60)
    assert fast.sweeps.rescore_seconds == normal.sweeps.rescore_seconds / 60
    assert demo_rules(10_000).sweeps.digest_seconds == 1.0
    assert fast.routing
    assert fast.sla.business_hours.always_open


async def _open_view(http: ClientSession, demo: RunningDemo, user: str) -> Any:
    async def view() -> Any:
        return (await _get(http, demo, f"/demo/view?user={user}"))["view"]

    return await _eventually(view)


async def test_command_modal_close_and_home(demo: RunningDemo, http: ClientSession) -> None:
    await _post(
        http, demo, "/demo/command", {"user": STAFFER.id, "channel": BOOTH.id, "text": "/lead"}
    )
    view = await _open_view(http, demo, STAFFER.id)
    assert view["title"] == "New lead"
    assert 'aria-label="Email"' in view["html"]

    await _post(http, demo, "/demo/close", {"user": STAFFER.id, "view_id": view["id"]})
    assert (await _get(http, demo, f"/demo/view?user={STAFFER.id}"))["view"] is None

    await _post(http, demo, "/demo/home", {"user": MANAGER.id})

    async def home() -> Any:
        return (await _get(http, demo, f"/demo/home?user={MANAGER.id}"))["view"]

    shown = await _eventually(home)
    assert shown is not None
    assert "/lead" in shown["html"]


async def test_submission_errors_come_back_inline(demo: RunningDemo, http: ClientSession) -> None:
    await _post(
        http, demo, "/demo/command", {"user": STAFFER.id, "channel": BOOTH.id, "text": "/lead"}
    )
    view = await _open_view(http, demo, STAFFER.id)
    values = {"email": {"value": {"type": "email_text_input", "value": "not-an-email"}}}

    answer = await _post(
        http, demo, "/demo/submit", {"user": STAFFER.id, "view_id": view["id"], "values": values}
    )

    assert set(answer["errors"]) == {"email"}
    assert (await _get(http, demo, f"/demo/view?user={STAFFER.id}"))["view"]["id"] == view["id"]


async def test_quick_capture_posts_a_card_and_threads_show_under_it(
    demo: RunningDemo, http: ClientSession
) -> None:
    text = "/lead Jane Doe, Initech, jane@initech.com, hot"
    await _post(
        http, demo, "/demo/command", {"user": STAFFER.id, "channel": BOOTH.id, "text": text}
    )

    async def card() -> Any:
        messages = await _get(http, demo, f"/demo/channel?user={REP_1.id}&channel={SALES.id}")
        return messages["messages"]

    [shown] = await _eventually(card)
    booth = await _get(http, demo, f"/demo/channel?user={STAFFER.id}&channel={BOOTH.id}")
    assert booth["messages"][0]["ephemeral"] is True  # what was stored, privately
    reply = {"user": REP_1.id, "channel": SALES.id, "text": "On it <b>", "thread_ts": shown["ts"]}
    await _post(http, demo, "/demo/message", reply)
    await _post(http, demo, "/demo/message", {"user": REP_1.id, "channel": SALES.id, "text": "x"})

    messages = await card()
    assert [m["thread_ts"] for m in messages] == [None, shown["ts"], None]
    assert "On it &lt;b&gt;" in messages[1]["html"]
    assert messages[1]["author"] == REP_1.real_name


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
_FIELDS = st.sampled_from(["user", "channel", "text", "view_id", "values", "action", "where", "ts"])
_BODIES = st.one_of(
    _JSON,
    st.dictionaries(_FIELDS, _JSON, max_size=6),
    st.fixed_dictionaries(
        {"user": st.just(STAFFER.id)},
        optional={
            "channel": _JSON,
            "text": _JSON,
            "action": _JSON,
            "where": _JSON,
            "view_id": _JSON,
            "values": _JSON,
        },
    ),
)
_PATHS = (
    "/demo/command",
    "/demo/message",
    "/demo/action",
    "/demo/submit",
    "/demo/close",
    "/demo/home",
)


def _examples(count: int) -> list[tuple[str, Any]]:
    """Bodies drawn by hypothesis (no shrinking: the server runs in the test's own loop)."""
    drawn: list[tuple[str, Any]] = []

    @settings(max_examples=count, database=None, deadline=None)
    @given(st.sampled_from(_PATHS), _BODIES)
    def collect(path: str, body: Any) -> None:
        drawn.append((path, body))

    collect()
    return drawn


async def test_any_body_gets_an_answer_never_a_500(demo: RunningDemo, http: ClientSession) -> None:
    for path, body in [*_examples(150), ("/demo/command", "not json"), ("/demo/submit", "[")]:
        data = body if isinstance(body, str) else json.dumps(body)
        async with http.post(demo.url + path.lstrip("/"), data=data) as reply:
            assert reply.status < 500, (path, body, await reply.text())
    for query in ("/demo/channel?user=nobody", "/demo/view", "/demo/home?user=", "/files/F1"):
        async with http.get(demo.url + query.lstrip("/")) as reply:
            assert reply.status in (400, 404), query


async def test_the_page_brings_a_japanese_font(demo: RunningDemo, http: ClientSession) -> None:
    async with (
        http.get(demo.url + "fonts/ja.ttf") as font,
        http.get(demo.url + "static/app.css") as css,
    ):
        assert font.status == 200
        assert len(await font.read()) > 1_000_000  # IPAexGothic, as the digest chart uses
        assert "/fonts/ja.ttf" in await css.text()


async def test_seeded_history_has_nurture_progress(tmp_path: Path) -> None:
    options = DemoOptions(port=0, seed=True, database=tmp_path / "demo.db")
    async with running_demo(options) as running:
        seeded = running.seeded
        async with running.services.db.read() as session:
            states = dict(
                (
                    await session.execute(
                        select(NurtureStepRow.state, func.count()).group_by(NurtureStepRow.state)
                    )
                ).all()
            )
            nurturing = await session.scalar(
                select(func.count()).select_from(LeadRow).where(LeadRow.stage == "nurturing")
            )
    assert seeded is not None
    assert seeded.nurture_steps_done == states[DONE] > 0
    assert states.get(DUE, 0) + states.get(SENT, 0) > 0  # steps still ahead or awaiting Done
    assert nurturing
