"""How much a piece of text looks like a person's name, in English or Japanese."""

from __future__ import annotations

from functools import lru_cache
from typing import Final

_HONORIFICS: Final = frozenset({"dr", "mr", "mrs", "ms", "mx", "prof", "sir"})
_NAME_PUNCTUATION: Final = str.maketrans(dict.fromkeys(".'-\u2019"))
_JAPANESE_NAME_DOTS: Final = str.maketrans(dict.fromkeys(" \u30fb"))
_NAME_LENGTHS: Final = range(3, 7)  # "山田太郎"; two kanji ("日立") could as well be a company

NOT_A_NAME: Final = 0
WEAK: Final = 1  # one word: "Initech" could be either
LIKELY: Final = 2
STRONG: Final = 3  # "Jane Doe", "Dr. Sarah O'Neil", "山田太郎"


def is_honorific(word: str) -> bool:
    """Tell whether a word is an honorific such as "Dr." or "Ms"."""
    return word.rstrip(".").lower() in _HONORIFICS


@lru_cache(maxsize=2048)
def name_score(text: str) -> int:
    """Rate how much text looks like a person's name, from NOT_A_NAME to STRONG."""
    words = text.split()
    if not words or not all(map(_is_name_word, words)):
        return NOT_A_NAME
    if not text.isascii() and any(map(is_japanese, text)):
        return _japanese_name_score(text)
    return _western_name_score(words)


def is_japanese(char: str) -> bool:
    """Tell whether a character is kana or kanji."""
    return "\u3040" <= char <= "\u30ff" or "\u3400" <= char <= "\u9fff" or char == "\u3005"


@lru_cache(maxsize=4096)
def _is_name_word(word: str) -> bool:
    return word.translate(_NAME_PUNCTUATION).replace("\u30fb", "").isalpha()


def _western_name_score(words: list[str]) -> int:
    honorifics = sum(map(is_honorific, words))
    names = len(words) - honorifics
    if names == 2 or (honorifics and names in (1, 3)):
        return STRONG
    if names == 3:
        return LIKELY
    return WEAK if names in (0, 1, 4) else NOT_A_NAME


def _japanese_name_score(text: str) -> int:
    parts = text.split()
    letters = text.translate(_JAPANESE_NAME_DOTS)
    if len(parts) > 2:
        return NOT_A_NAME
    if _is_kanji_name(letters) and (len(parts) == 2 or len(letters) in _NAME_LENGTHS):
        return STRONG
    if all(map(is_japanese, letters)) and (len(parts) == 2 or "\u30fb" in text):
        return LIKELY
    return WEAK  # two kanji ("日立"), one katakana word ("アクメ"), or mixed scripts


def _is_kanji_name(letters: str) -> bool:
    """Kanji, perhaps with a hiragana given name: "山田太郎", "山田さくら"."""
    return (
        bool(letters)
        and _is_kanji(letters[0])
        and all(_is_kanji(c) or "\u3040" <= c <= "\u309f" for c in letters)
    )


def _is_kanji(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or char == "\u3005"
