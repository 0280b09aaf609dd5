"""File uploads through the outbox: an intent rendered to bytes at send time, shared with
Slack's external upload flow, and retried when any of its three steps fails."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from blocks.charts import funnel_chart
from handlers.directory import Directory
from leadloop.context import Loop
from leadloop.delivery import INTENT_RENDERERS, Intent, LateRenderer
from leadloop.messages import upload_message
from leads.config import DeliverySettings, LeadbotConfig
from leads.funnel import Funnel, Period, Row, merge_rows
from scheduler.delivery import Deliverer
from storage.db import Database, create_database
from storage.migrate import migrate
from storage.outbox import DEAD, PENDING, SENT, enqueue
from storage.tables import OutboxRow
from tests.harness import SALES, FakeClock
from workspace.fake_slack import UPLOAD, FakeSlack

MARKETING = "C0MARKETING"
CHART, FILE, NO_BYTES = "test_chart", "test_file", "test_no_bytes"
WEEK = Period("2026-W47", datetime(2026, 11, 16, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC))
SOURCES = [
    Row("event", {"captured": 12, "hot": 5, "claimed": 4, "meeting": 2, "won": 1}),
    Row("web", {"captured": 30, "hot": 3, "claimed": 3, "meeting": 1}),
]
FUNNEL = Funnel(WEEK, merge_rows("all", SOURCES), SOURCES, [])


async def render_chart(intent: Intent) -> dict[str, Any]:
    """The funnel chart in the intent's language, drawn off the event loop."""
    language = intent.values["language"]
    png = await asyncio.to_thread(funnel_chart, FUNNEL, language)
    return {
        "channel": intent.delivery.channel,
        "content": png,
        "filename": "funnel-2026-W47.png",
        "title": "Lead funnel 2026-W47",
        "initial_comment": "This week's funnel",
    }


async def render_file(intent: Intent) -> dict[str, Any]:
    """A small text file (for the retry tests, which need no chart)."""
    return {
        "channel": intent.delivery.channel,
        "content": b"captured,hot\n42,8\n",
        "filename": "funnel.csv",
    }


async def render_no_bytes(intent: Intent) -> dict[str, Any]:
    """A renderer with a bug: no content."""
    return {"channel": intent.delivery.channel, "filename": "empty.png"}


@dataclass
class Uploads:
    """A deliverer whose renderer knows the test intents, on a real database."""

    db: Database
    deliverer: Deliverer
    slack: FakeSlack
    clock: FakeClock

    async def owe(self, kind: str, **values: Any) -> None:
        """Owe an upload to the marketing channel, rendered when it is sent."""
        message = upload_message(
            f"test:{kind}", MARKETING, {"kind": kind, **values}, now=self.clock()
        )
        async with self.db.write() as session:
            await enqueue(session, [message], self.clock())

    async def row(self) -> OutboxRow:
        """The single upload row, as stored now."""
        async with self.db.read() as session:
            [row] = list(await session.scalars(select(OutboxRow)))
            session.expunge_all()  # keep it readable after the read transaction ends
        return row

    async def until_retry(self) -> int:
        """Move the clock to the row's next try and deliver; how many were sent."""
        self.clock.now = (await self.row()).due_at
        return await self.deliverer.deliver_due()


@pytest.fixture
async def uploads(database_url: str, slack: FakeSlack, clock: FakeClock) -> AsyncIterator[Uploads]:
    db = create_database(database_url)
    await migrate(db)
    client = AsyncWebClient(token="xoxb-test-token", base_url=slack.base_url, retry_handlers=[])
    loop = Loop(db=db, config=LeadbotConfig(), sales_channel=SALES, clock=clock)
    renderers = {
        **INTENT_RENDERERS,
        CHART: render_chart,
        FILE: render_file,
        NO_BYTES: render_no_bytes,
    }
    renderer = LateRenderer(loop, Directory(client, "en"), renderers)
    deliverer = Deliverer(db, client, DeliverySettings(), clock, render=renderer.render)
    yield Uploads(db, deliverer, slack, clock)
    await deliverer.close()
    await db.dispose()


async def test_an_intent_rendered_to_an_upload_lands_in_the_channel(uploads: Uploads) -> None:
    await uploads.owe(CHART, language="ja")

    assert await uploads.deliverer.deliver_due() == 1

    [shared] = uploads.slack.uploaded_files(MARKETING)
    assert shared.content == funnel_chart(FUNNEL, "ja")  # the bytes made at send time
    assert shared.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert (shared.name, shared.title) == ("funnel-2026-W47.png", "Lead funnel 2026-W47")
    assert shared.initial_comment == "This week's funnel"
    [message] = uploads.slack.messages[MARKETING]
    assert [file["id"] for file in message["files"]] == [shared.id]
    assert (await uploads.row()).status == SENT


@pytest.mark.parametrize("status", [429, 500])
@pytest.mark.parametrize(
    "step", ["files.getUploadURLExternal", UPLOAD, "files.completeUploadExternal"]
)
async def test_a_failed_upload_step_is_retried(uploads: Uploads, step: str, status: int) -> None:
    uploads.slack.fail(step, status=status, retry_after=30)
    await uploads.owe(FILE)

    assert await uploads.deliverer.deliver_due() == 0
    failed = await uploads.row()
    assert (failed.status, failed.attempts) == (PENDING, 1)
    assert failed.due_at > uploads.clock.now
    assert await uploads.deliverer.deliver_due() == 0  # not before it is due
    assert await uploads.until_retry() == 1

    [shared] = uploads.slack.uploaded_files(MARKETING)
    assert shared.content == b"captured,hot\n42,8\n"
    assert [call.fault for call in uploads.slack.calls_to(step)] == [
        f"{status} {'ratelimited' if status == 429 else 'internal_error'}",
        None,
    ]
    assert (await uploads.row()).status == SENT


async def test_a_rate_limited_api_step_waits_for_retry_after(uploads: Uploads) -> None:
    uploads.slack.fail("files.getUploadURLExternal", status=429, retry_after=30)
    await uploads.owe(FILE)

    await uploads.deliverer.deliver_due()

    assert ((await uploads.row()).due_at - uploads.clock.now).total_seconds() == 30


async def test_an_upload_rendered_without_bytes_is_given_up(uploads: Uploads) -> None:
    await uploads.owe(NO_BYTES)

    assert await uploads.deliverer.deliver_due() == 0

    row = await uploads.row()
    assert (row.status, row.last_error) == (DEAD, "no_content")
    assert uploads.slack.calls == []


async def test_an_upload_to_a_missing_channel_is_given_up(uploads: Uploads) -> None:
    uploads.slack.missing_channels.add(MARKETING)
    await uploads.owe(FILE)

    assert await uploads.deliverer.deliver_due() == 0

    row = await uploads.row()
    assert (row.status, row.last_error) == (DEAD, "channel_not_found")
    assert uploads.slack.uploaded_files() == []
