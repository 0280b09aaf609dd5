"""Lead rows: domain values in and out, locked reads, conditional stage changes, history."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import asdict, fields
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import (
    DateTime,
    Row,
    String,
    bindparam,
    func,
    insert,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from leads.config import LeadbotConfig
from leads.lead import Decision, Lead
from leads.lifecycle import Move
from leads.model import Budget, CompanySize, Interest, LeadDraft, Source, Stage, Timeline
from leads.outcomes import LostReason
from leads.scoring import Reason, ReasonKind, ScoringRules, TouchFact
from storage.tables import AUDIT, HISTORY, LEADS, TOUCHES, AuditRow, LeadRow, TouchRow

# The draft's fields stored as columns of the same name; `opted_out` is `opted_out_at`.
PROFILE_FIELDS = tuple(field.name for field in fields(LeadDraft) if field.name != "opted_out")
ENUM_FIELDS: dict[str, type[StrEnum]] = {
    "source": Source,
    "interest": Interest,
    "budget": Budget,
    "timeline": Timeline,
    "company_size": CompanySize,
}
_ENUM_VALUES = {name: frozenset(m.value for m in enum) for name, enum in ENUM_FIELDS.items()}
# Bumped when the stored form of reasons changes, so the rescore sweep recomputes old rows.
REASONS_FORMAT = "codes-1"


class Values(Protocol):
    """Anything whose lead columns can be read by name: a row mapping, or a LeadRow."""

    def __getitem__(self, column: str) -> Any: ...


class _Attributes:
    """Reads an ORM row's columns by name."""

    def __init__(self, row: LeadRow) -> None:
        self._row = row

    def __getitem__(self, column: str) -> Any:
        return getattr(self._row, column)


def to_lead(row: LeadRow) -> Lead:
    """A detached domain snapshot of an ORM row."""
    return lead_from(_Attributes(row))


def lead_from(
    values: Values,
    *,
    profile: LeadDraft | None = None,
    reasons: tuple[Reason, ...] | None = None,
) -> Lead:
    """A detached domain snapshot of a lead's column values; `profile` and `reasons`, when
    given, are those columns already read (a batch that just scored the row)."""
    return Lead(
        id=values["id"] or 0,
        profile=draft_from(values) if profile is None else profile,
        stage=Stage(values["stage"]),
        owner=values["owner"],
        score=values["score"],
        fit=values["fit"],
        engagement=values["score"] - values["fit"],  # the decayed engagement as of the last rescore
        reasons=reasons_from_json(values["reasons"]) if reasons is None else reasons,
        region=values["region"],
        touch_count=values["touch_count"],
        captured_by=values["captured_by"],
        created_at=values["created_at"],
        hot_at=values["hot_at"],
        claimed_at=values["claimed_at"],
        route_channel=values["route_channel"],
        card_channel=values["card_channel"],
        card_ts=values["card_ts"],
        decision=_decision(values),
    )


def _decision(values: Values) -> Decision | None:
    at = values["outcome_at"]
    stage = values["outcome"]
    if at is None or stage not in _DECISIONS:
        return None
    reason = values["lost_reason"]
    return Decision(
        stage=Stage(stage),
        by=values["outcome_by"],
        at=at,
        value=values["deal_value"],
        reason=LostReason(reason) if reason in _LOST_REASONS else None,
        detail=values["lost_detail"],
    )


_DECISIONS = frozenset({"meeting", "won", "lost"})
_LOST_REASONS = frozenset(reason.value for reason in LostReason)


def to_draft(row: LeadRow) -> LeadDraft:
    """The profile fields of an ORM row as a draft."""
    return draft_from(_Attributes(row))


def draft_from(values: Values) -> LeadDraft:
    """The profile fields of a lead's column values as a draft."""
    found: dict[str, Any] = {}
    for name in PROFILE_FIELDS:
        raw = values[name]
        enum = ENUM_FIELDS.get(name)
        if enum is not None:
            found[name] = enum(raw) if raw in _ENUM_VALUES[name] else None
        else:
            found[name] = raw
    return LeadDraft(**found, opted_out=values["opted_out_at"] is not None)


def profile_values(draft: LeadDraft) -> dict[str, Any]:
    """The profile columns of a draft (enums as their values, None as empty); not the
    opt-out, whose column is a time only capture knows."""
    return {name: _column_value(getattr(draft, name)) for name in PROFILE_FIELDS}


