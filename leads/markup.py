"""Slack markup in command text, which parsing must keep whole and as typed."""

from __future__ import annotations

import re
from typing import Final

# Slack markup such as <!channel>, <@U123>, <#C1|sales> and the escapes &amp; &lt; &gt;.
# Every pattern that reads typed text matches it first, as group "token", so that nothing
# is ever found, split or removed inside it.
TOKEN: Final = r"(?P<token><[^<>]*>|&(?:amp|lt|gt);)"
MASK: Final = "\0"  # clean_text drops NUL, so it never stands for anything a person typed

_MARKUP: Final = re.compile(TOKEN)


def mask_markup(text: str) -> str:
    """Return text of the same length with every piece of Slack markup replaced by MASK."""
    if "<" not in text and "&" not in text:  # what every piece of markup starts with
        return text
    return _MARKUP.sub(lambda token: MASK * len(token[0]), text)
