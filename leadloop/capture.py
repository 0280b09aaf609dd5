"""Capture: store a lead typed at a booth, or add a touch to the person we already know.

Captures that arrive together are written in one transaction (storage's GroupCommit): one
locked read of the people already known, one multi-row insert for the new ones, one
executemany each for touches, history and audit rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from blocks.cards import CardView
from blocks.messages import capture_message
from leadloop.context import Loop
from leadloop.hot import hot_alerts, hot_audit, hot_columns, hot_event, hot_move, may_turn_hot
from leadloop.messages import RECAPTURED, direct_message, intent_message
from leadloop.nurture import first_step
from leads.calibration import Weight
from leads.funnel import Dimension
from leads.identity import names_agree, phone_key
from leads.language import Language
from leads.lead import Lead
from leads.lifecycle import SYSTEM, Move
from leads.merge import Merged, merge_profile, note_stamp
from leads.model import LeadDraft, Stage
from leads.routing import infer_region
from leads.scoring import Reason, TouchFact, score_lead, touch_reasons
from storage.calibration import stored_weights
from storage.group_commit import MAX_BATCH, Elsewhere, GroupCommit
from storage.leads import (
    audit_values,
    draft_from,
    history_values,
    insert_leads,
    lead_from,
    lock_known_people,
    profile_values,
    reason_json,
    record_audit,
    record_history,
    record_touches,
    rules_version,
    touch_facts,
    update_merged,
)
from storage.nurture import NewStep, end_enrolments, enrol, ever_enrolled
from storage.outbox import OutboxMessage, enqueue
from storage.prefs import current_events


@dataclass(frozen=True)
class CaptureRequest:
    """One capture of a lead by a person, already normalized and validated."""

    draft: LeadDraft
    captured_by: str
    channel_id: str
    via: str
    at: datetime
    language: Language = "en"  # the capturer's, for anything said back to them
    at_current_event: bool = False  # fill event and source from the capturer's current event
    confirm_by_dm: bool = False  # the capturer gets what was stored as a DM
    kind: str = ""  # an engagement event's kind: the touch earns `points` instead
    points: float = 0.0
    once_key: str | None = None  # a touch that must happen once (a row of an imported file)


@dataclass(frozen=True)
class CaptureOutcome:
    """The stored lead and what the capture did to it."""

    lead: Lead
    created: bool
    became_hot: bool
    owner_told: str = ""
    changed: tuple[str, ...] = ()


Row = dict[str, Any]  # a lead's columns, as read, or as they will be inserted
# Batches written in another process are smaller, so that a burst is written in parts and
# this process reads the next part while the other writes one (50 captures in flight: two
# parts of 25, 1.6 ms a capture instead of 2.6; parts of 10 cost the writer more than
# they save).
ELSEWHERE_BATCH = 32


class Captures:
    """Stores captures, batching the ones that arrive while a batch is being written
    (`elsewhere`, when given and available, writes the batches in another process)."""

    def __init__(
        self, loop: Loop, elsewhere: Elsewhere[CaptureRequest, CaptureOutcome] | None = None
    ) -> None:
        self._loop = loop
        self._commit: GroupCommit[CaptureRequest, CaptureOutcome] = GroupCommit(
            loop.db,
            self.write,
            elsewhere=elsewhere,
            max_batch=ELSEWHERE_BATCH if elsewhere is not None else MAX_BATCH,
        )

    async def capture(self, request: CaptureRequest) -> CaptureOutcome:
        """Store one capture (and the messages it owes); returns once committed."""
        return await self._commit.submit(request)

    async def close(self) -> None:
        """Wait until every queued capture is written."""
        await self._commit.close()

    async def write(
        self, session: AsyncSession, requests: Sequence[CaptureRequest]
    ) -> list[CaptureOutcome]:
        """Store these captures in the caller's transaction (a group commit, web intake)."""
        return (await self._store(session, requests, snapshots=True))[1]

    async def write_created(
        self, session: AsyncSession, requests: Sequence[CaptureRequest]
    ) -> list[bool]:
        """Store these captures in the caller's transaction, like `write`, without a lead
        snapshot for each (list import); whether each created its lead."""
        plans, _outcomes = await self._store(session, requests, snapshots=False)
        return [plan.created for plan in plans]

    async def _store(
        self, session: AsyncSession, requests: Sequence[CaptureRequest], *, snapshots: bool
    ) -> tuple[list[_Plan], list[CaptureOutcome]]:
        batch = _Batch(self._loop, await _with_current_events(session, requests))
        await batch.find_known_people(session)
        plans = [batch.plan(request) for request in batch.requests]
        await batch.calibrate_new_leads(session)
        batch.score_and_decide()
        batch.decide_enrolments()
        await batch.store(session)
        await batch.record(session, plans)
        return plans, await batch.finish(session, plans, snapshots=snapshots)


