"""Edit: a person corrects a stored lead in the form; the lead is rescored and its card redrawn."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from blocks.messages import edit_saved_message
from leadloop.cards import redraw_card
from leadloop.context import Loop
from leadloop.hot import turn_hot_if_due
from leadloop.messages import direct_message
from leads.identity import phone_key
from leads.language import Language
from leads.lead import Lead
from leads.merge import append_note, note_stamp
from leads.model import LeadDraft
from leads.routing import infer_region
from leads.validation import Problem
from storage.leads import (
    PROFILE_FIELDS,
    audit_values,
    email_taken_by_other,
    get_lead,
    lock_lead,
    profile_values,
    record_audit,
    retouch_latest,
    to_lead,
)
from storage.outbox import enqueue
from storage.rescore import rescore_rows
from storage.tables import LeadRow

EMAIL_TAKEN = Problem("email_taken")
_TOUCH_FIELDS = frozenset({"interest", "source"})


@dataclass(frozen=True)
class EditRequest:
    """The form as a person saved it over a stored lead."""

    lead_id: int
    draft: LeadDraft
    user: str
    at: datetime
    language: Language = "en"
    append_notes: bool = False  # the form's notes field adds a note (stored notes were too long)


@dataclass(frozen=True)
class EditOutcome:
    """The lead after the edit, what changed, and whether it became hot."""

    lead: Lead
    changed: tuple[str, ...]
    became_hot: bool


async def lead_to_edit(loop: Loop, lead_id: int) -> Lead | None:
    """The lead as it is stored now, to fill the form with."""
    async with loop.db.read() as session:
        return await get_lead(session, lead_id)


async def edit_lead(loop: Loop, request: EditRequest) -> EditOutcome | dict[str, Problem] | None:
    """Save the edit, rescore, alert or redraw; None when the lead is gone."""
    now = request.at
    async with loop.db.write() as session:
        row = await lock_lead(session, request.lead_id)
        if row is None:
            return None
        draft = _edited_draft(row, request)
        if draft.email and await email_taken_by_other(session, draft.email, row.id):
            return {"email": EMAIL_TAKEN}
        changed = _apply(row, draft)
        row.updated_at = now
        if _TOUCH_FIELDS & set(changed):
            await retouch_latest(session, row.id, interest=row.interest, source=row.source)
        await rescore_rows(session, [row], loop.config, now)
        became_hot = await turn_hot_if_due(session, row, loop, now)
        if changed and not became_hot:
            await redraw_card(
                session, loop, row, step=f"edit:{int(now.timestamp() * 1000)}", now=now
            )
        await record_audit(
            session, [audit_values(row.id, request.user, "edited", {"fields": list(changed)}, now)]
        )
        lead = to_lead(row)
        message = edit_saved_message(
            lead,
            request.language,
            changed=changed,
            became_hot=became_hot,
            threshold=loop.config.scoring.hot_threshold,
        )
        key = f"lead:{lead.id}:edit:{request.user}:{int(now.timestamp() * 1000)}"
        await enqueue(
            session, [direct_message(key, request.user, message, now=now, lead_id=lead.id)], now
        )
    return EditOutcome(lead, changed, became_hot)


def _edited_draft(row: LeadRow, request: EditRequest) -> LeadDraft:
    draft = request.draft.with_capture_defaults("")
    if request.append_notes:
        stamp = note_stamp(request.at, request.user)
        draft = replace(draft, notes=append_note(row.notes, draft.notes, stamp))
    return draft


def _apply(row: LeadRow, draft: LeadDraft) -> tuple[str, ...]:
    values = profile_values(draft)
    changed = tuple(name for name in PROFILE_FIELDS if values[name] != getattr(row, name))
    for name in changed:
        setattr(row, name, values[name])
    row.email_key = draft.email or None
    row.phone_key = phone_key(draft.phone)
    row.region = infer_region(row.email, row.phone)
    return changed
