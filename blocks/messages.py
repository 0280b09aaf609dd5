"""Replies, notices and DMs the bot sends to people (everything but the card and modal)."""

from __future__ import annotations

from typing import Any

from blocks.cards import card_fallback, lead_card, score_reasons
from blocks.text import channel_link, mention, safe
from leads.lead import Lead

EDIT = "lead_edit"
Message = dict[str, Any]

HELP = "\n".join(
    [
        "*How to log a lead with `/lead`*",
        "• `/lead` opens the *New lead* form.",
        "• `/lead Yamada Taro, Acme Corp, taro@acme.co.jp, 090-1234-5678, hot` logs a lead from"
        " one line: name, company, email, phone and an interest word (hot, warm or cold),"
        " separated by commas. Order is flexible; `Jane Doe <jane@example.com> Initech warm`"
        " works too.",
        "• `/lead event Tokyo Expo 2026` sets the event you are working at; your leads get it"
        " as their event and *Event booth* as their source.",
        "• `/lead event` shows your current event; `/lead event clear` clears it.",
        "• `/lead help` shows this message.",
        "The same email logged twice is one lead with two touches. Hot leads go straight to sales.",
    ]
)


def text_message(text: str) -> Message:
    """A plain mrkdwn reply (the caller escapes any user text in it)."""
    return {"text": text, "blocks": [_section(text)]}


def help_message() -> Message:
    """Every form of the /lead command."""
    return text_message(HELP)


def event_message(event: str) -> Message:
    """The user's current event, or how to set one."""
    if not event:
        return text_message("You have no current event. Set one with `/lead event <name>`.")
    return text_message(f"Your current event is *{safe(event, 150)}*.")


def event_set_message(event: str) -> Message:
    """Confirms a new current event."""
    return text_message(
        f"Your current event is now *{safe(event, 150)}*. Leads you log get it as their event."
    )


def event_cleared_message() -> Message:
    """Confirms the current event was cleared."""
    return text_message("Your current event is cleared.")


def capture_message(lead: Lead, *, created: bool, became_hot: bool) -> Message:
    """What was stored, with a button to correct it in the form."""
    headline = "Saved a new lead" if created else "Added a touch to an existing lead"
    lines = [f"*{headline}: {safe(lead.display_name, 200)}*", _summary(lead)]
    lines.append(f"Score *{lead.score}*: {score_reasons(lead)}" if lead.reasons else "")
    if became_hot:
        lines.append(":fire: It is hot: sales has been alerted.")
    text = "\n".join(line for line in lines if line)
    edit = {
        "type": "button",
        "text": {"type": "plain_text", "text": "Edit"},
        "action_id": EDIT,
        "value": str(lead.id),
    }
    return {
        "text": f"{headline}: {safe(lead.display_name, 200)}",
        "blocks": [_section(text), {"type": "actions", "block_id": "capture", "elements": [edit]}],
    }


def invalid_capture_message(errors: dict[str, str]) -> Message:
    """Why a one-line capture was refused and how to fix it."""
    lines = [
        f"• *{field.replace('_', ' ').capitalize()}*: {message}"
        for field, message in errors.items()
    ]
    return text_message(
        "Nothing was saved. Please fix:\n"
        + "\n".join(lines)
        + "\nTry `/lead help`, or `/lead` alone to use the form."
    )


def claim_taken_message(owner: str) -> Message:
    """Told, privately, to someone who clicked Claim too late."""
    return text_message(f"This lead is already claimed by {mention(owner)}.")


def claim_refused_message(reason: str) -> Message:
    """Told, privately, to someone not allowed to claim."""
    return text_message(f"You can't claim this lead. {reason}")


def not_owner_message(owner: str | None) -> Message:
    """Told when someone other than the owner records an outcome."""
    if owner is None:
        return text_message("Claim the lead before recording an outcome.")
    return text_message(f"Only {mention(owner)}, who owns this lead, can record its outcome.")


def owner_dm(lead: Lead) -> Message:
    """The DM to a new owner: the lead with its contact details, ready to act on."""
    card = lead_card(lead)
    intro = _section(
        f"You claimed *{safe(lead.display_name, 200)}*. Reach out now: the first"
        " five minutes matter most."
    )
    return {"text": "You claimed " + card_fallback(lead), "blocks": [intro, *card["blocks"][:-1]]}


def reannounce_message(lead: Lead, waited_minutes: int) -> Message:
    """Thread reply on a card nobody has claimed yet."""
    return text_message(
        f":alarm_clock: *{safe(lead.display_name, 200)}* is still unclaimed after"
        f" {waited_minutes} business minutes. Can someone take it?"
    )


def escalation_message(lead: Lead, waited_minutes: int) -> Message:
    """Sent to the escalation contact when a hot lead stays unclaimed."""
    where = f" in {channel_link(lead.card_channel)}" if lead.card_channel else ""
    return text_message(
        f":rotating_light: Hot lead *{safe(lead.display_name, 200)}* (score {lead.score}) has"
        f" been unclaimed{where} for {waited_minutes} business minutes."
    )


def passed_message(user: str, destination: str | None) -> Message:
    """Thread note recording a Pass."""
    if destination:
        return text_message(f"{mention(user)} passed this lead on to {channel_link(destination)}.")
    return text_message(f"{mention(user)} passed on this lead; it stays open for the others here.")


def home_view(event: str, recent: list[Lead]) -> dict[str, Any]:
    """The App Home tab: current event, recent captures and how to use the bot."""
    blocks: list[dict[str, Any]] = [event_message(event)["blocks"][0]]
    if recent:
        lines = [
            f"• {safe(lead.display_name, 100)}: score {lead.score}, {lead.stage.value}"
            for lead in recent
        ]
        blocks.append(_section("*Your recent leads*\n" + "\n".join(lines)))
    blocks.append(_section(HELP))
    return {"type": "home", "blocks": blocks}


def _summary(lead: Lead) -> str:
    profile = lead.profile
    parts = [profile.company, profile.email, profile.phone, profile.event]
    if profile.interest:
        parts.append(f"interest {profile.interest.value}")
    return " · ".join(safe(part, 200) for part in parts if part)


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}