@dataclass
class _Plan:
    """What one capture does: the row it lands on, and whether it made that row."""

    request: CaptureRequest
    row: Row
    created: bool
    changed: tuple[str, ...] = ()
    note: str = ""  # what a repeat capture added to the notes
    touch_points: float = 0.0
    became_hot: bool = False


@dataclass
class _Batch:
    """The captures of one transaction and the people they are about."""

    loop: Loop
    requests: Sequence[CaptureRequest]
    by_email: dict[str, Row] = field(default_factory=dict)
    by_phone: dict[str, list[Row]] = field(default_factory=dict)
    touches: dict[int, list[TouchFact]] = field(default_factory=dict)  # by id(row)
    rows: dict[int, Row] = field(default_factory=dict)  # by id(row), in order
    read_stage: dict[int, str] = field(default_factory=dict)  # stored rows: the stage read
    last_at: dict[int, datetime] = field(default_factory=dict)
    hot: dict[int, Move] = field(default_factory=dict)  # rows turning hot in this batch
    enrolling: dict[int, NewStep] = field(default_factory=dict)  # rows entering a plan
    enrolled: set[int] = field(default_factory=set)  # known leads ever enrolled in a plan
    profiles: dict[int, LeadDraft] = field(default_factory=dict)  # scored rows: as scored
    reasons: dict[int, tuple[Reason, ...]] = field(default_factory=dict)
    weights: dict[tuple[Dimension, str], Weight] = field(default_factory=dict)

    async def find_known_people(self, session: AsyncSession) -> None:
        """Lock the rows of everyone this batch may be about, with their touches."""
        emails = {r.draft.email for r in self.requests if r.draft.email}
        phones = {key for r in self.requests if (key := phone_key(r.draft.phone))}
        known = await lock_known_people(session, emails, phones)
        facts = await touch_facts(session, [row["id"] for row in known])
        for row in known:
            self.read_stage[id(row)] = row["stage"]
            self._remember(row, facts.get(row["id"], []))
        self.enrolled = await ever_enrolled(session, [row["id"] for row in known])

    def plan(self, request: CaptureRequest) -> _Plan:
        """Find the person or make a new row; fold the capture in."""
        row = self._find(request.draft)
        if row is None:
            row = _new_row(request, self.loop)
            self._remember(row, [])
            plan = _Plan(request, row, created=True)
        else:
            merged = _merge(row, request)
            plan = _Plan(request, row, created=False, changed=merged.changed, note=merged.note)
            self._remember(row, self.touches[id(row)])
        fact = _touch_fact(request)
        repeat = bool(self.touches[id(row)])
        reasons = touch_reasons(fact.interest, fact.source, self.loop.config.scoring, repeat=repeat)
        plan.touch_points = fact.points if fact.kind else sum(r.points for r in reasons)
        self.touches[id(row)].append(fact)
        self.last_at[id(row)] = request.at
        return plan

    async def calibrate_new_leads(self, session: AsyncSession) -> None:
        """New leads earn what outcomes taught about their source and event (when on)."""
        if not self.loop.config.calibration.enabled:
            return
        new = [row for key, row in self.rows.items() if key not in self.read_stage]
        wanted = {pair for row in new for pair in _calibrated_by(row)}
        found = await stored_weights(session, wanted)
        self.weights = {(weight.dimension, weight.value): weight for weight in found}
        for row in new:
            row["calibration"] = sum(weight.points for weight in self._weights_of(row))

    def _weights_of(self, row: Row) -> tuple[Weight, ...]:
        found = (self.weights.get(pair) for pair in _calibrated_by(row))
        return tuple(weight for weight in found if weight is not None and weight.points)

    def score_and_decide(self) -> None:
        """Score every row from its touches; those whose score says so turn hot."""
        for key, row in self.rows.items():
            now = self.last_at.get(key)
            if now is None:
                continue
            profile = draft_from(row)
            self.profiles[key] = profile
            self.reasons[key] = _apply_score(row, profile, self.touches[key], self.loop, now)
            if not may_turn_hot(row["score"], self.loop):
                continue
            lead = self.lead(key)
            move = hot_move(lead, self.loop)
            if move is not None:
                self.hot[key] = move
                row["stage"] = move.target.value
                row.update(hot_columns(lead, self.loop, now))

    def decide_enrolments(self) -> None:
        """Leads that are not hot and never were in a plan enter the first plan they match
        (stage `nurturing`); the first step is written once they have ids."""
        if not self.loop.config.nurture.plans:
            return
        for key, row in self.rows.items():
            if key not in self.last_at or key in self.hot or row["stage"] != Stage.NEW.value:
                continue
            if key in self.read_stage and row["id"] in self.enrolled:
                continue
            step = first_step(self.lead(key), self.loop, self.last_at[key])
            if step is not None:
                self.enrolling[key] = step
                row["stage"] = Stage.NURTURING.value

    async def store(self, session: AsyncSession) -> None:
        """One multi-row INSERT for the new leads, one executemany UPDATE for the known."""
        written = [row for key, row in self.rows.items() if key in self.last_at]
        new = [row for row in written if id(row) not in self.read_stage]
        for row, lead_id in zip(new, await insert_leads(session, new), strict=True):
            row["id"] = lead_id
        known = [row for row in written if id(row) in self.read_stage]
        await update_merged(session, known, [self.read_stage[id(row)] for row in known])

    async def record(self, session: AsyncSession, plans: list[_Plan]) -> None:
        """Touches, audit rows and stage history, one executemany each."""
        touches, audits, history = [], [], []
        for plan in plans:
            request, row = plan.request, plan.row
            touches.append(_touch_values(row["id"], request, plan.touch_points))
            action = "created" if plan.created else "touched"
            detail: dict[str, Any] = {"via": request.via}
            if request.kind:
                detail["kind"] = request.kind
            if plan.changed:
                detail["changed"] = list(plan.changed)
            audits.append(audit_values(row["id"], request.captured_by, action, detail, request.at))
            if plan.created:
                history.append(
                    history_values(
                        row["id"], None, Stage.NEW, actor=request.captured_by, now=request.at
                    )
                )
        for key, move in self.hot.items():
            row = self.rows[key]
            history.append(
                history_values(
                    row["id"], move.source, move.target, actor=SYSTEM.user, now=row["hot_at"]
                )
            )
            audits.append(hot_audit(self.lead(key), row["hot_at"]))
        for key in self.enrolling:
            row = self.rows[key]
            history.append(
                history_values(
                    row["id"], Stage.NEW, Stage.NURTURING, actor=SYSTEM.user, now=self.last_at[key]
                )
            )
        await record_touches(session, touches)
        await record_history(session, history)
        await record_audit(session, audits)
        await self._enrol(session)

    async def _enrol(self, session: AsyncSession) -> None:
        """Write the enrolments decided in this batch; leads that left nurturing for hot
        end theirs."""
        now = max(request.at for request in self.requests)
        steps = [
            replace(step, lead_id=self.rows[key]["id"]) for key, step in self.enrolling.items()
        ]
        await enrol(session, steps, now)
        ended = [
            self.rows[key]["id"] for key, move in self.hot.items() if move.source == Stage.NURTURING
        ]
        await end_enrolments(session, ended, "hot", now)

    async def finish(
        self, session: AsyncSession, plans: list[_Plan], *, snapshots: bool = True
    ) -> list[CaptureOutcome]:
        """Owe each capture's messages: hot cards, the owner's notice, the capturer's DM.
        Returns each capture's outcome; none without `snapshots` (the messages are owed
        all the same)."""
        last = {id(plan.row): plan for plan in plans}  # a lead's last capture in the batch
        for key, plan in last.items():  # is the one that turned it hot
            plan.became_hot = key in self.hot
        messages: list[OutboxMessage] = []
        currency = self.loop.config.outcomes.currency
        leads: dict[int, Lead] = {}  # each row as it was stored, made when first needed
        for key in self.hot:
            row = self.rows[key]
            view = CardView(calibration=self._weights_of(row), currency=currency)
            lead = leads[key] = self.lead(key)
            messages.extend(hot_alerts(lead, self.loop, row["hot_at"], view))
            messages.extend(hot_event(self.loop, lead, self.hot[key].source, row["hot_at"]))
        outcomes = []
        for plan in plans:
            if not snapshots and not _owes_messages(plan):
                continue
            key = id(plan.row)
            if key not in leads:
                leads[key] = self.lead(key)
            outcome = _outcome(plan, leads[key])
            messages.extend(_owed(plan, outcome))
            if snapshots:
                outcomes.append(outcome)
        await enqueue(session, messages, max(request.at for request in self.requests))
        return outcomes

    def lead(self, key: int) -> Lead:
        """The row's lead as it stands, reusing its profile and reasons as scored."""
        return lead_from(
            self.rows[key], profile=self.profiles.get(key), reasons=self.reasons.get(key)
        )

    def _remember(self, row: Row, facts: list[TouchFact]) -> None:
        key = id(row)
        self.rows.setdefault(key, row)
        self.touches.setdefault(key, list(facts))
        if row["email_key"]:
            self.by_email.setdefault(row["email_key"], row)
        if row["phone_key"] and row not in self.by_phone.setdefault(row["phone_key"], []):
            self.by_phone[row["phone_key"]].append(row)

    def _find(self, draft: LeadDraft) -> Row | None:
        """The same person: the same email, else the same phone with no other email or name."""
        if draft.email and (row := self.by_email.get(draft.email)) is not None:
            return row
        key = phone_key(draft.phone)
        if not key:
            return None
        candidates = [
            row
            for row in self.by_phone.get(key, [])
            if not (draft.email and row["email_key"]) and names_agree(row["name"], draft.name)
        ]
        return candidates[-1] if candidates else None


