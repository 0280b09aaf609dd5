"""The hot-lead card posted to sales channels, in each of its states."""

from __future__ import annotations

from typing import Any

from blocks.modal import INTEREST_LABELS, SOURCE_LABELS
from blocks.text import channel_link, duration, mention, safe, slack_date
from leads.lead import Lead
from leads.model import Stage

CLAIM = "lead_claim"
PASS = "lead_pass"
MEETING = "lead_meeting"
WON = "lead_won"
LOST = "lead_lost"
OUTCOME_ACTIONS = {MEETING: Stage.MEETING, WON: Stage.WON, LOST: Stage.LOST}
OUTCOME_LABELS = {Stage.MEETING: "Meeting booked", Stage.WON: "Won", Stage.LOST: "Lost"}
FIELD_LIMIT = 300
NOTES_LIMIT = 1500


def lead_card(lead: Lead, *, passed_by: tuple[str, ...] = (), moved_to: str = "") -> dict[str, Any]:
    """chat.postMessage / chat.update arguments (text + blocks) for the lead's current stage."""
    blocks: list[dict[str, Any]] = [
        _section(f"*:fire: Hot lead: {safe(lead.display_name, FIELD_LIMIT)}*"),
        {"type": "section", "fields": _fields(lead)},
        _section(_score_line(lead)),
    ]
    if lead.profile.notes:
        blocks.append(_section(f"*Notes*\n{safe(lead.profile.notes, NOTES_LIMIT)}"))
    blocks.append(_context(_captured_line(lead, passed_by)))
    if moved_to:
        blocks.append(_section(f"*Passed on to {channel_link(moved_to)}*"))
    else:
        blocks.extend(_state_blocks(lead))
    return {"text": card_fallback(lead), "blocks": blocks}


def card_fallback(lead: Lead) -> str:
    """The notification text: who, where from and the score."""
    company = f" ({safe(lead.profile.company, FIELD_LIMIT)})" if lead.profile.company else ""
    return f"Hot lead: {safe(lead.display_name, FIELD_LIMIT)}{company}, score {lead.score}"


def score_reasons(lead: Lead, count: int = 3) -> str:
    """`+120 interest: Hot · +15 title: Director` for the top reasons."""
    return " · ".join(safe(reason.describe(), 100) for reason in lead.top_reasons(count))


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _fields(lead: Lead) -> list[dict[str, str]]:
    profile = lead.profile
    pairs = [
        ("Company", profile.company),
        ("Title", profile.title),
        ("Source", SOURCE_LABELS.get(profile.source, "") if profile.source else ""),
        ("Event", profile.event),
        ("Email", profile.email),
        ("Phone", profile.phone),
        ("Interest", INTEREST_LABELS.get(profile.interest, "") if profile.interest else ""),
        ("Product", profile.product),
    ]
    shown = [(label, value) for label, value in pairs if value] or [("Company", "unknown")]
    return [
        {"type": "mrkdwn", "text": f"*{label}*\n{safe(value, FIELD_LIMIT)}"}
        for label, value in shown
    ]


def _score_line(lead: Lead) -> str:
    parts = f"fit {round(lead.fit)} · engagement {round(lead.engagement)}"
    reasons = score_reasons(lead)
    return f"*Score {lead.score}* ({parts})" + (f"\n{reasons}" if reasons else "")


def _captured_line(lead: Lead, passed_by: tuple[str, ...]) -> str:
    line = f"Captured by {mention(lead.captured_by)} {slack_date(lead.created_at)}"
    if passed_by:
        line += " · passed by " + ", ".join(mention(user) for user in passed_by)
    return line


def _state_blocks(lead: Lead) -> list[dict[str, Any]]:
    if lead.owner is None:
        return [
            _actions([_button("Claim", CLAIM, lead.id, "primary"), _button("Pass", PASS, lead.id)])
        ]
    blocks = [_section(_owner_line(lead))]
    buttons = [
        _button(OUTCOME_LABELS[stage], action, lead.id)
        for action, stage in OUTCOME_ACTIONS.items()
        if _outcome_open(lead.stage, stage)
    ]
    if buttons:
        blocks.append(_actions(buttons))
    return blocks


def _owner_line(lead: Lead) -> str:
    line = f"*Claimed by {mention(lead.owner or '')}*"
    if lead.claimed_at is not None and lead.hot_at is not None:
        line += f" {duration(lead.claimed_at - lead.hot_at)} after it turned hot"
    if lead.stage in OUTCOME_LABELS:
        line += f"\nOutcome: *{OUTCOME_LABELS[lead.stage]}*"
    return line


def _outcome_open(current: Stage, candidate: Stage) -> bool:
    if current in (Stage.WON, Stage.LOST):
        return False
    return not (current == Stage.MEETING and candidate == Stage.MEETING)


def _actions(elements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "actions", "block_id": "lead_actions", "elements": elements}


def _button(label: str, action_id: str, lead_id: int, style: str = "") -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "action_id": action_id,
        "value": str(lead_id),
    }
    if style:
        button["style"] = style
    return button
