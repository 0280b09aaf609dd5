"""What a person asks for with `/lead <text>`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, TypeAlias


@dataclass(frozen=True, slots=True)
class OpenModal:
    """Open the full capture form (`/lead` with no text)."""


@dataclass(frozen=True, slots=True)
class ShowHelp:
    """Explain how to use the command."""


@dataclass(frozen=True, slots=True)
class ShowEvent:
    """Tell the person which event their captures are filed under."""


@dataclass(frozen=True, slots=True)
class SetEvent:
    """File the person's next captures under this event."""

    name: str


@dataclass(frozen=True, slots=True)
class ClearEvent:
    """Stop filing the person's captures under an event."""


@dataclass(frozen=True, slots=True)
class QuickCapture:
    """Capture a lead from one line of free text."""

    text: str


LeadCommand: TypeAlias = OpenModal | ShowHelp | ShowEvent | SetEvent | ClearEvent | QuickCapture

_HELP_WORDS: Final = frozenset({"help", "?", "-h", "--help"})
_CLEAR_WORDS: Final = frozenset({"clear", "none", "off", "reset"})
_EVENT: Final = re.compile(r"event(?:\s+(?P<name>.*))?", re.IGNORECASE | re.DOTALL)


def parse_command(text: str) -> LeadCommand:
    """Decide what `/lead <text>` asks for."""
    stripped = text.strip()
    if not stripped:
        return OpenModal()
    if stripped.lower() in _HELP_WORDS:
        return ShowHelp()
    event = _EVENT.fullmatch(stripped)
    if event is None:
        return QuickCapture(stripped)
    return _event_command((event["name"] or "").strip())


def _event_command(name: str) -> LeadCommand:
    if not name:
        return ShowEvent()
    if name.lower() in _CLEAR_WORDS:
        return ClearEvent()
    return SetEvent(name)
