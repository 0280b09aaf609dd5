"""Lead repository: capture with merge, edits, claims, outcomes and passes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from leads.config import LeadbotConfig
from leads.lead import Lead
from leads.model import Budget, CompanySize, Interest, LeadDraft, Source, Stage, Timeline
from leads.routing import LeadFacts, infer_region, route
from leads.scoring import Reason, ScoringRules, fit_reasons, score_capture, touch_reasons
from storage.alerts import alert_messages, card_update_message, owner_dm_message
from storage.outbox import ONLY_IF_UNCLAIMED, cancel_for_lead, enqueue
from storage.tables import AUDIT, TOUCHES, AuditRow, LeadRow
from storage.upsert import dialect_insert

PROFILE_FIELDS = tuple(field.name for field in fields(LeadDraft))
ENUM_FIELDS: dict[str, type[StrEnum]] = {
    "source": Source,
    "interest": Interest,
    "budget": Budget,
    "timeline": Timeline,
    "company_size": CompanySize,
}
_ENUM_VALUES = {name: frozenset(m.value for m in enum) for name, enum in ENUM_FIELDS.items()}
_HOT_INPUTS = ("stage", "score", "source", "event", "region", "product")
OPEN_STAGES = (Stage.CLAIMED.value, Stage.MEETING.value)


@dataclass(frozen=True)
class Capture:
    """One capture of a lead by a person, already normalized and validated."""

    draft: LeadDraft
    captured_by: str
    channel_id: str
    via: str
    at_current_event: bool = False  # fill event and source from the capturer's current event


@dataclass(frozen=True)
class CaptureResult:
    """The stored lead and what the capture did to it."""

    lead: Lead
    created: bool
    became_hot: bool


@dataclass(frozen=True)
class ClaimResult:
    """Who owns the lead after a claim attempt, and whether this attempt won."""

    lead: Lead
    won: bool


async def capture_lead(
    session: AsyncSession,
    capture: Capture,
    *,
    config: LeadbotConfig,
    sales_channel: str,
    now: datetime,
) -> CaptureResult:
    """Store a capture: a new lead, or a touch on the lead with the same email."""
    row = await _locked_by_email(session, capture.draft.email)
    if row is None:
        new = await _insert_new(session, capture, config, sales_channel, now)
        if new is not None:
            await _record_touch(session, new.id, capture, config, created=True, now=now)
            if new.stage == Stage.HOT:
                await _announce(session, new, config, now)
            return CaptureResult(new, created=True, became_hot=new.stage == Stage.HOT)
        row = await _locked_by_email(session, capture.draft.email)  # lost a race: merge
    if row is None:  # the email's lead vanished between two statements; retry from the top
        raise LookupError("lead disappeared during capture")
    merge_touch(row, capture.draft, config, now)
    await _record_touch(session, row.id, capture, config, created=False, now=now)
    became_hot = await maybe_turn_hot(session, row, config, sales_channel, now)
    return CaptureResult(to_lead(row), created=False, became_hot=became_hot)


async def edit_lead(
    session: AsyncSession,
    lead_id: int,
    draft: LeadDraft,
    *,
    user: str,
    config: LeadbotConfig,
    sales_channel: str,
    now: datetime,
) -> CaptureResult | None:
    """Replace a lead's profile with an edited one; None when the lead is gone."""
    row = await _locked(session, lead_id)
    if row is None:
        return None
    changed = [name for name in PROFILE_FIELDS if _column_value(draft, name) != getattr(row, name)]
    for name in changed:
        setattr(row, name, _column_value(draft, name))
    row.email_key = draft.email or None
    row.region = infer_region(row.email, row.phone)
    _rescore_fit(row, config, now)
    session.add(_audit(row.id, user, "edited", {"fields": changed}, now))
    became_hot = await maybe_turn_hot(session, row, config, sales_channel, now)
    return CaptureResult(to_lead(row), created=False, became_hot=became_hot)


async def email_taken_by_other(session: AsyncSession, email: str, lead_id: int) -> bool:
    """Whether another lead already has this email."""
    found = await session.scalar(
        select(LeadRow.id).where(LeadRow.email_key == email, LeadRow.id != lead_id)
    )
    return found is not None


