"""The New lead / Edit lead modal and reading its submitted state back into a draft."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any

from blocks.text import truncate
from leads.model import Budget, CompanySize, Interest, LeadDraft, Source, Timeline
from leads.validation import LIMITS

NEW_LEAD_CALLBACK = "lead_modal"
Reader = Callable[[Mapping[str, Any]], Any]
VALUE = "value"
CONSENT_YES = "yes"

SOURCE_LABELS = {
    Source.EVENT: "Event booth",
    Source.SEMINAR: "Seminar",
    Source.WEB: "Web form",
    Source.REFERRAL: "Referral",
    Source.INBOUND: "Inbound call or email",
    Source.MANUAL: "Other",
}
INTEREST_LABELS = {Interest.HOT: "Hot", Interest.WARM: "Warm", Interest.COLD: "Cold"}
BUDGET_LABELS = {
    Budget.LARGE: "Large",
    Budget.MEDIUM: "Medium",
    Budget.SMALL: "Small",
    Budget.NONE: "No budget",
    Budget.UNKNOWN: "Unknown",
}
TIMELINE_LABELS = {
    Timeline.NOW: "Within a month",
    Timeline.QUARTER: "This quarter",
    Timeline.YEAR: "This year",
    Timeline.LATER: "Later",
    Timeline.UNKNOWN: "Unknown",
}
SIZE_LABELS = {
    CompanySize.MICRO: "1-49 people",
    CompanySize.SMALL: "50-249 people",
    CompanySize.MEDIUM: "250-999 people",
    CompanySize.LARGE: "1000+ people",
    CompanySize.UNKNOWN: "Unknown",
}


@dataclass(frozen=True)
class ModalContext:
    """What the modal carries through `private_metadata` (at most 3000 characters)."""

    channel_id: str = ""
    lead_id: int = 0

    def encode(self) -> str:
        """Compact `channel|lead` form."""
        return f"{self.channel_id}|{self.lead_id}"

    @classmethod
    def decode(cls, raw: str) -> ModalContext:
        """Inverse of encode; anything malformed gives an empty context."""
        channel, _, lead = (raw or "").partition("|")
        return cls(channel_id=channel[:32], lead_id=int(lead) if lead.isdigit() else 0)


def lead_modal(*, draft: LeadDraft, context: ModalContext) -> dict[str, Any]:
    """The modal; titled New lead, or Edit lead when it edits a stored lead."""
    return {
        "type": "modal",
        "callback_id": NEW_LEAD_CALLBACK,
        "title": {"type": "plain_text", "text": "Edit lead" if context.lead_id else "New lead"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": context.encode(),
        "blocks": [
            _text_input("name", "Name", draft.name, placeholder="Yamada Taro"),
            _text_input("company", "Company", draft.company),
            _email_input(draft.email),
            _text_input("phone", "Phone", draft.phone, placeholder="+81 90-1234-5678"),
            _text_input("title", "Job title", draft.title),
            _select("interest", "Interest", INTEREST_LABELS, draft.interest),
            _select("source", "Source", SOURCE_LABELS, draft.source),
            _text_input("event", "Event", draft.event, placeholder="Tokyo Expo 2026"),
            _text_input("product", "Product interest", draft.product),
            _select("company_size", "Company size", SIZE_LABELS, draft.company_size),
            _text_input("industry", "Industry", draft.industry),
            _select("budget", "Budget", BUDGET_LABELS, draft.budget),
            _select("timeline", "Timeline", TIMELINE_LABELS, draft.timeline),
            _consent(draft.consent),
            _text_input("notes", "Notes", draft.notes, multiline=True),
        ],
    }


def draft_from_state(values: Mapping[str, Any]) -> LeadDraft:
    """Read a submitted modal's `state.values` into a draft; unknown shapes read as empty."""
    readers: dict[str, Reader] = {
        "interest": _enum_reader(Interest),
        "source": _enum_reader(Source),
        "company_size": _enum_reader(CompanySize),
        "budget": _enum_reader(Budget),
        "timeline": _enum_reader(Timeline),
        "consent": _consent_value,
    }
    found: dict[str, Any] = {}
    for field in fields(LeadDraft):
        element = _element(values, field.name)
        reader: Reader = readers.get(field.name) or _text_value
        found[field.name] = reader(element)
    return LeadDraft(**found)


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
    block_id: str, label: str, initial: str, *, placeholder: str = "", multiline: bool = False
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


def _email_input(initial: str) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "email_text_input",
        "placeholder": _plain("name@company.com"),
    }
    if initial:
        element["initial_value"] = truncate(initial, LIMITS["email"])
    return _input("email", "Email", element)


def _option(value: StrEnum, labels: Mapping[Any, str]) -> dict[str, Any]:
    return {"text": _plain(labels[value]), "value": value.value}


def _select(
    block_id: str, label: str, labels: Mapping[Any, str], initial: StrEnum | None
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "static_select",
        "placeholder": _plain("Choose…"),
        "options": [_option(value, labels) for value in labels],
    }
    if initial is not None:
        element["initial_option"] = _option(initial, labels)
    return _input(block_id, label, element)


def _consent(initial: bool) -> dict[str, Any]:
    option = {"text": _plain("They agreed to be contacted"), "value": CONSENT_YES}
    element: dict[str, Any] = {"type": "checkboxes", "options": [option]}
    if initial:
        element["initial_options"] = [option]
    return _input("consent", "Consent", element)
