"""When two captures are the same person: the same email, or the same phone and no other name."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

# ITU country calling codes are prefix-free: these one- and two-digit codes, else three digits.
_ONE_DIGIT_CODES: Final = frozenset({"1", "7"})
_TWO_DIGIT_CODES: Final = frozenset(
    [
        "20",
        "27",
        "30",
        "31",
        "32",
        "33",
        "34",
        "36",
        "39",
        "40",
        "41",
        "43",
        "44",
        "45",
        "46",
        "47",
        "48",
        "49",
        "51",
        "52",
        "53",
        "54",
        "55",
        "56",
        "57",
        "58",
        "60",
        "61",
        "62",
        "63",
        "64",
        "65",
        "66",
        "81",
        "82",
        "84",
        "86",
        "90",
        "91",
        "92",
        "93",
        "94",
        "95",
        "98",
    ]
)
_EXTENSION: Final = re.compile(r"(?:ext\.?|extension|x|内線|#).*$", re.IGNORECASE)
_MIN_KEY_DIGITS: Final = 6
_NAME_NOISE: Final = re.compile(r"[\s\u3000.,・･、。'\"()（）-]+")
_HONORIFICS: Final = ("様", "さま", "さん", "殿")


@lru_cache(maxsize=8192)
def phone_key(phone: str) -> str:
    """The digits that identify a phone however it is written; empty when too short to trust.

    Spaces, dashes, brackets, an extension and a leading country code (or trunk 0) are
    ignored, so `+81 90-1234-5678`, `090 1234 5678` and `(090)1234-5678` share one key.
    """
    text = _EXTENSION.sub("", unicodedata.normalize("NFKC", phone)).strip()
    digits = "".join(char for char in text if char.isdigit())
    if text.startswith("+"):
        digits = _without_country_code(digits)
    elif digits.startswith("00"):
        digits = _without_country_code(digits[2:])
    digits = digits.removeprefix("0")
    return digits if len(digits) >= _MIN_KEY_DIGITS else ""


def _without_country_code(digits: str) -> str:
    if digits[:1] in _ONE_DIGIT_CODES:
        return digits[1:]
    if digits[:2] in _TWO_DIGIT_CODES:
        return digits[2:]
    return digits[3:]


def name_key(name: str) -> str:
    """A name folded for comparison: width, case, spaces, punctuation and honorifics ignored."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    for honorific in _HONORIFICS:
        folded = folded.removesuffix(honorific)
    return _NAME_NOISE.sub("", folded)


def names_agree(first: str, second: str) -> bool:
    """False only when both names are given and differ; a shared office phone is not a person."""
    first_key, second_key = name_key(first), name_key(second)
    if not first_key or not second_key:
        return True
    return first_key == second_key or sorted(first.split()) == sorted(second.split())
