"""Read the interest and yes/no answers people write in web forms and spreadsheets."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from leads.model import Interest
from leads.validation import Problem

INTEREST_UNKNOWN: Final = Problem("interest_unknown")
YES_NO_UNREADABLE: Final = Problem("yes_no_unreadable")

INTEREST_WORDS: Final[Mapping[str, Interest]] = MappingProxyType(
    {
        "hot": Interest.HOT,
        "warm": Interest.WARM,
        "cold": Interest.COLD,
        "ホット": Interest.HOT,
        "ウォーム": Interest.WARM,
        "コールド": Interest.COLD,
        "高": Interest.HOT,
        "中": Interest.WARM,
        "低": Interest.COLD,
    }
)

# Japanese forms mark yes with a circle (maru) and no with a cross (batsu).
YES_WORDS: Final = frozenset(
    {"yes", "y", "true", "1", "on", "agree", "agreed", "ok", "✓", "✔"}
    | {"\u25cb", "\u3007", "\u25ef"}
    | {"はい", "有", "あり", "済", "済み", "同意", "同意する", "同意済", "同意済み", "許可", "可"}
)
NO_WORDS: Final = frozenset(
    {"no", "n", "false", "0", "off", "refused", "\u00d7", "✕", "✗"}
    | {"いいえ", "無", "なし", "未", "不可", "拒否", "しない", "同意しない", "配信停止"}
)

# "No" words that say consent is not given yet rather than refused: no opt-out.
NOT_YET_WORDS: Final = frozenset({"未", "なし", "無", "0", "false", "off"})


# What a spreadsheet cell holds when it says nothing.
BLANKS: Final = frozenset({"", "-", "ー", "—", "―", "n/a"})


def _folded(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).strip().casefold()
    return "" if folded in BLANKS else folded


def read_interest(text: str) -> Interest | None:
    """hot/warm/cold (also ホット/ウォーム/コールド, 高/中/低); None when blank or a dash,
    ValueError for anything else."""
    folded = _folded(text)
    if not folded:
        return None
    if folded not in INTEREST_WORDS:
        raise ValueError(f"not an interest: {text!r}")
    return INTEREST_WORDS[folded]


def read_yes_no(text: str) -> bool | None:
    """yes/no in English or Japanese (はい, 済, a circle; いいえ, 拒否, a cross); None when
    blank or a dash, ValueError when it says neither."""
    folded = _folded(text)
    if not folded:
        return None
    if folded in YES_WORDS:
        return True
    if folded in NO_WORDS:
        return False
    raise ValueError(f"neither yes nor no: {text!r}")


def is_refusal(text: str) -> bool:
    """Whether a yes/no answer refuses outright ("no", "いいえ", "拒否", a cross), rather than
    saying consent is missing or not yet given ("未", "なし", "0")."""
    folded = _folded(text)
    return folded in NO_WORDS and folded not in NOT_YET_WORDS