async def claim_lead(
    session: AsyncSession,
    lead_id: int,
    user: str,
    *,
    card_channel: str,
    card_ts: str,
    now: datetime,
) -> ClaimResult | None:
    """One conditional UPDATE makes `user` the owner unless someone already is."""
    statement = (
        update(LeadRow)
        .where(LeadRow.id == lead_id, LeadRow.owner.is_(None), LeadRow.stage == Stage.HOT.value)
        .values(owner=user, stage=Stage.CLAIMED.value, claimed_at=now, updated_at=now)
        .returning(LeadRow)
    )
    row = (await session.scalars(statement)).one_or_none()
    if row is None:
        current = await get_lead(session, lead_id)
        return None if current is None else ClaimResult(current, won=False)
    lead = to_lead(row)
    session.add(_audit(lead_id, user, "claimed", {"channel": card_channel}, now))
    await cancel_for_lead(session, lead_id, ONLY_IF_UNCLAIMED)
    await enqueue(
        session,
        [
            card_update_message(lead, channel=card_channel, ts=card_ts, step="claimed", now=now),
            owner_dm_message(lead, now=now),
        ],
        now,
    )
    return ClaimResult(lead, won=True)


async def record_outcome(
    session: AsyncSession,
    lead_id: int,
    user: str,
    stage: Stage,
    *,
    is_admin: bool,
    card_channel: str,
    card_ts: str,
    now: datetime,
) -> tuple[Lead | None, bool]:
    """Set the deal outcome if `user` owns the lead (or is an admin); returns (lead, changed)."""
    allowed = LeadRow.owner.is_not(None) if is_admin else LeadRow.owner == user
    statement = (
        update(LeadRow)
        .where(LeadRow.id == lead_id, allowed, LeadRow.stage.in_(OPEN_STAGES))
        .values(stage=stage.value, outcome_at=now, updated_at=now)
        .returning(LeadRow)
    )
    row = (await session.scalars(statement)).one_or_none()
    if row is None:
        return await get_lead(session, lead_id), False
    lead = to_lead(row)
    session.add(_audit(lead_id, user, "outcome", {"stage": stage.value}, now))
    await enqueue(
        session,
        [card_update_message(lead, channel=card_channel, ts=card_ts, step=stage.value, now=now)],
        now,
    )
    return lead, True


async def record_pass(
    session: AsyncSession, lead_id: int, user: str, *, card_channel: str, now: datetime
) -> Lead | None:
    """Note that `user` passed on the open lead (once per person); returns the lead."""
    lead = await get_lead(session, lead_id)
    if lead is None or lead.owner is not None:
        return lead
    already = await session.scalar(
        select(AuditRow.id).where(
            AuditRow.lead_id == lead_id, AuditRow.action == "passed", AuditRow.actor == user
        )
    )
    if already is None:
        session.add(_audit(lead_id, user, "passed", {"channel": card_channel}, now))
        await session.flush()
    return lead


async def passed_by(session: AsyncSession, lead_id: int) -> tuple[str, ...]:
    """Everyone who passed on the lead, in order."""
    result = await session.scalars(
        select(AuditRow.actor)
        .where(AuditRow.lead_id == lead_id, AuditRow.action == "passed")
        .order_by(AuditRow.id)
    )
    return tuple(result)


async def get_lead(session: AsyncSession, lead_id: int) -> Lead | None:
    """The lead with this id, if any."""
    row = await session.get(LeadRow, lead_id)
    return None if row is None else to_lead(row)


async def recent_leads(session: AsyncSession, captured_by: str, limit: int = 5) -> list[Lead]:
    """The newest leads this person captured."""
    rows = await session.scalars(
        select(LeadRow)
        .where(LeadRow.captured_by == captured_by)
        .order_by(LeadRow.id.desc())
        .limit(limit)
    )
    return [to_lead(row) for row in rows]


async def stream_leads(session: AsyncSession, batch: int = 1000) -> AsyncIterator[Lead]:
    """Every lead in id order, fetched in batches so memory stays flat."""
    last = 0
    while True:
        rows = list(
            await session.scalars(
                select(LeadRow).where(LeadRow.id > last).order_by(LeadRow.id).limit(batch)
            )
        )
        for row in rows:
            yield to_lead(row)
        if len(rows) < batch:
            return
        last = rows[-1].id
        session.expunge_all()


def to_lead(row: LeadRow) -> Lead:
    """A detached domain snapshot of a row."""
    return Lead(
        id=row.id,
        profile=to_draft(row),
        stage=Stage(row.stage),
        owner=row.owner,
        score=row.score,
        fit=row.fit,
        engagement=row.score - row.fit,  # the decayed engagement as of the last rescore
        reasons=tuple(
            Reason(str(r["label"]), float(r["points"]), r["kind"]) for r in row.reasons or []
        ),
        region=row.region,
        touch_count=row.touch_count,
        captured_by=row.captured_by,
        created_at=row.created_at,
        hot_at=row.hot_at,
        claimed_at=row.claimed_at,
        route_channel=row.route_channel,
        card_channel=row.card_channel,
        card_ts=row.card_ts,
    )


