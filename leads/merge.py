"""A repeat capture of a known person: what it adds to the stored profile, and nothing it loses."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

from leads.model import LeadDraft, stronger_interest

_SPECIAL: frozenset[str] = frozenset({"interest", "title", "notes", "consent", "opted_out"})
# Typed text that differs from what is stored is kept in the notes rather than dropped.
_NOTED_WHEN_DIFFERENT: tuple[str, ...] = ("name", "company", "phone", "industry", "product")


@dataclass(frozen=True)
class Merged:
    """The profile after a repeat capture, the fields it changed, and the note it added."""

    profile: LeadDraft
    changed: tuple[str, ...]
    note: str = ""


def note_stamp(at: datetime, captured_by: str) -> str:
    """The header of a note added by a later capture: `[2026-11-24 U0STAFF]`."""
    return f"[{at.date().isoformat()} {captured_by}]"


def merge_profile(stored: LeadDraft, incoming: LeadDraft, *, stamp: str) -> Merged:
    """Fold a repeat capture into the stored profile.

    Empty fields are filled, the stronger interest wins, a title given later replaces the old
    one (people get promoted), consent once given stays, an opt-out holds until explicit
    consent is given again, and the capture's notes are appended under `stamp`, together with
    any name, company, phone … that differs from the stored one.
    The first capture's source and event stay: they say where the lead came from.
    """
    values: dict[str, Any] = {}
    for field in fields(LeadDraft):
        name = field.name
        new, old = getattr(incoming, name), getattr(stored, name)
        if name not in _SPECIAL and new and not old:
            values[name] = new
    interest = stronger_interest(stored.interest, incoming.interest)
    if interest != stored.interest:
        values["interest"] = interest
    if incoming.title and incoming.title != stored.title:
        values["title"] = incoming.title
    if incoming.consent and not stored.consent:
        values["consent"] = True
    opted_out = _opted_out(stored.opted_out, incoming)
    if opted_out != stored.opted_out:
        values["opted_out"] = opted_out
    note = _note_of(stored, incoming)
    notes = append_note(stored.notes, note, stamp)
    if notes != stored.notes:
        values["notes"] = notes
    return Merged(replace(stored, **values), tuple(values), note if notes != stored.notes else "")


def _opted_out(stored: bool, incoming: LeadDraft) -> bool:
    """A refusal or an unsubscribe opts out; only explicit consent opts back in."""
    if incoming.opted_out:
        return True
    return stored and not incoming.consent


def _note_of(stored: LeadDraft, incoming: LeadDraft) -> str:
    """The capture's notes, plus `field: value` for each typed value that differs."""
    different = [
        f"{name}: {new}"
        for name in _NOTED_WHEN_DIFFERENT
        if (new := getattr(incoming, name)) and (old := getattr(stored, name)) and new != old
    ]
    return "; ".join(part for part in (incoming.notes.strip(), *different) if part)


def append_note(notes: str, new: str, stamp: str) -> str:
    """`notes` with `new` added under `stamp`, unless it adds nothing."""
    new = new.strip()
    if not new or new in notes:
        return notes
    return f"{notes}\n{stamp} {new}" if notes else new
