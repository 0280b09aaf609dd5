"""Quick capture: turn one free-text line typed at a booth into a lead draft."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Final, TypeAlias

from leads.model import Interest, LeadDraft
from leads.validation import clean_text, is_valid_phone, normalize_email, normalize_phone

_ValueOf: TypeAlias = Callable[[re.Match[str]], str]

# Cut-out emails, phones and interest words leave this behind: it splits segments.
_GAP: Final = "\n"

# Slack markup such as <!channel>, <@U123>, <#C1|sales> and the escapes &amp; &lt; &gt;.
# Every pattern below matches it first, as group "token", so that nothing is ever found,
# split or removed inside it.
_TOKEN: Final = r"(?P<token><[^<>]*>|&(?:amp|lt|gt);)"

_KEEP_FULL_WIDTH: Final = "\uff1c\uff1e\uff06"  # < > & stay full-width: never forge markup
_FOLD: Final = str.maketrans(
    {
        **{chr(cp): chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)},
        **{char: char for char in _KEEP_FULL_WIDTH},
        **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff"),
        "\u3000": " ",
        "\t": " ",
    }
)

_SLACK_MAILTO: Final = re.compile(r"<mailto:(?P<address>[^<>|]*)(?:\|[^<>]*)?>", re.IGNORECASE)
_SLACK_TEL: Final = re.compile(r"<tel:(?P<number>[^<>|]*)(?:\|(?P<label>[^<>]*))?>", re.IGNORECASE)
_ANGLE_EMAIL: Final = re.compile(r"<(?P<address>[^<>|\s@!#][^<>|\s@]*@[^<>|\s@]+)>")

_LOCAL_CHAR: Final = r"[A-Za-z0-9._%+'!#$*=?^`{}~-]"
_EMAIL: Final = re.compile(
    _TOKEN + r"|(?:(?<!\w)(?:e-?mail|mailto|mail|メール)\s*:?\s*)?"
    # The domain may be empty or hold another "@": "bob@" or "bob@@x" is a mistyped email
    # that validation reports, never a name.
    rf"(?<!{_LOCAL_CHAR})(?P<email>{_LOCAL_CHAR}+@[\w.@-]*)",
    re.IGNORECASE,
)

_DASHES: Final = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff70"
_PHONE_SEPARATOR: Final = rf"[ \u00a0().\-{_DASHES}]"
_PHONE: Final = re.compile(
    _TOKEN + rf"|(?<![\w+.\-{_DASHES})])(?P<label>(?:tel|phone|mobile|cell|電話|携帯)\s*[:.]?\s*)?"
    rf"(?P<phone>\+?\(?[0-9](?:{_PHONE_SEPARATOR}{{0,3}}[0-9])++"
    r"(?:\s*(?:ext\.?|extension|x|内線)\s*[0-9]{1,6})?)(?!\w)",
    re.IGNORECASE,
)
_DATE: Final = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}([-./])[0-9]{1,2}\1[0-9]{1,2}(?![0-9])")

_INTEREST_WORDS: Final = {
    "hot": Interest.HOT,
    "warm": Interest.WARM,
    "cold": Interest.COLD,
    "ホット": Interest.HOT,
    "ウォーム": Interest.WARM,
    "コールド": Interest.COLD,
    "熱い": Interest.HOT,
    "温かい": Interest.WARM,
    "暖かい": Interest.WARM,
    "冷たい": Interest.COLD,
}
_INTEREST: Final = re.compile(
    _TOKEN + r"|(?<!\w)(?P<label>(?:interest|興味)\s*[:=]\s*)?"
    rf"(?P<word>{'|'.join(_INTEREST_WORDS)})(?!\w)[!?.]*",
    re.IGNORECASE,
)

_SEPARATOR: Final = re.compile(_TOKEN + r"|[,、;|\n]|(?<!\S)[-\u2013\u2014/]+(?!\S)")
_SPACES: Final = re.compile(r"\s+")
_LEADING_JUNK: Final = " :/-\u2013\u2014)]}"
_TRAILING_JUNK: Final = " :/-\u2013\u2014([{"

_JAPANESE_MARKERS: Final = ("株式会社", "有限会社", "合同会社", "(株)", "㈱", "(有)", "㈲")
_SUFFIXES_ANY_CASE: Final = frozenset(
    {"inc", "corp", "corporation", "llc", "l.l.c", "ltd", "gmbh", "plc", "pte", "k.k", "s.a"}
)
_SUFFIXES_EXACT_CASE: Final = frozenset({"Limited", "LIMITED", "AG", "Co.", "CO.", "KK"})
_HONORIFICS: Final = frozenset({"dr", "mr", "mrs", "ms", "mx", "prof", "sir"})
_NAME_WORDS: Final = 2


def parse_quick_capture(text: str) -> LeadDraft:
    """Split one line such as "Jane Doe, Acme Inc, jane@acme.com, hot" into a lead draft."""
    line = _prepare(text)
    emails, line = _extract(_EMAIL, line, _email_value)
    phones, line = _extract(_PHONE, line, _phone_value)
    interest, line = _extract_interest(line)
    name, company, notes = _assign(_merge_suffixes(_split(line)))
    return LeadDraft(
        name=name,
        company=company,
        email=emails[0] if emails else "",
        phone=phones[0] if phones else "",
        interest=interest,
        notes="; ".join([*notes, *emails[1:], *phones[1:]]),
    )


def _prepare(text: str) -> str:
    line = clean_text(text).translate(_FOLD)
    line = _SLACK_MAILTO.sub(lambda m: f" {m['address']} ", line)
    line = _SLACK_TEL.sub(lambda m: f" {m['label'] or m['number']} ", line)
    return _ANGLE_EMAIL.sub(lambda m: f" {m['address']} ", line)


def _outside_tokens(pattern: re.Pattern[str], line: str) -> Iterator[re.Match[str]]:
    return (match for match in pattern.finditer(line) if match["token"] is None)


def _cut(line: str, match: re.Match[str]) -> str:
    return line[: match.start()] + _GAP + line[match.end() :]


def _extract(pattern: re.Pattern[str], line: str, value_of: _ValueOf) -> tuple[list[str], str]:
    """Cut out every acceptable match; return their values and the line without them."""
    values: list[str] = []
    for match in reversed(list(_outside_tokens(pattern, line))):
        value = value_of(match)
        if value:
            values.append(value)
            line = _cut(line, match)
    return values[::-1], line


def _email_value(match: re.Match[str]) -> str:
    return normalize_email(match["email"].strip("'").rstrip(".-"))


def _phone_value(match: re.Match[str]) -> str:
    phone = match["phone"]
    if phone.startswith("(") and phone.count("(") > phone.count(")"):
        phone = phone[1:]
    phone = normalize_phone(phone)
    if _DATE.search(phone):
        return ""
    if match["label"]:  # "tel: 12345" is a mistyped phone that validation reports
        return phone
    return phone if is_valid_phone(phone) else ""


def _extract_interest(line: str) -> tuple[Interest | None, str]:
    matches = list(_outside_tokens(_INTEREST, line))
    if not matches:
        return None, line
    chosen = next((match for match in matches if match["label"]), matches[-1])
    return _INTEREST_WORDS[chosen["word"].lower()], _cut(line, chosen)


def _split(line: str) -> list[str]:
    segments: list[str] = []
    start = 0
    for match in _outside_tokens(_SEPARATOR, line):
        segments.append(line[start : match.start()])
        start = match.end()
    segments.append(line[start:])
    return [tidy for tidy in map(_tidy, segments) if tidy]


def _tidy(segment: str) -> str:
    return _SPACES.sub(" ", segment).strip().lstrip(_LEADING_JUNK).rstrip(_TRAILING_JUNK)


def _is_suffix(word: str) -> bool:
    word = word.rstrip(",")
    return word in _SUFFIXES_EXACT_CASE or word.rstrip(".").lower() in _SUFFIXES_ANY_CASE


def _has_japanese_marker(text: str) -> bool:
    return any(marker in text for marker in _JAPANESE_MARKERS)


def _is_company(segment: str) -> bool:
    return _has_japanese_marker(segment) or any(map(_is_suffix, segment.split()))


def _merge_suffixes(segments: list[str]) -> list[str]:
    """Glue a lone "Inc." or "Ltd." back onto the segment before it ("Acme, Inc.")."""
    merged: list[str] = []
    for segment in segments:
        if merged and all(map(_is_suffix, segment.split())):
            merged[-1] = f"{merged[-1]}, {segment}"
        else:
            merged.append(segment)
    return merged


def _assign(segments: list[str]) -> tuple[str, str, list[str]]:
    """Pick the name, the company and the leftover notes among the segments."""
    name_at = next((i for i, s in enumerate(segments) if not _is_company(s)), None)
    company_at = next((i for i, s in enumerate(segments) if _is_company(s)), None)
    if name_at is None and company_at is not None:
        name, company, rest = _split_person(segments[company_at])
        others = [s for i, s in enumerate(segments) if i != company_at]
        return name, company, [rest, *others] if rest else others
    if company_at is None:
        company_at = next((i for i in range(len(segments)) if i != name_at), None)
    notes = [s for i, s in enumerate(segments) if i not in (name_at, company_at)]
    return _at(segments, name_at), _at(segments, company_at), notes


def _at(segments: list[str], index: int | None) -> str:
    return "" if index is None else segments[index]


def _split_person(segment: str) -> tuple[str, str, str]:
    """Split "Jane Doe Acme Corp" or "山田太郎 株式会社アクメ" into name, company and rest."""
    words = segment.split()
    start, end = _company_words(words)
    return " ".join(words[:start]), " ".join(words[start:end]), " ".join(words[end:])


def _company_words(words: list[str]) -> tuple[int, int]:
    """Return the [start, end) range of the words that make up the company."""
    for i, word in enumerate(words):
        if _is_suffix(word):
            end = i + 1
            while end < len(words) and _is_suffix(words[end]):
                end += 1
            return min(_name_length(words), max(i - 1, 0)), end
        if word in _JAPANESE_MARKERS:
            return (i, i + 2) if i + 1 < len(words) else (max(i - 1, 0), i + 1)
        if _has_japanese_marker(word):
            return i, i + 1
    return 0, len(words)


def _name_length(words: list[str]) -> int:
    """Assume a name without separators is up to two words after any honorifics."""
    honorifics = 0
    while honorifics < len(words) and words[honorifics].rstrip(".").lower() in _HONORIFICS:
        honorifics += 1
    return honorifics + _NAME_WORDS


_SLACK_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def unescape_slack(draft: LeadDraft) -> LeadDraft:
    """Undo Slack's &amp;/&lt;/&gt; escaping of command text, so we store what was typed."""
    return replace(
        draft,
        name=_unescape(draft.name),
        company=_unescape(draft.company),
        email=_unescape(draft.email),
        phone=_unescape(draft.phone),
        title=_unescape(draft.title),
        event=_unescape(draft.event),
        product=_unescape(draft.product),
        notes=_unescape(draft.notes),
    )


def _unescape(text: str) -> str:
    for entity, char in _SLACK_ENTITIES:
        text = text.replace(entity, char)
    return text