async def _with_current_events(
    session: AsyncSession, requests: Sequence[CaptureRequest]
) -> list[CaptureRequest]:
    """One query for the current events of everyone in the batch who captured at one."""
    waiting = {r.captured_by for r in requests if r.at_current_event}
    events = await current_events(session, waiting)
    return [
        replace(
            request,
            draft=request.draft.with_capture_defaults(events.get(request.captured_by, "")),
            at_current_event=False,
        )
        if request.at_current_event
        else request
        for request in requests
    ]


def _new_row(request: CaptureRequest, loop: Loop) -> Row:
    draft = request.draft
    return {
        "id": None,  # given by the INSERT
        **profile_values(draft),
        "email_key": draft.email or None,
        "phone_key": phone_key(draft.phone),
        "region": infer_region(draft.email, draft.phone),
        "stage": Stage.NEW.value,
        "owner": None,
        "fit": 0.0,
        "engagement": 0.0,
        "engagement_at": request.at.timestamp(),
        "score": 0,
        "reasons": [],
        "rules_version": rules_version(loop.config),
        "touch_count": 1,
        "route_channel": "",
        "route_rule": "",
        "card_channel": "",
        "card_ts": "",
        "captured_by": request.captured_by,
        "created_at": request.at,
        "updated_at": request.at,
        "hot_at": None,
        "claimed_at": None,
        "outcome": "",
        "deal_value": None,
        "lost_reason": "",
        "lost_detail": "",
        "outcome_by": "",
        "outcome_at": None,
        "meeting_at": None,
        "won_at": None,
        "lost_at": None,
        "calibration": 0.0,
        "opted_out_at": request.at if draft.opted_out else None,
    }


