"""The Won, Lost and Change outcome forms, and reading what they say back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from blocks import catalogue as say
from blocks.catalogue import Text
from blocks.text import safe, truncate
from leads.language import Language
from leads.lead import Lead
from leads.model import Stage
from leads.outcomes import MAX_DETAIL, LostReason, lost_problem, read_deal_value
from leads.validation import Problem

WON_FORM = "outcome_won"
LOST_FORM = "outcome_lost"
CHANGE_FORM = "outcome_change"
VALUE = "value"
DEAL_VALUE, REASON, DETAIL, TARGET = "deal_value", "lost_reason", "lost_detail", "outcome"
_STAGES = frozenset(stage.value for stage in Stage)
_REASONS = frozenset(reason.value for reason in LostReason)
_TARGETS: tuple[tuple[str, Text], ...] = (
    (Stage.CLAIMED.value, say.NO_OUTCOME_YET),
    (Stage.MEETING.value, say.STAGES["meeting"]),
    (Stage.WON.value, say.STAGES["won"]),
    (Stage.LOST.value, say.STAGES["lost"]),
)


@dataclass(frozen=True)
class OutcomeContext:
    """What a form carries through private_metadata: the lead, its stage, and its card."""

    lead_id: int
    expected: Stage
    channel: str = ""
    ts: str = ""

    def encode(self) -> str:
        """`lead|stage|channel|ts`."""
        return f"{self.lead_id}|{self.expected.value}|{self.channel}|{self.ts}"

    @classmethod
    def decode(cls, raw: str) -> OutcomeContext | None:
        """Inverse of encode; None when malformed."""
        parts = (raw or "").split("|")
        if len(parts) != 4 or not parts[0].isdigit() or len(parts[0]) > 18:
            return None
        if parts[1] not in _STAGES:
            return None
        return cls(int(parts[0]), Stage(parts[1]), parts[2][:32], parts[3][:32])


@dataclass(frozen=True)
class OutcomeAnswer:
    """What an outcome form said, or what is wrong with it (keyed by input block)."""

    target: Stage | None = None
    value: float | None = None
    reason: LostReason | None = None
    detail: str = ""
    problems: Mapping[str, Problem] | None = None


def won_form(
    lead: Lead, context: OutcomeContext, language: Language, currency: str
) -> dict[str, Any]:
    """Won: an optional deal value."""
    inputs = [_deal_value(language, currency)]
    return _modal(WON_FORM, say.WON_TITLE, lead, context, language=language, inputs=inputs)


def lost_form(lead: Lead, context: OutcomeContext, language: Language) -> dict[str, Any]:
    """Lost: a required reason from the fixed list, and details (required for Other)."""
    inputs = _lost_inputs(language)
    return _modal(LOST_FORM, say.LOST_TITLE, lead, context, language=language, inputs=inputs)


def change_form(
    lead: Lead, context: OutcomeContext, language: Language, currency: str
) -> dict[str, Any]:
    """Change outcome: the new outcome, with a value for Won or a reason for Lost."""
    target = _select(TARGET, say.NEW_OUTCOME(language), _TARGETS, language, optional=False)
    inputs = [target, _deal_value(language, currency), *_lost_inputs(language, optional=True)]
    return _modal(CHANGE_FORM, say.CHANGE_TITLE, lead, context, language=language, inputs=inputs)


def read_won(values: Mapping[str, Any]) -> OutcomeAnswer:
    """The deal value of a submitted Won form."""
    value, problem = read_deal_value(_text(values, DEAL_VALUE))
    if problem:
        return OutcomeAnswer(problems={DEAL_VALUE: Problem(problem)})
    return OutcomeAnswer(target=Stage.WON, value=value)


def read_lost(values: Mapping[str, Any]) -> OutcomeAnswer:
    """The reason and details of a submitted Lost form."""
    raw = _choice(values, REASON)
    reason = LostReason(raw) if raw in _REASONS else None
    detail = _text(values, DETAIL).strip()
    problem = lost_problem(reason, detail)
    if problem:
        field = DETAIL if problem.startswith("lost_detail") else REASON
        return OutcomeAnswer(problems={field: Problem(problem)})
    return OutcomeAnswer(target=Stage.LOST, reason=reason, detail=detail)


def read_change(values: Mapping[str, Any]) -> OutcomeAnswer:
    """The new outcome of a submitted Change outcome form, with its value or reason."""
    raw = _choice(values, TARGET)
    if raw not in {value for value, _ in _TARGETS}:
        return OutcomeAnswer(problems={TARGET: Problem("outcome_required")})
    target = Stage(raw)
    if target == Stage.WON:
        return read_won(values)
    if target == Stage.LOST:
        return read_lost(values)
    return OutcomeAnswer(target=target)


def _modal(
    callback: str,
    title: Text,
    lead: Lead,
    context: OutcomeContext,
    *,
    language: Language,
    inputs: list[dict[str, Any]],
) -> dict[str, Any]:
    company = f" ({safe(lead.profile.company, 200)})" if lead.profile.company else ""
    intro = say.FORM_FOR(language, name=safe(lead.display_name, 200), company=company)
    return {
        "type": "modal",
        "callback_id": callback,
        "title": _plain(title(language)),
        "submit": _plain(say.RECORD(language)),
        "close": _plain(say.MODAL_CANCEL(language)),
        "private_metadata": context.encode(),
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": intro}}, *inputs],
    }


def _deal_value(language: Language, currency: str) -> dict[str, Any]:
    element = {"type": "number_input", "is_decimal_allowed": True, "min_value": "0"}
    block = _input(DEAL_VALUE, say.DEAL_VALUE(language), element, optional=True)
    block["hint"] = _plain(say.DEAL_VALUE_HINT(language, currency=currency))
    return block


def _lost_inputs(language: Language, *, optional: bool = False) -> list[dict[str, Any]]:
    reasons = tuple((reason.value, say.LOST_REASONS[reason.value]) for reason in LostReason)
    detail: dict[str, Any] = {
        "type": "plain_text_input",
        "multiline": True,
        "max_length": MAX_DETAIL,
    }
    detail_block = _input(DETAIL, say.REASON_DETAIL(language), detail, optional=True)
    detail_block["hint"] = _plain(say.REASON_DETAIL_HINT(language))
    return [
        _select(REASON, say.REASON(language), reasons, language, optional=optional),
        detail_block,
    ]


def _select(
    block_id: str,
    label: str,
    options: tuple[tuple[str, Text], ...],
    language: Language,
    *,
    optional: bool,
) -> dict[str, Any]:
    element = {
        "type": "static_select",
        "placeholder": _plain(say.CHOOSE(language)),
        "options": [{"text": _plain(text(language)), "value": value} for value, text in options],
    }
    return _input(block_id, label, element, optional=optional)


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": _plain(label),
        "element": {**element, "action_id": VALUE},
    }


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": truncate(text, 3000)}


def _element(values: Mapping[str, Any], block_id: str) -> Mapping[str, Any]:
    block = values.get(block_id) if isinstance(values, Mapping) else None
    element = block.get(VALUE) if isinstance(block, Mapping) else None
    return element if isinstance(element, Mapping) else {}


def _text(values: Mapping[str, Any], block_id: str) -> str:
    value = _element(values, block_id).get("value")
    return value if isinstance(value, str) else ""


def _choice(values: Mapping[str, Any], block_id: str) -> str:
    option = _element(values, block_id).get("selected_option")
    value = option.get("value") if isinstance(option, Mapping) else None
    return value if isinstance(value, str) else ""