def rules_version(config: LeadbotConfig) -> str:
    """A short fingerprint of the scoring rules, to spot leads scored under older ones."""
    cached = _VERSIONS.get(id(config.scoring))
    if cached is not None and cached[0] is config.scoring:
        return cached[1]
    canonical = json.dumps(asdict(config.scoring), sort_keys=True, ensure_ascii=False)
    version = hashlib.sha256(canonical.encode()).hexdigest()[:16]
    _VERSIONS[id(config.scoring)] = (config.scoring, version)
    return version


_VERSIONS: dict[int, tuple[ScoringRules, str]] = {}


async def _locked_by_email(session: AsyncSession, email: str) -> LeadRow | None:
    if not email:
        return None
    statement = select(LeadRow).where(LeadRow.email_key == email).with_for_update()
    return (await session.scalars(statement)).one_or_none()


async def _locked(session: AsyncSession, lead_id: int) -> LeadRow | None:
    statement = select(LeadRow).where(LeadRow.id == lead_id).with_for_update()
    return (await session.scalars(statement)).one_or_none()


def new_lead_values(capture: Capture, config: LeadbotConfig, now: datetime) -> dict[str, Any]:
    """Every column of a new lead from its first capture (stage new, not yet routed)."""
    draft = capture.draft
    score, engagement = score_capture(draft, config.scoring, repeat=False, now=now.timestamp())
    values = {name: _column_value(draft, name) for name in PROFILE_FIELDS}
    values.update(
        email_key=draft.email or None,
        region=infer_region(draft.email, draft.phone),
        stage=Stage.NEW.value,
        fit=score.fit,
        engagement=engagement,
        engagement_at=now.timestamp(),
        score=score.total,
        reasons=[reason_json(reason) for reason in score.reasons],
        rules_version=rules_version(config),
        touch_count=1,
        captured_by=capture.captured_by,
        created_at=now,
        updated_at=now,
        owner=None,
        hot_at=None,
        claimed_at=None,
        outcome_at=None,
        route_channel="",
        route_rule="",
        card_channel="",
        card_ts="",
    )
    return values


async def _insert_new(
    session: AsyncSession,
    capture: Capture,
    config: LeadbotConfig,
    sales_channel: str,
    now: datetime,
) -> Lead | None:
    """Insert a new lead, hot from the start when its score says so; None if the email exists."""
    values = new_lead_values(capture, config, now)
    values.update(hot_changes(values, config, sales_channel, now) or {})
    new_id = (await session.execute(_lead_insert(session), values)).scalar()
    return None if new_id is None else to_lead(LeadRow(id=new_id, **values))


def _lead_insert(session: AsyncSession) -> Any:
    """INSERT … ON CONFLICT (email_key) DO NOTHING RETURNING id, built once per dialect."""
    dialect = session.get_bind().dialect.name
    statement = _LEAD_INSERTS.get(dialect)
    if statement is None:
        statement = (
            dialect_insert(session, LeadRow)
            .on_conflict_do_nothing(index_elements=["email_key"])
            .returning(LeadRow.id)
        )
        _LEAD_INSERTS[dialect] = statement
    return statement


_LEAD_INSERTS: dict[str, Any] = {}


async def _record_touch(
    session: AsyncSession,
    lead_id: int,
    capture: Capture,
    config: LeadbotConfig,
    *,
    created: bool,
    now: datetime,
) -> None:
    """The touch row and its audit row, as two plain INSERTs."""
    touch, audit = touch_rows(lead_id, capture, config, created=created, now=now)
    await session.execute(insert(TOUCHES), touch)
    await session.execute(insert(AUDIT), audit)