def _column_value(value: Any) -> Any:
    if isinstance(value, StrEnum):
        return value.value
    return "" if value is None else value


def reason_json(reason: Reason) -> dict[str, Any]:
    """A reason as stored in the leads.reasons JSON column."""
    return {
        "code": reason.code,
        "params": dict(reason.params),
        "points": reason.points,
        "kind": reason.kind,
    }


def reasons_from_json(stored: Iterable[Mapping[str, Any]] | None) -> tuple[Reason, ...]:
    """Reasons read back; a row from before reason codes shows its old label as the code."""
    reasons = []
    for item in stored or ():
        code = str(item.get("code") or item.get("label") or "")
        params = item.get("params") if isinstance(item.get("params"), dict) else {}
        kind: ReasonKind = "engagement" if item.get("kind") == "engagement" else "fit"
        reasons.append(Reason(code, dict(params or {}), float(item.get("points", 0)), kind))
    return tuple(reasons)


def rules_version(config: LeadbotConfig) -> str:
    """A short fingerprint of the scoring rules, to spot leads scored under older ones."""
    cached = _VERSIONS.get(id(config.scoring))
    if cached is not None and cached[0] is config.scoring:
        return cached[1]
    canonical = json.dumps(
        [REASONS_FORMAT, asdict(config.scoring)], sort_keys=True, ensure_ascii=False
    )
    version = hashlib.sha256(canonical.encode()).hexdigest()[:16]
    _VERSIONS[id(config.scoring)] = (config.scoring, version)
    return version


_VERSIONS: dict[int, tuple[ScoringRules, str]] = {}


# --- reads ------------------------------------------------------------------------------


async def get_lead(session: AsyncSession, lead_id: int) -> Lead | None:
    """The lead with this id, if any."""
    row = await session.get(LeadRow, lead_id)
    return None if row is None else to_lead(row)


async def leads_by_id(session: AsyncSession, lead_ids: Iterable[int]) -> dict[int, Lead]:
    """These leads (those that exist), by id, in one query."""
    ids = list(set(lead_ids))
    if not ids:
        return {}
    rows = await session.scalars(select(LeadRow).where(LeadRow.id.in_(ids)))
    return {row.id: to_lead(row) for row in rows}


async def lock_lead(session: AsyncSession, lead_id: int) -> LeadRow | None:
    """The lead's row, locked for the rest of the transaction."""
    statement = select(LeadRow).where(LeadRow.id == lead_id).with_for_update()
    return (await session.scalars(statement)).one_or_none()


async def lock_known_people(
    session: AsyncSession, email_keys: set[str], phone_keys: set[str]
) -> list[dict[str, Any]]:
    """Leads that share one of these emails or phone keys, locked, oldest first, as mappings."""
    conditions = []
    if email_keys:
        conditions.append(LEADS.c.email_key.in_(email_keys))
    if phone_keys:
        conditions.append(LEADS.c.phone_key.in_(phone_keys))
    if not conditions:
        return []
    statement = select(LEADS).where(or_(*conditions)).order_by(LEADS.c.id).with_for_update()
    return [dict(row) for row in (await session.execute(statement)).mappings()]


async def insert_leads(session: AsyncSession, rows: list[dict[str, Any]]) -> list[int]:
    """Insert new leads in one statement; returns their ids in the same order."""
    if not rows:
        return []
    if session.get_bind().dialect.name == "sqlite":
        return await _insert_sqlite_leads(session, rows)
    params = [{key: value for key, value in row.items() if key != "id"} for row in rows]
    statement = insert(LEADS).returning(LEADS.c.id, sort_by_parameter_order=True)
    return [int(found) for found in (await session.execute(statement, params)).scalars()]


async def _insert_sqlite_leads(session: AsyncSession, rows: list[dict[str, Any]]) -> list[int]:
    """SQLite: one executemany, then the ids from the largest one.

    SQLAlchemy can't order a multi-row RETURNING on SQLite and falls back to one INSERT per
    row. Each INSERT here takes the largest id plus one (an id given as None, too), and the
    transaction holds the only write lock from the first INSERT to its commit, so the rows
    got the consecutive ids that end at the largest one, in order.
    """
    await session.execute(insert(LEADS), [{**row, "id": None} for row in rows])
    last = int(await session.scalar(select(func.max(LEADS.c.id))) or 0)
    return list(range(last - len(rows) + 1, last + 1))


