"""`leadbot export`: every lead as CSV or JSON lines, streamed in batches."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import AsyncIterator
from typing import Any, TextIO

from leads.lead import Lead
from storage.db import Database
from storage.leads import stream_leads

COLUMNS = (
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
    "title",
    "product",
    "region",
    "consent",
    "touches",
    "hot_at",
    "claimed_at",
    "notes",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER_LIKE = re.compile(r"^[+-]?[\d\s().-]+$")


def lead_record(lead: Lead) -> dict[str, Any]:
    """One lead as a flat record with the export columns."""
    profile = lead.profile
    return {
        "id": lead.id,
        "name": profile.name,
        "company": profile.company,
        "email": profile.email,
        "phone": profile.phone,
        "source": profile.source.value if profile.source else "",
        "event": profile.event,
        "interest": profile.interest.value if profile.interest else "",
        "score": lead.score,
        "status": lead.stage.value,
        "owner": lead.owner or "",
        "created_at": lead.created_at.isoformat(),
        "title": profile.title,
        "product": profile.product,
        "region": lead.region,
        "consent": profile.consent,
        "touches": lead.touch_count,
        "hot_at": lead.hot_at.isoformat() if lead.hot_at else "",
        "claimed_at": lead.claimed_at.isoformat() if lead.claimed_at else "",
        "notes": profile.notes,
    }


def spreadsheet_safe(value: Any) -> Any:
    """Defuse text a spreadsheet would run as a formula; phone numbers stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER_LIKE.match(value):
        return "'" + value
    return value


async def export_leads(db: Database, output: TextIO, *, fmt: str) -> int:
    """Write every lead to `output` in `fmt` ("csv" or "jsonl"); returns how many."""
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(output, fieldnames=COLUMNS)
        writer.writeheader()
        async for record in _records(db):
            writer.writerow({key: spreadsheet_safe(value) for key, value in record.items()})
            count += 1
    else:
        async for record in _records(db):
            output.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


async def _records(db: Database) -> AsyncIterator[dict[str, Any]]:
    async with db.read() as session:
        async for lead in stream_leads(session):
            yield lead_record(lead)