def touch_rows(
    lead_id: int, capture: Capture, config: LeadbotConfig, *, created: bool, now: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Column values of a capture's touch row and its audit row."""
    points = sum(r.points for r in touch_reasons(capture.draft, config.scoring, repeat=not created))
    action = "created" if created else "touched"
    return (
        _touch_values(lead_id, capture, points, now),
        _audit_values(lead_id, capture.captured_by, action, {"via": capture.via}, now),
    )


def merge_touch(row: LeadRow, draft: LeadDraft, config: LeadbotConfig, now: datetime) -> None:
    """Fold another capture of the same person into their row: fill gaps, add engagement."""
    filled = {
        name: _column_value(draft, name)
        for name in PROFILE_FIELDS
        if not getattr(row, name) and _column_value(draft, name)
    }
    for name, value in filled.items():
        setattr(row, name, value)
    profile = to_draft(row)
    touch = LeadDraft(interest=draft.interest, source=draft.source or profile.source)
    score, engagement = score_capture(
        _with_touch(profile, touch),
        config.scoring,
        repeat=True,
        previous_engagement=row.engagement,
        previous_at=row.engagement_at,
        now=now.timestamp(),
    )
    row.region = row.region or infer_region(row.email, row.phone)
    row.fit, row.engagement, row.engagement_at = score.fit, engagement, now.timestamp()
    row.score = score.total
    row.reasons = [reason_json(reason) for reason in score.reasons]
    row.rules_version = rules_version(config)
    row.touch_count += 1
    row.updated_at = now


def _rescore_fit(row: LeadRow, config: LeadbotConfig, now: datetime) -> None:
    fit = fit_reasons(to_draft(row), config.scoring)
    engagement_reasons = [r for r in row.reasons if r["kind"] == "engagement"]
    row.fit = sum(reason.points for reason in fit)
    row.score = round(row.fit + row.engagement)
    row.reasons = [reason_json(reason) for reason in fit] + engagement_reasons
    row.updated_at = now


def _with_touch(profile: LeadDraft, touch: LeadDraft) -> LeadDraft:
    return replace(profile, interest=touch.interest, source=touch.source)


async def maybe_turn_hot(
    session: AsyncSession,
    row: LeadRow,
    config: LeadbotConfig,
    sales_channel: str,
    now: datetime,
) -> bool:
    """Make a new lead at or above the threshold hot: route it and queue its alerts."""
    columns = {name: getattr(row, name) for name in _HOT_INPUTS}
    changes = hot_changes(columns, config, sales_channel, now)
    if changes is None:
        return False
    for column, value in changes.items():
        setattr(row, column, value)
    await session.flush()
    await _announce(session, to_lead(row), config, now)
    return True


async def _announce(
    session: AsyncSession, lead: Lead, config: LeadbotConfig, now: datetime
) -> None:
    """Record that the lead turned hot and queue its card and SLA steps."""
    detail = {"channel": lead.route_channel}
    await session.execute(insert(AUDIT), _audit_values(lead.id, "leadbot", "hot", detail, now))
    await enqueue(session, alert_messages(lead, config.sla, now=now), now)


def hot_changes(
    columns: Mapping[str, Any], config: LeadbotConfig, sales_channel: str, now: datetime
) -> dict[str, Any] | None:
    """The column changes that make a new lead at or above the threshold hot and routed."""
    if columns["stage"] != Stage.NEW.value or columns["score"] < config.scoring.hot_threshold:
        return None
    chosen = route(_facts_of(columns), config.routing, sales_channel)
    return {
        "stage": Stage.HOT.value,
        "hot_at": now,
        "updated_at": now,
        "route_channel": chosen.channel,
        "route_rule": chosen.rule_name,
    }


def _facts_of(values: Mapping[str, Any]) -> LeadFacts:
    return LeadFacts(
        source=values["source"],
        event=values["event"],
        region=values["region"],
        product=values["product"],
        score=values["score"],
    )


def to_draft(row: LeadRow) -> LeadDraft:
    """The profile fields of a row as a draft."""
    values: dict[str, Any] = {}
    for name in PROFILE_FIELDS:
        raw = getattr(row, name)
        enum = ENUM_FIELDS.get(name)
        if enum is not None:
            values[name] = enum(raw) if raw in _ENUM_VALUES[name] else None
        else:
            values[name] = raw
    return LeadDraft(**values)


def _column_value(draft: LeadDraft, name: str) -> Any:
    value = getattr(draft, name)
    if isinstance(value, StrEnum):
        return value.value
    return "" if value is None else value


def reason_json(reason: Reason) -> dict[str, Any]:
    """A reason as stored in the leads.reasons JSON column."""
    return {"label": reason.label, "points": reason.points, "kind": reason.kind}


def _touch_values(lead_id: int, capture: Capture, points: float, now: datetime) -> dict[str, Any]:
    draft = capture.draft
    return {
        "lead_id": lead_id,
        "captured_by": capture.captured_by,
        "channel_id": capture.channel_id,
        "via": capture.via,
        "source": draft.source.value if draft.source else "",
        "event": draft.event,
        "interest": draft.interest.value if draft.interest else "",
        "notes": draft.notes,
        "points": points,
        "created_at": now,
    }


def _audit(
    lead_id: int | None, actor: str, action: str, detail: dict[str, Any], now: datetime
) -> AuditRow:
    return AuditRow(**_audit_values(lead_id, actor, action, detail, now))


def _audit_values(
    lead_id: int | None, actor: str, action: str, detail: dict[str, Any], now: datetime
) -> dict[str, Any]:
    return {
        "lead_id": lead_id,
        "actor": actor,
        "action": action,
        "detail": detail,
        "created_at": now,
    }
