"""Quick capture: turn a line typed at a booth, or a pasted business card, into a lead draft."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Final, TypeAlias

from leads.markup import TOKEN
from leads.model import Interest, LeadDraft
from leads.segments import read_fields
from leads.validation import clean_text, is_valid_phone, normalize_email, normalize_phone

_ValueOf: TypeAlias = Callable[[re.Match[str]], str]

# Cut-out emails, phones and interest words leave this behind: it splits segments.
_GAP: Final = "\n"

# Every pattern below matches Slack markup first, as group "token", so that nothing is
# ever found, split or removed inside it.
_TOKEN: Final = TOKEN

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

_SLACK_MAILTO: Final = re.compile(
    r"<mailto:(?P<address>[^<>|]*)(?:\|(?P<label>[^<>]*))?>", re.IGNORECASE
)
_SLACK_TEL: Final = re.compile(r"<tel:(?P<number>[^<>|]*)(?:\|(?P<label>[^<>]*))?>", re.IGNORECASE)
_ANGLE_EMAIL: Final = re.compile(r"<(?P<address>[^<>|\s@!#][^<>|\s@]*@[^<>|\s@]+)>")

# An email candidate is the whole run of characters around an "@" up to a separator, so
# that a token that is not a valid address is reported, never cut down to one that looks
# valid ("a&b@x.com" is not "b@x.com"). Slack's entities (&amp; &lt; &gt;) are part of the
# run. Japanese text needs no spaces, so kana and kanji end a local part; they may be a
# domain's labels ("taro@例え.テスト").
_SEPARATORS: Final = r"\s,;:()<>\[\]\u3001\u3002\u300c-\u300f"
_CJK: Final = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_ENTITY: Final = r"&(?:amp|lt|gt);"
_LOCAL_UNIT: Final = rf"(?:{_ENTITY}|[^@&{_SEPARATORS}{_CJK}]|&(?!(?:amp|lt|gt);))"
_DOMAIN_UNIT: Final = rf"(?:{_ENTITY}|[^&{_SEPARATORS}]|&(?!(?:amp|lt|gt);))"
# A candidate starts after a separator, never inside a run or right after an entity.
_TOKEN_START: Final = rf"(?<![^{_SEPARATORS}{_CJK}])(?<!&amp;)(?<!&lt;)(?<!&gt;)"
# A quick look ahead for the "@" that a local part leads to, so that the regex engine does
# not walk every word to its end and back; only entities put a ";" in a local part.
_REACHES_AT: Final = rf"(?=[^@{_SEPARATORS.replace(';', '')}{_CJK}]+@)"
_EMAIL: Final = re.compile(
    # Tried before markup, so that a token starting with an entity ("&amp;x@y.com", a
    # typed "&x@y.com") is one candidate; markup ("<@U1>") never starts one.
    r"(?:(?<!\w)(?:e-?mail|mailto|mail|メール|e(?=\s*:))\s*:?\s*)?"
    # The domain may be empty or hold another "@": "bob@" or "bob@@x" is a mistyped email
    # that validation reports, never a name.
    rf"{_TOKEN_START}{_REACHES_AT}(?P<email>{_LOCAL_UNIT}+@{_DOMAIN_UNIT}*)|" + _TOKEN,
    re.IGNORECASE,
)
_SENTENCE_END: Final = ".!?"
_WRAPPERS: Final = (("&lt;", "&gt;"), ("'", "'"), ("`", "`"))

_DASHES: Final = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff70"
_PHONE_SEPARATOR: Final = rf"[ \u00a0().\-{_DASHES}]"


def _led_by(first_characters: str, pattern: str) -> str:
    """The pattern, led by a look at the only characters that its matches can start with.

    A cheap test that spares the regex engine the whole pattern at every other position.
    """
    return f"(?=[{first_characters}])(?:{pattern})"


_PHONE: Final = re.compile(
    # A postal code ("〒100-0001") is never a phone; "T:" and "M:" label one on a card; a
    # phone may follow a bracket, as in "山田太郎(アクメ)090-1234-5678", but not "(03)".
    _led_by(
        "<&tpmc電携+(0-9",
        _TOKEN + rf"|(?<![\w+.\-{_DASHES}〒])(?<![0-9]\))(?<!〒 )"
        r"(?P<label>(?:tel|phone|mobile|mob|cell|電話|携帯|[tm](?=\s*:))\s*[:.]?\s*)?"
        rf"(?P<phone>\+?\(?[0-9](?:{_PHONE_SEPARATOR}{{0,3}}[0-9])++"
        r"(?:[ \u00a0]*(?:ext\.?|extension|x|内線)[ \u00a0]*[0-9]{1,6})?)(?!\w)",
    ),
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
    _led_by(
        "<&i興" + "".join(word[0] for word in _INTEREST_WORDS),
        _TOKEN + r"|(?<!\w)(?P<label>(?:interest|興味)\s*[:=]\s*)?"
        rf"(?P<word>{'|'.join(_INTEREST_WORDS)})(?!\w)[!?.]*",
    ),
    re.IGNORECASE,
)

_FAX: Final = re.compile(
    _led_by(
        "<&fフ",
        _TOKEN + r"|(?<!\w)(?P<fax>(?:fax|ファックス|ファクス|f(?=\s*:))\s*[:.]?\s*"
        rf"\+?\(?[0-9](?:{_PHONE_SEPARATOR}{{0,3}}[0-9])++)(?!\w)",
    ),
    re.IGNORECASE,
)
_ASCII_DIGIT: Final = re.compile(r"[0-9]")
_SPACES: Final = re.compile(r"\s+")


def parse_quick_capture(text: str) -> LeadDraft:
    """Read "Jane Doe, CTO, Acme Inc, jane@acme.com, hot", or a pasted card, into a draft."""
    line = _prepare(text)
    is_card = "\n" in line
    emails, line = _extract(_EMAIL, line, _email_value) if "@" in line else ([], line)
    if _ASCII_DIGIT.search(line):  # every fax and phone has one
        faxes, line = _extract(_FAX, line, _fax_value)
        phones, line = _extract(_PHONE, line, _phone_value)
    else:
        faxes, phones = [], []
    interest, line = _extract_interest(line)
    fields = read_fields(line, card=is_card, email=emails[0] if emails else "")
    return LeadDraft(
        name=fields.name,
        company=fields.company,
        email=emails[0] if emails else "",
        phone=phones[0] if phones else "",
        title=fields.title,
        interest=interest,
        notes="; ".join([*fields.notes, *emails[1:], *phones[1:], *faxes]),
    )


def _prepare(text: str) -> str:
    line = clean_text(text).translate(_FOLD)
    if "<" not in line:  # no links and no bracketed addresses
        return line
    line = _SLACK_MAILTO.sub(_unwrap_mailto, line)
    line = _SLACK_TEL.sub(_unwrap_tel, line)
    return _ANGLE_EMAIL.sub(lambda m: f" {m['address']} ", line)


def _unwrap_mailto(link: re.Match[str]) -> str:
    """Keep the address, and the link's label too when it says something else."""
    label = link["label"] or ""
    return f" {link['address']} {'' if label == link['address'] else label} "


