"""The New lead / Edit lead modal and reading its submitted state back into a draft."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any

from blocks import catalogue as say
from blocks.catalogue import Text
from blocks.text import truncate
from leads.language import Language
from leads.model import Budget, CompanySize, Interest, LeadDraft, Source, Timeline
from leads.validation import LIMITS

NEW_LEAD_CALLBACK = "lead_modal"
Reader = Callable[[Mapping[str, Any]], Any]
VALUE = "value"
CONSENT_YES = "yes"

CHOICES: Mapping[str, tuple[type[StrEnum], Mapping[str, Text]]] = {
    "interest": (Interest, say.INTERESTS),
    "source": (Source, say.SOURCES),
    "company_size": (CompanySize, say.COMPANY_SIZES),
    "budget": (Budget, say.BUDGETS),
    "timeline": (Timeline, say.TIMELINES),
}
# The order in which choices are offered (most likely first).
ORDER: Mapping[str, tuple[str, ...]] = {
    "interest": ("hot", "warm", "cold"),
    "source": ("event", "seminar", "web", "referral", "inbound", "manual"),
    "company_size": ("1-49", "50-249", "250-999", "1000+", "unknown"),
    "budget": ("large", "medium", "small", "none", "unknown"),
    "timeline": ("now", "quarter", "year", "later", "unknown"),
}


@dataclass(frozen=True)
class ModalContext:
    """What the modal carries through `private_metadata` (at most 3000 characters)."""

    channel_id: str = ""
    lead_id: int = 0
    append_notes: bool = False  # the notes field adds a note instead of replacing them

    def encode(self) -> str:
        """Compact `channel|lead|a` form."""
        return f"{self.channel_id}|{self.lead_id}" + ("|a" if self.append_notes else "")

    @classmethod
    def decode(cls, raw: str) -> ModalContext:
        """Inverse of encode; anything malformed gives an empty context."""
        channel, _, rest = (raw or "").partition("|")
        lead, _, flags = rest.partition("|")
        return cls(
            channel_id=channel[:32],
            lead_id=int(lead) if lead.isdigit() and len(lead) < 19 else 0,
            append_notes=flags == "a",
        )


def lead_modal(*, draft: LeadDraft, context: ModalContext, language: Language) -> dict[str, Any]:
    """The modal; titled New lead, or Edit lead when it edits a stored lead."""
    label = {name: text(language) for name, text in say.FIELDS.items()}
    title = say.MODAL_EDIT if context.lead_id else say.MODAL_NEW
    return {
        "type": "modal",
        "callback_id": NEW_LEAD_CALLBACK,
        "title": _plain(title(language)),
        "submit": _plain(say.MODAL_SAVE(language)),
        "close": _plain(say.MODAL_CANCEL(language)),
        "private_metadata": context.encode(),
        "blocks": [
            _text_input("name", label["name"], draft.name, say.NAME_PLACEHOLDER(language)),
            _text_input("company", label["company"], draft.company),
            _email_input(label["email"], draft.email),
            _text_input("phone", label["phone"], draft.phone, "+81 90-1234-5678"),
            _text_input("title", label["title"], draft.title),
            _select("interest", label["interest"], draft.interest, language),
            _select("source", label["source"], draft.source, language),
            _text_input("event", label["event"], draft.event, say.EVENT_PLACEHOLDER(language)),
            _text_input("product", label["product"], draft.product),
            _select("company_size", label["company_size"], draft.company_size, language),
            _text_input("industry", label["industry"], draft.industry),
            _select("budget", label["budget"], draft.budget, language),
            _select("timeline", label["timeline"], draft.timeline, language),
            _consent(label["consent"], draft.consent, language),
            *_notes(draft.notes, context, language),
        ],
    }


def fits_in_modal(notes: str) -> bool:
    """Whether stored notes can be shown, whole, in the form's notes field."""
    return len(notes) <= LIMITS["notes"]


