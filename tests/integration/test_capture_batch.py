"""Capture's group commit: one batch per transaction, same-person merges, and the fallback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from leadloop.capture import CaptureRequest, Captures
from leadloop.context import Loop
from leads.config import LeadbotConfig
from leads.model import Interest, LeadDraft, Source
from storage.db import Database, create_database
from storage.group_commit import GroupCommit
from storage.migrate import migrate
from storage.prefs import set_current_event
from storage.tables import AuditRow, LeadRow, StageHistoryRow, TouchRow, UserPrefRow
from tests.harness import count_rows

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """A migrated database."""
    database = create_database(database_url)
    await migrate(database)
    yield database
    await database.dispose()


def loop_on(db: Database) -> Loop:
    return Loop(db=db, config=LeadbotConfig(), sales_channel="C0SALES", clock=lambda: NOW)


def request(
    email: str,
    *,
    name: str = "",
    phone: str = "",
    user: str = "U0STAFF",
    interest: Interest | None = Interest.WARM,
    at_event: bool = False,
) -> CaptureRequest:
    draft = LeadDraft(name=name, email=email, phone=phone, interest=interest)
    return CaptureRequest(draft, user, "C0BOOTH", "quick", at=NOW, at_current_event=at_event)


async def test_one_batch_merges_the_same_person_and_keeps_others_apart(db: Database) -> None:
    captures = Captures(loop_on(db))
    results = await asyncio.gather(
        *(
            captures.capture(r)
            for r in [
                request("a@acme.example", name="Ann"),
                request("b@acme.example", name="Bob"),
                request("a@acme.example", phone="090-1234-5678"),
                request("", name="No Email"),
                request("", name="No Email"),
                request("", name="Ann", phone="+81 90 1234 5678"),
            ]
        )
    )
    await captures.close()

    assert [r.created for r in results] == [True, True, False, True, True, False]
    assert results[0].lead.id == results[2].lead.id == results[5].lead.id
    assert await count_rows(db, LeadRow) == 4  # no email and no phone: never merged
    assert await count_rows(db, TouchRow) == 6
    assert await count_rows(db, AuditRow, action="touched") == 2
    assert await count_rows(db, StageHistoryRow, to_stage="new") == 4
    ann = results[5].lead
    assert (ann.profile.name, ann.profile.phone, ann.touch_count) == ("Ann", "090-1234-5678", 3)


async def test_current_events_are_read_in_the_batch(db: Database) -> None:
    async with db.write() as session:
        await set_current_event(session, "U0EXPO", "Tokyo Expo 2026", now=NOW)
    captures = Captures(loop_on(db))
    at_expo, elsewhere = await asyncio.gather(
        captures.capture(request("x@acme.example", user="U0EXPO", at_event=True)),
        captures.capture(request("y@acme.example", user="U0DESK", at_event=True)),
    )
    assert (at_expo.lead.profile.event, at_expo.lead.profile.source) == (
        "Tokyo Expo 2026",
        Source.EVENT,
    )
    assert (elsewhere.lead.profile.event, elsewhere.lead.profile.source) == ("", Source.MANUAL)


async def test_a_failing_item_does_not_sink_its_batch(db: Database) -> None:
    async def write(session: AsyncSession, users: Sequence[str]) -> list[str]:
        for user in users:
            if user == "U0BAD":
                raise RuntimeError("cannot store this one")
            await session.execute(
                insert(UserPrefRow).values(user_id=user, current_event="x", updated_at=NOW)
            )
        return list(users)

    commit: GroupCommit[str, str] = GroupCommit(db, write)
    outcomes = await asyncio.gather(
        *(commit.submit(user) for user in ("U0GOOD1", "U0BAD", "U0GOOD2")),
        return_exceptions=True,
    )
    assert outcomes[0] == "U0GOOD1"
    assert isinstance(outcomes[1], RuntimeError)
    assert outcomes[2] == "U0GOOD2"
    assert await count_rows(db, UserPrefRow) == 2  # nothing of the failed item is left behind


async def test_replicas_racing_on_one_email_make_one_lead(db: Database) -> None:
    replicas = [Captures(loop_on(db)) for _ in range(10)]
    await asyncio.gather(
        *(
            replica.capture(request("race@acme.example", name=f"R{n}", user=f"U0R{n}"))
            for n, replica in enumerate(replicas)
        )
    )
    assert await count_rows(db, LeadRow) == 1
    assert await count_rows(db, TouchRow) == 10
