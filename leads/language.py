"""The languages leadbot speaks, and which one a Slack locale asks for."""

from __future__ import annotations

from typing import Final, Literal, TypeAlias, get_args

Language: TypeAlias = Literal["en", "ja"]
LANGUAGES: Final[tuple[Language, ...]] = get_args(Language)


def language_of_locale(locale: str) -> Language | None:
    """`ja-JP` -> "ja", `en-US` -> "en"; None for a locale leadbot does not speak."""
    prefix = locale.strip().replace("_", "-").split("-")[0].lower()
    for language in LANGUAGES:
        if prefix == language:
            return language
    return None