def _unwrap_tel(link: re.Match[str]) -> str:
    """Keep the label as shown, and the number too when its digits differ."""
    label = link["label"]
    if not label or _digits(label) == _digits(link["number"]):
        return f" {label or link['number']} "
    return f" {label} {link['number']} "


def _digits(text: str) -> str:
    return "".join(filter(str.isdigit, text))


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
    """The candidate as typed, without sentence punctuation after it or quotes around it."""
    email = match["email"].rstrip(_SENTENCE_END)
    for opening, closing in _WRAPPERS:
        if email.startswith(opening) and email.endswith(closing) and len(email) > len(opening):
            email = email.removeprefix(opening).removesuffix(closing)
    return normalize_email(email)


def _fax_value(match: re.Match[str]) -> str:
    return _SPACES.sub(" ", match["fax"])


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


_SLACK_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def unescape_slack(draft: LeadDraft) -> LeadDraft:
    """Undo Slack's &amp;/&lt;/&gt; escaping of command text, so we store what was typed."""
    if not any("&" in text for text in _escapable(draft)):
        return draft
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


def _escapable(draft: LeadDraft) -> tuple[str, ...]:
    return (
        *(draft.name, draft.company, draft.email, draft.phone),
        *(draft.title, draft.event, draft.product, draft.notes),
    )


def _unescape(text: str) -> str:
    for entity, char in _SLACK_ENTITIES:
        text = text.replace(entity, char)
    return text