MERGED_COLUMNS = (
    *PROFILE_FIELDS,
    "email_key",
    "phone_key",
    "region",
    "stage",
    "touch_count",
    "updated_at",
    "fit",
    "engagement",
    "engagement_at",
    "score",
    "reasons",
    "rules_version",
    "hot_at",
    "route_channel",
    "route_rule",
    "opted_out_at",
)


async def update_merged(
    session: AsyncSession, rows: list[dict[str, Any]], expected_stages: list[str]
) -> None:
    """Write back merged leads in one executemany, each only from the stage it was read in."""
    if not rows:
        return
    statement = (
        update(LEADS)
        .where(LEADS.c.id == bindparam("b_id"), LEADS.c.stage == bindparam("b_expected"))
        .values({column: bindparam(f"b_{column}") for column in MERGED_COLUMNS})
    )
    params = [
        {"b_id": row["id"], "b_expected": expected}
        | {f"b_{column}": row[column] for column in MERGED_COLUMNS}
        for row, expected in zip(rows, expected_stages, strict=True)
    ]
    result = await session.execute(statement, params)
    changed = getattr(result, "rowcount", -1)
    if changed not in (-1, None, len(rows)):
        raise LookupError(f"{len(rows) - changed} merged lead(s) changed stage meanwhile")


async def email_taken_by_other(session: AsyncSession, email: str, lead_id: int) -> bool:
    """Whether another lead already has this email."""
    found = await session.scalar(
        select(LeadRow.id).where(LeadRow.email_key == email, LeadRow.id != lead_id)
    )
    return found is not None


async def recent_leads(session: AsyncSession, captured_by: str, limit: int = 5) -> list[Lead]:
    """The newest leads this person captured."""
    rows = await session.scalars(
        select(LeadRow)
        .where(LeadRow.captured_by == captured_by)
        .order_by(LeadRow.id.desc())
        .limit(limit)
    )
    return [to_lead(row) for row in rows]


async def open_leads_of(
    session: AsyncSession, owner: str, stages: Iterable[Stage], limit: int
) -> list[Lead]:
    """The owner's leads in `stages`, newest first."""
    rows = await session.scalars(
        select(LeadRow)
        .where(LeadRow.owner == owner, LeadRow.stage.in_([stage.value for stage in stages]))
        .order_by(LeadRow.id.desc())
        .limit(limit)
    )
    return [to_lead(row) for row in rows]


async def stream_columns(
    session: AsyncSession, columns: Sequence[str], *, batch: int = 5000, raw_times: bool = False
) -> AsyncIterator[Sequence[Row[Any]]]:
    """Every lead's `columns` (the first must be `id`), in id order, a batch at a time.

    Plain rows from one server-side cursor: no ORM objects, flat memory however many leads.
    With `raw_times`, times come back as the database holds them (UTC, no offset): text on
    SQLite, where turning every one into a datetime costs more than the rest of the row.
    """
    raw = String() if session.get_bind().dialect.name == "sqlite" else DateTime()
    selected = [
        type_coerce(LEADS.c[name], raw) if raw_times and name.endswith("_at") else LEADS.c[name]
        for name in columns
    ]
    result = await session.stream(
        select(*selected).order_by(LEADS.c.id).execution_options(yield_per=batch)
    )
    async for rows in result.partitions(batch):
        yield rows


async def touch_facts(session: AsyncSession, lead_ids: Iterable[int]) -> dict[int, list[TouchFact]]:
    """Every touch of these leads, as scoring sees them, oldest first."""
    ids = list(set(lead_ids))
    facts: dict[int, list[TouchFact]] = defaultdict(list)
    if not ids:
        return facts
    result = await session.execute(
        select(
            TouchRow.lead_id,
            TouchRow.created_at,
            TouchRow.captured_by,
            TouchRow.interest,
            TouchRow.source,
            TouchRow.kind,
            TouchRow.points,
        )
        .where(TouchRow.lead_id.in_(ids))
        .order_by(TouchRow.lead_id, TouchRow.id)
    )
    for lead_id, created_at, captured_by, interest, source, kind, points in result:
        facts[lead_id].append(
            TouchFact(
                at=created_at.timestamp(),
                captured_by=captured_by,
                interest=Interest(interest) if interest in _ENUM_VALUES["interest"] else None,
                source=Source(source) if source in _ENUM_VALUES["source"] else None,
                kind=kind,
                points=points if kind else 0.0,
            )
        )
    return facts


