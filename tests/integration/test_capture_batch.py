"""The capture writer: batched group commit, and its one-by-one fallback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from leads.config import LeadbotConfig
from leads.model import Interest, LeadDraft, Source
from storage.capture_batch import CaptureWriter
from storage.db import Database, create_database
from storage.leads import Capture, CaptureResult, capture_lead
from storage.migrate import migrate
from storage.outbox import OutboxMessage
from storage.prefs import set_current_event
from storage.tables import AuditRow, LeadRow, OutboxRow, TouchRow
from tests.harness import count_rows

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """A migrated database."""
    database = create_database(database_url)
    await migrate(database)
    yield database
    await database.dispose()


def _capture(
    email: str,
    *,
    name: str = "",
    phone: str = "",
    user: str = "U0STAFF",
    interest: Interest | None = Interest.WARM,
    at_event: bool = False,
) -> Capture:
    draft = LeadDraft(name=name, email=email, phone=phone, interest=interest)
    return Capture(draft, user, "C0BOOTH", "quick", at_current_event=at_event)


async def test_one_batch_merges_repeat_emails_and_keeps_others_apart(db: Database) -> None:
    writer = CaptureWriter(db, config=LeadbotConfig(), sales_channel="C0SALES")
    captures = [
        _capture("a@acme.example", name="Ann"),
        _capture("b@acme.example", name="Bob"),
        _capture("a@acme.example", phone="090-1234-5678"),
        _capture("", name="No Email"),
        _capture("", name="No Email"),
    ]
    results = await asyncio.gather(*(writer.capture(c, now=NOW) for c in captures))
    await writer.close()

    assert [r.created for r in results] == [True, True, False, True, True]
    assert results[0].lead.id == results[2].lead.id
    assert await count_rows(db, LeadRow) == 4  # leads without an email are never merged
    assert await count_rows(db, TouchRow) == 5
    assert await count_rows(db, AuditRow, action="touched") == 1
    ann = results[2].lead
    assert (ann.profile.name, ann.profile.phone, ann.touch_count) == ("Ann", "090-1234-5678", 2)


async def test_current_events_are_read_in_the_batch(db: Database) -> None:
    async with db.write() as session:
        await set_current_event(session, "U0EXPO", "Tokyo Expo 2026", now=NOW)
    writer = CaptureWriter(db, config=LeadbotConfig(), sales_channel="C0SALES")
    at_expo, elsewhere = await asyncio.gather(
        writer.capture(_capture("x@acme.example", user="U0EXPO", at_event=True), now=NOW),
        writer.capture(_capture("y@acme.example", user="U0DESK", at_event=True), now=NOW),
    )
    assert (at_expo.lead.profile.event, at_expo.lead.profile.source) == (
        "Tokyo Expo 2026",
        Source.EVENT,
    )
    assert (elsewhere.lead.profile.event, elsewhere.lead.profile.source) == ("", Source.MANUAL)


async def test_a_failing_capture_does_not_sink_its_batch(db: Database) -> None:
    writer = CaptureWriter(db, config=LeadbotConfig(), sales_channel="C0SALES")

    def confirm(result: CaptureResult) -> list[OutboxMessage]:
        if result.lead.profile.email == "bad@acme.example":
            raise RuntimeError("cannot render the confirmation")
        return [
            OutboxMessage(
                f"confirm:{result.lead.id}",
                "confirmation",
                "chat.postMessage",
                "U0STAFF",
                {"text": "saved"},
                NOW,
                result.lead.id,
            )
        ]

    outcomes = await asyncio.gather(
        *(
            writer.capture(_capture(f"{who}@acme.example"), now=NOW, follow_ups=confirm)
            for who in ("good1", "bad", "good2")
        ),
        return_exceptions=True,
    )
    assert isinstance(outcomes[1], RuntimeError)
    stored = {r.lead.profile.email for r in outcomes if isinstance(r, CaptureResult)}
    assert stored == {"good1@acme.example", "good2@acme.example"}
    assert await count_rows(db, LeadRow) == 2  # nothing of the failed capture is left behind
    assert await count_rows(db, TouchRow) == 2
    assert await count_rows(db, OutboxRow) == 2


async def test_separate_transactions_racing_on_one_email_make_one_lead(db: Database) -> None:
    async def one(n: int) -> None:
        async with db.write() as session:
            await capture_lead(
                session,
                _capture("race@acme.example", name=f"R{n}"),
                config=LeadbotConfig(),
                sales_channel="C0SALES",
                now=NOW,
            )

    await asyncio.gather(*(one(n) for n in range(20)))
    assert await count_rows(db, LeadRow) == 1
    assert await count_rows(db, TouchRow) == 20