def _notes(notes: str, context: ModalContext, language: Language) -> list[dict[str, Any]]:
    if not context.append_notes:
        return [_text_input("notes", say.FIELDS["notes"](language), notes, multiline=True)]
    kept = {
        "type": "context",
        "elements": [{"type": "plain_text", "text": say.NOTES_KEPT(language, count=len(notes))}],
    }
    return [kept, _text_input("notes", say.ADD_NOTE(language), "", multiline=True)]


def draft_from_state(values: Mapping[str, Any]) -> LeadDraft:
    """Read a submitted modal's `state.values` into a draft; unknown shapes read as empty."""
    readers: dict[str, Reader] = {name: _enum_reader(enum) for name, (enum, _) in CHOICES.items()}
    readers["consent"] = _consent_value
    readers["opted_out"] = _never  # the form has no opt-out: imports and the web set it
    found: dict[str, Any] = {}
    for field in fields(LeadDraft):
        element = _element(values, field.name)
        reader: Reader = readers.get(field.name) or _text_value
        found[field.name] = reader(element)
    return LeadDraft(**found)


def _never(_element: Mapping[str, Any]) -> bool:
    return False


def _element(values: Mapping[str, Any], block_id: str) -> Mapping[str, Any]:
    block = values.get(block_id) if isinstance(values, Mapping) else None
    element = block.get(VALUE) if isinstance(block, Mapping) else None
    return element if isinstance(element, Mapping) else {}


def _text_value(element: Mapping[str, Any]) -> str:
    value = element.get("value")
    return value if isinstance(value, str) else ""


def _enum_reader(enum: type[StrEnum]) -> Callable[[Mapping[str, Any]], StrEnum | None]:
    def read(element: Mapping[str, Any]) -> StrEnum | None:
        option = element.get("selected_option")
        value = option.get("value") if isinstance(option, Mapping) else None
        return enum(value) if value in {member.value for member in enum} else None

    return read


def _consent_value(element: Mapping[str, Any]) -> bool:
    options = element.get("selected_options")
    if not isinstance(options, list):
        return False
    return any(isinstance(o, Mapping) and o.get("value") == CONSENT_YES for o in options)


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _input(block_id: str, label: str, element: dict[str, Any]) -> dict[str, Any]:
    element["action_id"] = VALUE
    return {
        "type": "input",
        "block_id": block_id,
        "optional": True,
        "label": _plain(label),
        "element": element,
    }


def _text_input(
    block_id: str, label: str, initial: str, placeholder: str = "", *, multiline: bool = False
) -> dict[str, Any]:
    limit = LIMITS[block_id]
    element: dict[str, Any] = {"type": "plain_text_input", "max_length": limit}
    if multiline:
        element["multiline"] = True
    if initial:
        element["initial_value"] = truncate(initial, limit)
    if placeholder:
        element["placeholder"] = _plain(placeholder)
    return _input(block_id, label, element)


def _email_input(label: str, initial: str) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "email_text_input",
        "placeholder": _plain("name@company.com"),
    }
    if initial:
        element["initial_value"] = truncate(initial, LIMITS["email"])
    return _input("email", label, element)


def _option(value: str, names: Mapping[str, Text], language: Language) -> dict[str, Any]:
    return {"text": _plain(names[value](language)), "value": value}


def _select(
    block_id: str, label: str, initial: StrEnum | None, language: Language
) -> dict[str, Any]:
    names = CHOICES[block_id][1]
    element: dict[str, Any] = {
        "type": "static_select",
        "placeholder": _plain(say.CHOOSE(language)),
        "options": [_option(value, names, language) for value in ORDER[block_id]],
    }
    if initial is not None:
        element["initial_option"] = _option(initial.value, names, language)
    return _input(block_id, label, element)


def _consent(label: str, initial: bool, language: Language) -> dict[str, Any]:
    option = {"text": _plain(say.CONSENT_OPTION(language)), "value": CONSENT_YES}
    element: dict[str, Any] = {"type": "checkboxes", "options": [option]}
    if initial:
        element["initial_options"] = [option]
    return _input("consent", label, element)