def _calibrated_by(row: Row) -> tuple[tuple[Dimension, str], ...]:
    return ((Dimension.SOURCE, row["source"]), (Dimension.EVENT, row["event"]))


def _merge(row: Row, request: CaptureRequest) -> Merged:
    """Fold a repeat capture into the row; returns what it changed and the note it added."""
    stamp = note_stamp(request.at, request.captured_by)
    merged = merge_profile(draft_from(row), request.draft, stamp=stamp)
    values = profile_values(merged.profile)
    for name in merged.changed:
        if name == "opted_out":  # stored as when it happened
            row["opted_out_at"] = request.at if merged.profile.opted_out else None
        else:
            row[name] = values[name]
    if "email" in merged.changed:
        row["email_key"] = merged.profile.email or None
    if "phone" in merged.changed:
        row["phone_key"] = phone_key(merged.profile.phone)
    row["region"] = row["region"] or infer_region(row["email"], row["phone"])
    row["touch_count"] += 1
    row["updated_at"] = request.at
    return merged


def _touch_fact(request: CaptureRequest) -> TouchFact:
    draft = request.draft
    return TouchFact(
        at=request.at.timestamp(),
        captured_by=request.captured_by,
        interest=draft.interest,
        source=draft.source,
        kind=request.kind,
        points=request.points,
    )


