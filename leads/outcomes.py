"""Deal outcomes: the fixed list of reasons a deal is lost, and what a won deal was worth."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

MAX_DETAIL: Final = 500
MAX_DEAL_VALUE: Final = 1e15


class LostReason(StrEnum):
    """Why a deal was lost: a fixed list, so reasons can be counted."""

    BUDGET = "budget"
    TIMING = "timing"
    COMPETITOR = "competitor"
    NO_RESPONSE = "no_response"
    NOT_A_FIT = "not_a_fit"
    OTHER = "other"


# Reasons that say "not now" rather than "never": the card offers to nurture the lead again.
RECYCLABLE: Final = frozenset({LostReason.TIMING, LostReason.NOT_A_FIT})


@dataclass(frozen=True, slots=True)
class Outcome:
    """A recorded outcome: won with an optional value, or lost with a reason."""

    won: bool
    value: float | None = None
    reason: LostReason | None = None
    detail: str = ""


def read_deal_value(text: str) -> tuple[float | None, str | None]:
    """A deal value typed in a form, and the problem code when it is not a usable amount.

    Empty is no value; commas, spaces and a leading currency sign are allowed.
    """
    cleaned = text.strip().replace(",", "").replace(" ", "").lstrip("¥$€£￥")
    if not cleaned:
        return None, None
    try:
        value = float(cleaned)
    except ValueError:
        return None, "deal_value_invalid"
    if not math.isfinite(value) or value < 0 or value > MAX_DEAL_VALUE:
        return None, "deal_value_invalid"
    return value, None


def lost_problem(reason: LostReason | None, detail: str) -> str | None:
    """The problem code of a Lost form, or None: a reason is required, and Other needs words."""
    if reason is None:
        return "lost_reason_required"
    if reason == LostReason.OTHER and not detail.strip():
        return "lost_detail_required"
    if len(detail) > MAX_DETAIL:
        return "lost_detail_too_long"
    return None