async def touches_done(session: AsyncSession, once_keys: Iterable[str]) -> set[str]:
    """Which of these once-only touch keys are already stored (rows imported before)."""
    keys = list(set(once_keys))
    if not keys:
        return set()
    found = await session.scalars(select(TouchRow.once_key).where(TouchRow.once_key.in_(keys)))
    return {key for key in found if key}


async def passed_by(session: AsyncSession, lead_id: int) -> tuple[str, ...]:
    """Everyone who passed on the lead, in order."""
    result = await session.scalars(
        select(AuditRow.actor)
        .where(AuditRow.lead_id == lead_id, AuditRow.action == "passed")
        .order_by(AuditRow.id)
    )
    return tuple(result)


async def has_passed(session: AsyncSession, lead_id: int, user: str) -> bool:
    """Whether `user` already passed on the lead."""
    found = await session.scalar(
        select(func.count())
        .select_from(AuditRow)
        .where(AuditRow.lead_id == lead_id, AuditRow.action == "passed", AuditRow.actor == user)
    )
    return bool(found)


async def lock_hot_candidates(
    session: AsyncSession, stages: Iterable[Stage], threshold: int, limit: int
) -> list[LeadRow]:
    """Leads in `stages` whose score reached `threshold`, locked (others' locks skipped)."""
    statement = (
        select(LeadRow)
        .where(LeadRow.stage.in_([stage.value for stage in stages]), LeadRow.score >= threshold)
        .order_by(LeadRow.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(await session.scalars(statement))


# --- writes -----------------------------------------------------------------------------


async def move_stage(
    session: AsyncSession,
    lead_id: int,
    move: Move,
    *,
    actor: str,
    now: datetime,
    reason: str = "",
    value: float | None = None,
    changes: Mapping[str, Any] | None = None,
) -> LeadRow | None:
    """Apply `move` only if the lead is still in its source stage; write its history row.

    Returns the updated row, or None when the lead is gone or already elsewhere.
    """
    statement = (
        update(LeadRow)
        .where(LeadRow.id == lead_id, LeadRow.stage == move.source.value)
        .values(stage=move.target.value, updated_at=now, **dict(changes or {}))
        .returning(LeadRow)
        .execution_options(populate_existing=True)
    )
    row = (await session.scalars(statement)).one_or_none()
    if row is not None and move.changes_stage:
        await record_history(
            session,
            [
                history_values(
                    lead_id,
                    move.source,
                    move.target,
                    actor=actor,
                    now=now,
                    reason=reason,
                    value=value,
                )
            ],
        )
    return row


def history_values(
    lead_id: int,
    source: Stage | None,
    target: Stage,
    *,
    actor: str,
    now: datetime,
    reason: str = "",
    value: float | None = None,
) -> dict[str, Any]:
    """Column values of one stage-history row (`source` None: the lead was just created)."""
    return {
        "lead_id": lead_id,
        "from_stage": source.value if source is not None else "",
        "to_stage": target.value,
        "actor": actor,
        "reason": reason[:300],
        "value": value,
        "created_at": now,
    }


async def record_history(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert stage-history rows (one executemany)."""
    if rows:
        await session.execute(insert(HISTORY), rows)


async def record_touches(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert touch rows (one executemany)."""
    if rows:
        await session.execute(insert(TOUCHES), rows)


async def record_audit(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert audit rows (one executemany)."""
    if rows:
        await session.execute(insert(AUDIT), rows)


def audit_values(
    lead_id: int | None, actor: str, action: str, detail: Mapping[str, Any], now: datetime
) -> dict[str, Any]:
    """Column values of one audit row."""
    return {
        "lead_id": lead_id,
        "actor": actor,
        "action": action,
        "detail": dict(detail),
        "created_at": now,
    }


async def set_card(session: AsyncSession, lead_id: int, channel: str, ts: str) -> None:
    """Remember where the lead's current card is, so later changes redraw it in place."""
    await session.execute(
        update(LeadRow).where(LeadRow.id == lead_id).values(card_channel=channel, card_ts=ts)
    )


async def retouch_latest(
    session: AsyncSession, lead_id: int, *, interest: str, source: str
) -> None:
    """Correct the interest and source of the lead's latest touch (after an edit)."""
    latest = await session.scalar(select(func.max(TouchRow.id)).where(TouchRow.lead_id == lead_id))
    if latest is not None:
        await session.execute(
            update(TouchRow).where(TouchRow.id == latest).values(interest=interest, source=source)
        )