def _apply_score(
    row: Row, profile: LeadDraft, touches: list[TouchFact], loop: Loop, now: datetime
) -> tuple[Reason, ...]:
    """Score the row from its profile and touches; returns the reasons."""
    score = score_lead(profile, touches, loop.config.scoring, now=now.timestamp())
    row["fit"] = score.fit + row["calibration"]
    row["engagement"] = score.engagement
    row["engagement_at"] = now.timestamp()
    row["score"] = round(row["fit"] + score.engagement)
    row["reasons"] = [reason_json(reason) for reason in score.reasons]
    row["rules_version"] = rules_version(loop.config)
    return score.reasons


def _touch_values(lead_id: int, request: CaptureRequest, points: float) -> dict[str, Any]:
    draft = request.draft
    return {
        "lead_id": lead_id,
        "captured_by": request.captured_by,
        "channel_id": request.channel_id,
        "via": request.via,
        "source": draft.source.value if draft.source else "",
        "event": draft.event,
        "interest": draft.interest.value if draft.interest else "",
        "notes": draft.notes,
        "points": points,
        "created_at": request.at,
        "kind": request.kind,
        "once_key": request.once_key,
    }


def _owner_told(plan: _Plan) -> str:
    """The owner to tell of a repeat capture of their lead by someone else, or ""."""
    owner, request = plan.row["owner"], plan.request
    repeat = not plan.created and not request.kind  # an engagement event is no capture
    return str(owner) if repeat and owner and owner != request.captured_by else ""


def _owes_messages(plan: _Plan) -> bool:
    """Whether the capture owes a message of its own (see `_owed`)."""
    return plan.request.confirm_by_dm or bool(_owner_told(plan))


def _outcome(plan: _Plan, lead: Lead) -> CaptureOutcome:
    return CaptureOutcome(
        lead=lead,
        created=plan.created,
        became_hot=plan.became_hot,
        owner_told=_owner_told(plan),
        changed=plan.changed,
    )


def _owed(plan: _Plan, outcome: CaptureOutcome) -> list[OutboxMessage]:
    """The owner's notice of a repeat capture, and the capturer's DM when asked for."""
    request, lead = plan.request, outcome.lead
    touch = f"lead:{lead.id}:touch:{lead.touch_count}"
    owed = []
    if outcome.owner_told:
        intent = {
            "kind": RECAPTURED,
            "lead_id": lead.id,
            "capturer": request.captured_by,
            "event": request.draft.event,
            "note": plan.note,
        }
        owed.append(
            intent_message(
                f"{touch}:owner", outcome.owner_told, intent, now=request.at, lead_id=lead.id
            )
        )
    if request.confirm_by_dm:
        payload = capture_message(
            lead,
            request.language,
            created=outcome.created,
            became_hot=outcome.became_hot,
            owner_told=outcome.owner_told,
        )
        owed.append(
            direct_message(
                f"{touch}:confirm", request.captured_by, payload, now=request.at, lead_id=lead.id
            )
        )
    return owed
