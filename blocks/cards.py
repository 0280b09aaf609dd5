"""The hot-lead card posted to sales channels, in each stage of the lead's lifecycle."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from blocks import catalogue as say
from blocks.text import channel_link, mention, safe, slack_date
from blocks.words import choice, describe_reason, duration, money, percent
from leads.calibration import Weight
from leads.funnel import Dimension
from leads.language import Language
from leads.lead import Lead
from leads.lifecycle import Step, card_steps
from leads.model import Stage
from leads.outcomes import RECYCLABLE

CLAIM = "lead_claim"
PASS = "lead_pass"
MEETING = "lead_meeting"
WON = "lead_won"
LOST = "lead_lost"
CHANGE_OUTCOME = "lead_change_outcome"
RECYCLE = "lead_recycle"
STEP_ACTIONS: Mapping[Step, str] = {
    Step.CLAIM: CLAIM,
    Step.PASS: PASS,
    Step.BOOK_MEETING: MEETING,
    Step.WIN: WON,
    Step.LOSE: LOST,
    Step.CHANGE_OUTCOME: CHANGE_OUTCOME,
    Step.RECYCLE: RECYCLE,
}
ACTION_STEPS: Mapping[str, Step] = {action: step for step, action in STEP_ACTIONS.items()}
DECIDED = (Stage.MEETING, Stage.WON, Stage.LOST)
FIELD_LIMIT = 300
NOTES_LIMIT = 1500
PRIMARY = {Step.CLAIM}


@dataclass(frozen=True)
class CardView:
    """What a card shows besides the lead: who passed, where it went, what outcomes taught."""

    passed_by: tuple[str, ...] = ()
    moved_to: str = ""
    calibration: tuple[Weight, ...] = ()
    currency: str = "JPY"


NO_VIEW = CardView()


def lead_card(lead: Lead, language: Language, view: CardView = NO_VIEW) -> dict[str, Any]:
    """chat.postMessage / chat.update arguments (text + blocks) for the lead's current stage."""
    blocks: list[dict[str, Any]] = [
        section(f"*{say.CARD_TITLE(language, name=safe(lead.display_name, FIELD_LIMIT))}*"),
        {"type": "section", "fields": _fields(lead, language)},
        section(_score_line(lead, language, view.calibration)),
    ]
    if lead.profile.notes:
        notes = safe(_newest(lead.profile.notes, NOTES_LIMIT), NOTES_LIMIT)
        blocks.append(section(say.CARD_NOTES(language, notes=notes)))
    blocks.append(context(_captured_line(lead, view.passed_by, language)))
    if view.moved_to:
        blocks.append(section(say.PASSED_ON_TO(language, channel=channel_link(view.moved_to))))
    else:
        blocks.extend(_state_blocks(lead, language, view.currency))
    return {"text": card_fallback(lead, language), "blocks": blocks}


def card_fallback(lead: Lead, language: Language) -> str:
    """The notification text: who, where from and the score."""
    company = f" ({safe(lead.profile.company, FIELD_LIMIT)})" if lead.profile.company else ""
    name = safe(lead.display_name, FIELD_LIMIT)
    return say.CARD_FALLBACK(language, name=name, company=company, score=lead.score)


def score_reasons(lead: Lead, language: Language, count: int = 3) -> str:
    """`+120 interest: Hot · +15 title: Director` for the top reasons."""
    return " · ".join(
        safe(describe_reason(reason, language), 100) for reason in lead.top_reasons(count)
    )


def section(text: str) -> dict[str, Any]:
    """A mrkdwn section block (the caller escapes user text)."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


def context(text: str) -> dict[str, Any]:
    """A context block with one mrkdwn element."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:3000]}]}


def button(label: str, action_id: str, value: str, style: str = "") -> dict[str, Any]:
    """A button carrying `value`."""
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def _newest(notes: str, limit: int) -> str:
    """The end of long notes: later captures append, so the newest words are last."""
    return notes if len(notes) <= limit else "…" + notes[-(limit - 1) :]


