"""Company names: legal suffixes and the words that mark an organization, English and Japanese."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Final

_JAPANESE_MARKERS: Final = (
    *("株式会社", "有限会社", "合同会社", "合資会社", "合名会社", "(株)", "㈱", "(有)", "㈲"),
    *("(同)", "一般社団法人", "一般財団法人", "公益社団法人", "公益財団法人", "社団法人"),
    *("財団法人", "学校法人", "医療法人", "社会福祉法人", "独立行政法人", "国立大学法人"),
    *("NPO法人", "特定非営利活動法人", "商事", "商会", "工業", "産業", "製作所", "銀行"),
    *("証券", "大学", "ホールディングス", "電機", "技研", "物産", "製薬", "建設", "不動産"),
    *("病院", "協会", "組合", "機構", "信用金庫", "生命保険", "損害保険"),
)
# Legal forms, which can stand as a word of their own: "株式会社 アクメ", "アクメ (株)".
_JAPANESE_FORMS: Final = frozenset(
    {"株式会社", "有限会社", "合同会社", "合資会社", "合名会社", "(株)", "(有)", "(同)", "㈱", "㈲"}
)
_LEGAL_SUFFIXES_ANY_CASE: Final = frozenset(
    {"inc", "corp", "corporation", "llc", "l.l.c", "ltd", "gmbh", "plc", "pte", "k.k", "s.a"}
)
_LEGAL_SUFFIXES_EXACT_CASE: Final = frozenset({"Limited", "LIMITED", "AG", "Co.", "CO.", "KK"})
# As the last word of a name, these make it a company's: "Acme Labs", "Globex Holdings".
_ORGANIZATION_ENDINGS: Final = frozenset(
    {
        *("company", "group", "holdings", "labs", "laboratories", "systems", "solutions"),
        *("technologies", "partners", "ventures", "capital", "bank", "university", "institute"),
        *("foundation", "consulting", "networks", "industries", "enterprises", "associates"),
        *("agency", "studios", "pharmaceuticals", "pharma", "motors", "electronics"),
    }
)


_JAPANESE_MARKER: Final = re.compile("|".join(map(re.escape, _JAPANESE_MARKERS)))


def has_japanese_marker(text: str) -> bool:
    """Tell whether text names a Japanese organization: "株式会社", "㈱", "商事", "大学" ..."""
    return not text.isascii() and _JAPANESE_MARKER.search(text) is not None


def is_japanese_form(word: str) -> bool:
    """Tell whether a word is a legal form on its own: the "株式会社" of "株式会社 アクメ"."""
    return word in _JAPANESE_FORMS


@lru_cache(maxsize=4096)
def is_legal_suffix(word: str) -> bool:
    """Tell whether a word is a legal suffix such as "Inc.", "Ltd" or "KK"."""
    word = word.rstrip(",")
    return (
        word in _LEGAL_SUFFIXES_EXACT_CASE or word.rstrip(".").lower() in _LEGAL_SUFFIXES_ANY_CASE
    )


def is_organization_ending(word: str) -> bool:
    """Tell whether a last word makes a name a company's ("Labs", "Holdings")."""
    return word.rstrip(".,").lower() in _ORGANIZATION_ENDINGS


def is_company(words: Sequence[str]) -> bool:
    """Tell whether these words name a company: a marker, a legal suffix or a company ending."""
    if not words:
        return False
    if any(map(has_japanese_marker, words)) or any(map(is_legal_suffix, words)):
        return True
    return is_organization_ending(words[-1])
