"""`leadbot export`: every lead as CSV or JSON lines, streamed in batches."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

from storage.db import Database
from storage.leads import stream_columns
from storage.nurture import enrolment_columns

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
    "opted_out_at",
    "touches",
    "hot_at",
    "claimed_at",
    "notes",
    "lost_reason",
    "deal_value",
    "meeting_at",
    "won_at",
    "lost_at",
    "nurture_plan",
    "nurture_step",
    "next_step_at",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER_LIKE = re.compile(r"^[+-]?[\d\s().-]+$")


NURTURE_COLUMNS = ("nurture_plan", "nurture_step", "next_step_at")  # from the enrolment
LEADS_COLUMN = {"status": "stage", "touches": "touch_count"}  # export name -> leads column
# The leads table's columns the other export columns come from, in COLUMNS order.
SOURCE_COLUMNS = tuple(
    LEADS_COLUMN.get(name, name) for name in COLUMNS if name not in NURTURE_COLUMNS
)
_TIMES = tuple(index for index, name in enumerate(SOURCE_COLUMNS) if name.endswith("_at"))
_TEXTS = tuple(
    index
    for index, name in enumerate(SOURCE_COLUMNS)
    if name not in ("id", "score", "consent", "touch_count", "deal_value") and index not in _TIMES
)
_NO_NURTURE: tuple[str, int | str, Any] = ("", "", None)
_OWNER = SOURCE_COLUMNS.index("owner")
_DEAL_VALUE = SOURCE_COLUMNS.index("deal_value")
_FORMULA_CHARS = frozenset(FORMULA_START)


def record_values(
    row: Sequence[Any],
    *,
    defuse: bool = False,
    nurture: tuple[str, int | str, Any] = _NO_NURTURE,
) -> list[Any]:
    """One lead's export values, in COLUMNS order, from its SOURCE_COLUMNS and its active
    enrolment (`nurture`: plan, 0-based step index, next due time).

    Times arrive as the database holds them, UTC without an offset (see stream_columns), and
    leave as ISO 8601 with their offset. With `defuse`, formulas are made harmless.
    """
    values = list(row)
    for index in _TIMES:
        values[index] = iso_utc(values[index])
    if values[_OWNER] is None:
        values[_OWNER] = ""
    if values[_DEAL_VALUE] is None:
        values[_DEAL_VALUE] = ""
    if defuse:
        for index in _TEXTS:
            text = values[index]
            if text and text[0] in _FORMULA_CHARS:
                values[index] = spreadsheet_safe(text)
    plan, step, due = nurture
    plan_name = spreadsheet_safe(plan) if defuse else plan
    values.extend([plan_name, step + 1 if isinstance(step, int) else "", iso_offset(due)])
    return values


def iso_offset(value: datetime | str | None) -> str:
    """A UTC time (aware, naive or SQLite's text) as ISO 8601 with its offset; empty for None."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return iso_utc(value)


def iso_utc(value: datetime | str | None) -> str:
    """`2026-11-24T10:00:00+00:00` from a naive UTC datetime or SQLite's stored text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat() + "+00:00"
    text = value.replace(" ", "T", 1)
    return (text[:-7] if text.endswith(".000000") else text) + "+00:00"


def spreadsheet_safe(value: Any) -> Any:
    """Defuse text a spreadsheet would run as a formula; phone numbers stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER_LIKE.match(value):
        return "'" + value
    return value


async def export_leads(db: Database, output: TextIO, *, fmt: str) -> int:
    """Write every lead to `output` in `fmt` ("csv" or "jsonl"); returns how many."""
    count = 0
    if fmt == "csv":
        writer = csv.writer(output)
        writer.writerow(COLUMNS)
        async for batch in _batches(db, defuse=True):
            writer.writerows(batch)
            count += len(batch)
    else:
        async for batch in _batches(db, defuse=False):
            output.writelines(
                json.dumps(dict(zip(COLUMNS, values, strict=True)), ensure_ascii=False) + "\n"
                for values in batch
            )
            count += len(batch)
    return count


async def _batches(db: Database, *, defuse: bool) -> AsyncIterator[list[list[Any]]]:
    async with db.read() as session:
        async for rows in stream_columns(session, SOURCE_COLUMNS, raw_times=True):
            nurture = await _enrolments(db, rows[0][0], rows[-1][0]) if rows else {}
            yield [
                record_values(row, defuse=defuse, nurture=_nurture_values(nurture, row[0]))
                for row in rows
            ]


async def _enrolments(db: Database, low: int, high: int) -> dict[int, Any]:
    """Active enrolments of one batch of leads, read beside the stream (its own session)."""
    async with db.read() as session:
        return await enrolment_columns(session, low, high)


def _nurture_values(found: dict[int, Any], lead_id: int) -> tuple[str, int | str, Any]:
    return found.get(lead_id, _NO_NURTURE)  # type: ignore[no-any-return]