def _fields(lead: Lead, language: Language) -> list[dict[str, str]]:
    profile = lead.profile
    values = {
        "company": profile.company,
        "title": profile.title,
        "source": choice(say.SOURCES, profile.source, language),
        "event": profile.event,
        "email": profile.email,
        "phone": profile.phone,
        "interest": choice(say.INTERESTS, profile.interest, language),
        "product": profile.product,
    }
    shown = [(name, value) for name, value in values.items() if value]
    if not shown:
        shown = [("company", say.UNKNOWN(language))]
    return [
        {
            "type": "mrkdwn",
            "text": f"*{say.CARD_FIELDS[name](language)}*\n{safe(value, FIELD_LIMIT)}",
        }
        for name, value in shown
    ]


def _score_line(lead: Lead, language: Language, calibration: tuple[Weight, ...]) -> str:
    line = say.CARD_SCORE(
        language, score=lead.score, fit=round(lead.fit), engagement=round(lead.engagement)
    )
    reasons = score_reasons(lead, language)
    notes = [calibration_note(weight, language) for weight in calibration if weight.points]
    return "\n".join([line, *([reasons] if reasons else []), *notes])


def calibration_note(weight: Weight, language: Language) -> str:
    """`+6 Tokyo Expo 2026: 8 of 31 decided leads won, 26%`."""
    name = weight.value
    if weight.dimension == Dimension.SOURCE:
        name = choice(say.SOURCES, weight.value, language)
    tally = weight.tally
    note = say.CALIBRATION_NOTE(
        language,
        name=safe(name, 150),
        wins=tally.wins,
        decided=tally.decided,
        rate=percent(tally.wins / tally.decided if tally.decided else None),
    )
    return f"{round(weight.points):+d} {note}"


def _captured_line(lead: Lead, passed_by: tuple[str, ...], language: Language) -> str:
    line = say.CAPTURED_BY(
        language, user=mention(lead.captured_by), date=slack_date(lead.created_at)
    )
    if passed_by:
        users = say.LIST_SEPARATOR(language).join(mention(user) for user in passed_by)
        line += say.PASSED_BY(language, users=users)
    return line


def _state_blocks(lead: Lead, language: Language, currency: str) -> list[dict[str, Any]]:
    blocks = [] if lead.owner is None else [section(_owner_line(lead, language, currency))]
    buttons = [
        button(
            say.BUTTONS[step.value](language),
            STEP_ACTIONS[step],
            str(lead.id),
            "primary" if step in PRIMARY else "",
        )
        for step in _steps_offered(lead)
    ]
    if buttons:
        blocks.append(actions(buttons))
    return blocks


def _steps_offered(lead: Lead) -> tuple[Step, ...]:
    """The card's buttons: those of the stage, and Nurture again after a "not now" loss."""
    steps = card_steps(lead.stage)
    decision = lead.decision
    if lead.stage == Stage.LOST and decision is not None and decision.reason in RECYCLABLE:
        steps = (*steps, Step.RECYCLE)
    return steps


def _owner_line(lead: Lead, language: Language, currency: str) -> str:
    line = say.CLAIMED_BY(language, owner=mention(lead.owner or ""))
    if lead.claimed_at is not None and lead.hot_at is not None:
        line += say.CLAIMED_AFTER(
            language, duration=duration(lead.claimed_at - lead.hot_at, language)
        )
    if lead.stage in DECIDED:
        line += "\n" + _outcome_line(lead, language, currency)
    return line


def _outcome_line(lead: Lead, language: Language, currency: str) -> str:
    """`Outcome: *Lost* · Budget: no money this year · recorded by @rep 24 Nov`."""
    line = say.OUTCOME_LINE(language, stage=choice(say.STAGES, lead.stage, language))
    decision = lead.decision
    if decision is None or decision.stage != lead.stage:
        return line
    if decision.value is not None:
        line += say.OUTCOME_VALUE(language, value=money(decision.value, currency))
    if decision.reason is not None:
        reason = choice(say.LOST_REASONS, decision.reason, language)
        if decision.detail:
            reason += f": {safe(decision.detail, 300)}"
        line += say.OUTCOME_REASON(language, reason=reason)
    if decision.by:
        line += say.OUTCOME_BY(language, user=mention(decision.by), date=slack_date(decision.at))
    return line


def actions(elements: list[dict[str, Any]], block_id: str = "lead_actions") -> dict[str, Any]:
    """An actions block."""
    return {"type": "actions", "block_id": block_id, "elements": elements}
