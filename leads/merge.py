"""A repeat capture of a known person: what it adds to the stored profile, and nothing it loses."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import datetime
from typing import Any

from leads.model import LeadDraft, stronger_interest

_SPECIAL: frozenset[str] = frozenset({"interest", "title", "notes", "consent"})


def note_stamp(at: datetime, captured_by: str) -> str:
    """The header of a note added by a later capture: `[2026-11-24 U0STAFF]`."""
    return f"[{at.date().isoformat()} {captured_by}]"


def merge_profile(
    stored: LeadDraft, incoming: LeadDraft, *, stamp: str
) -> tuple[LeadDraft, tuple[str, ...]]:
    """Fold a repeat capture into the stored profile; returns it and the names of changed fields.

    Empty fields are filled, the stronger interest wins, a title given later replaces the old
    one (people get promoted), consent once given stays, and new notes are appended under
    `stamp`. The first capture's source and event stay: they say where the lead came from.
    """
    values: dict[str, Any] = {}
    for field in fields(LeadDraft):
        name = field.name
        old, new = getattr(stored, name), getattr(incoming, name)
        if name not in _SPECIAL and new and not old:
            values[name] = new
    interest = stronger_interest(stored.interest, incoming.interest)
    if interest != stored.interest:
        values["interest"] = interest
    if incoming.title and incoming.title != stored.title:
        values["title"] = incoming.title
    if incoming.consent and not stored.consent:
        values["consent"] = True
    notes = append_note(stored.notes, incoming.notes, stamp)
    if notes != stored.notes:
        values["notes"] = notes
    return replace(stored, **values), tuple(values)


def append_note(notes: str, new: str, stamp: str) -> str:
    """`notes` with `new` added under `stamp`, unless it adds nothing."""
    new = new.strip()
    if not new or new in notes:
        return notes
    return f"{notes}\n{stamp} {new}" if notes else new
