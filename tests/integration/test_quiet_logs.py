"""Logs worth reading: request ids on request lines, idle sweeps and migrations kept quiet."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import ClientResponse

from bot.logs import RedactingJsonFormatter
from scheduler.jobs import run_job
from tests.harness import Leadbot, capture, signed_bytes_headers
from tests.processes import run_leadbot, serve_env
from workspace.fake_slack import FakeSlack

NOT_UTF8 = b"command=%2Flead&text=\xff\xfe"


class JsonLines(logging.Handler):
    """Formats each record as leadbot's stderr handler does, at the moment it is logged."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(RedactingJsonFormatter())
        self.entries: list[dict[str, object]] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record as the JSON object leadbot would print."""
        self.entries.append(json.loads(self.format(record)))


@pytest.fixture
def logged() -> Iterator[JsonLines]:
    """Every log line written while the test runs, as JSON objects."""
    handler = JsonLines()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


async def test_lines_logged_for_a_request_carry_the_id_in_its_response_header(
    leadbot: Leadbot, logged: JsonLines
) -> None:
    reply = await _post(leadbot, "/slack/events", NOT_UTF8, signed_bytes_headers(NOT_UTF8))

    [line] = [entry for entry in logged.entries if "unreadable body" in str(entry["message"])]
    assert reply.status == 400
    assert line["request_id"] == reply.headers["X-Request-Id"]
    assert len(reply.headers["X-Request-Id"]) == 16


async def test_each_request_gets_its_own_random_id(leadbot: Leadbot) -> None:
    replies = [await _get(leadbot, "/healthz") for _ in range(3)]
    replies.append(await _get(leadbot, "/nowhere"))
    assert [reply.status for reply in replies] == [200, 200, 200, 404]
    assert len({reply.headers["X-Request-Id"] for reply in replies}) == 4


async def _get(leadbot: Leadbot, path: str) -> ClientResponse:
    assert leadbot.server is not None
    assert leadbot.http is not None
    async with leadbot.http.get(leadbot.server.make_url(path)) as response:
        return response


async def _post(
    leadbot: Leadbot, path: str, body: bytes, headers: dict[str, str]
) -> ClientResponse:
    assert leadbot.server is not None
    assert leadbot.http is not None
    url = leadbot.server.make_url(path)
    async with leadbot.http.post(url, data=body, headers=headers) as response:
        return response


async def test_lines_logged_outside_requests_have_no_request_id(
    leadbot: Leadbot, logged: JsonLines
) -> None:
    logging.getLogger("leadbot").warning("between requests")
    [entry] = [entry for entry in logged.entries if entry["message"] == "between requests"]
    assert "request_id" not in entry


async def test_a_sweep_that_changed_nothing_logs_at_debug_only(
    leadbot: Leadbot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="scheduler.jobs")
    for name in ("deliver", "rescore", "cleanup"):
        await run_job(name, leadbot.svc.job_context())
    assert [(r.levelno, r.getMessage().split(":")[0]) for r in caplog.records] == [
        (logging.DEBUG, "job deliver"),
        (logging.DEBUG, "job rescore"),
        (logging.DEBUG, "job cleanup"),
    ]


async def test_a_sweep_that_changed_something_logs_at_info(
    leadbot: Leadbot, caplog: pytest.LogCaptureFixture
) -> None:
    await capture(leadbot, interest="hot")
    await leadbot.settle()
    leadbot.clock.advance(days=31)
    caplog.set_level(logging.DEBUG, logger="scheduler.jobs")

    summary = await run_job("cleanup", leadbot.svc.job_context())

    assert "forgot 0 event id(s)" in summary
    assert [r.levelno for r in caplog.records] == [logging.INFO]


async def test_jobs_run_on_a_fresh_database_logs_nothing(
    database_url: str, slack: FakeSlack, tmp_path: Path
) -> None:
    env = serve_env(database_url, slack)
    ran = await run_leadbot("jobs", "run", "cleanup", env=env, cwd=tmp_path)
    assert ran.code == 0, ran.err
    assert ran.out.startswith("forgot 0 event id(s)")
    assert ran.err == ""  # neither alembic's INFO lines nor the idle sweep's
