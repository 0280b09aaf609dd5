"""What a person asks for with `/lead <text>`."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Final, TypeAlias

from leads.validation import clean_text


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
class ShowStats:
    """Show the funnel by source and event; `period` is as typed ("7d", "all"), "" if none."""

    period: str


@dataclass(frozen=True, slots=True)
class Find:
    """Search the leads for `query` (as typed; may be empty)."""

    query: str


@dataclass(frozen=True, slots=True)
class ShowMine:
    """List the leads the person owns."""


@dataclass(frozen=True, slots=True)
class Admin:
    """An administrator's command; `args` is the text after "admin" (may be empty)."""

    args: str


@dataclass(frozen=True, slots=True)
class QuickCapture:
    """Capture a lead from one line of free text."""

    text: str


LeadCommand: TypeAlias = (
    OpenModal
    | ShowHelp
    | ShowEvent
    | SetEvent
    | ClearEvent
    | ShowStats
    | Find
    | ShowMine
    | Admin
    | QuickCapture
)

_HELP_ALIASES: Final = frozenset({"?", "-h", "--help"})
_CLEAR_WORDS: Final = frozenset({"clear", "none", "off", "reset"})


def parse_command(text: str) -> LeadCommand:
    """Decide what `/lead <text>` asks for; a reserved first word is never a lead's name."""
    stripped = clean_text(text)  # blank and invisible characters around it are no text
    if not stripped:
        return OpenModal()
    if stripped.lower() in _HELP_ALIASES:
        return ShowHelp()
    first_word, *rest_of_text = stripped.split(maxsplit=1)
    rest = rest_of_text[0] if rest_of_text else ""
    match _fold(first_word):
        case "help":
            return ShowHelp()
        case "event":
            return _event_command(rest)
        case "stats":
            return ShowStats(_fold(rest))
        case "find":
            return Find(rest)
        case "mine":
            return ShowMine()
        case "admin":
            return Admin(rest)
    return QuickCapture(stripped)


def _fold(word: str) -> str:
    """Fold full-width letters and case: typed "Help" or full-width "help" reads as "help"."""
    return unicodedata.normalize("NFKC", word).lower()


def _event_command(name: str) -> LeadCommand:
    if not name:
        return ShowEvent()
    if _fold(name) in _CLEAR_WORDS:
        return ClearEvent()
    return SetEvent(name)
