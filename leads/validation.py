"""Normalize and check what a person typed about a lead."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from types import MappingProxyType
from typing import Final

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

from leads.model import LeadDraft

LIMITS: Final[Mapping[str, int]] = MappingProxyType(
    {
        "name": 200,
        "company": 200,
        "email": 254,
        "phone": 40,
        "title": 150,
        "industry": 100,
        "event": 150,
        "product": 150,
        "notes": 3000,
    }
)


@dataclass(frozen=True)
class Problem:
    """What is wrong with a field, as a code with values for the message catalogue."""

    code: str
    params: Mapping[str, int] = field(default_factory=dict)


EMAIL_INVALID: Final = Problem("email_invalid")
PHONE_CHARACTERS: Final = Problem("phone_characters")
PHONE_DIGITS: Final = Problem("phone_digits")
NAME_OR_EMAIL: Final = Problem("name_or_email")

_ZERO_WIDTH: Final = "\u200b\u200c\u200d\u2060\ufeff"
_DASHES: Final = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff70"
_DROP_ZERO_WIDTH: Final = str.maketrans(dict.fromkeys(_ZERO_WIDTH))
_PHONE_FOLD: Final = str.maketrans({**dict.fromkeys(_ZERO_WIDTH), **dict.fromkeys(_DASHES, "-")})

# Hangul choseong and jungseong fillers, Hangul filler and its half-width form, braille blank.
_BLANK_FILLERS: Final = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_BLANK_KINDS: Final = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

_FULL_WIDTH_ASCII: Final = str.maketrans(
    {chr(cp): chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}
)
_MAX_EMAIL: Final = 254
# An address that is plainly valid, in a form email-validator accepts as it is: a dot-atom
# local part of common characters, lower-case LDH domain labels (none edged with a hyphen,
# none over 63 characters) and an alphabetic top-level domain. Anything else is left to
# email-validator.
_PLAIN_EMAIL: Final = re.compile(
    r"[A-Za-z0-9_+'-]+(?:\.[A-Za-z0-9_+'-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)
_SPECIAL_USE_DOMAINS: Final = tuple(SPECIAL_USE_DOMAIN_NAMES)

_PHONE_EXTENSION: Final = re.compile(r"\s*(?:ext\.?|extension|x|内線)\s*[0-9]{1,6}$", re.IGNORECASE)
_PHONE_NUMBER: Final = re.compile(r"\+?[0-9 ().\-]+")
_PHONE_DIGITS: Final = range(6, 16)


def normalize_email(raw: str) -> str:
    """Drop invisible characters and surrounding space, fold full-width ASCII, lowercase.

    Nothing else changes: no Unicode normalization, which would rewrite letters of some
    scripts that a domain may be written in.
    """
    return raw.translate(_DROP_ZERO_WIDTH).translate(_FULL_WIDTH_ASCII).strip().lower()


def is_valid_email(email: str) -> bool:
    """Tell whether an address is valid as RFC 5322 and IDNA say (every atext character in
    the local part, internationalized domains); deliverability is not checked."""
    if not email or len(email) > _MAX_EMAIL or len(email.rsplit(".", 1)[-1]) < 2:
        return False
    return _is_plainly_valid(email) or _passes_email_validator(email)


def _is_plainly_valid(email: str) -> bool:
    """Tell whether an address is valid at a glance; False means "ask email-validator"."""
    if len(email) > _MAX_EMAIL or _PLAIN_EMAIL.fullmatch(email) is None:
        return False
    domain = email.rpartition("@")[2]
    if "--" in domain:  # "ab--c" labels are reserved unless Punycode, which needs IDNA
        return False
    return not any(domain == name or domain.endswith(f".{name}") for name in _SPECIAL_USE_DOMAINS)


@lru_cache(maxsize=4096)
def _passes_email_validator(email: str) -> bool:
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def normalize_phone(raw: str) -> str:
    """Turn full-width digits and Japanese or typographic dashes into plain ASCII."""
    return unicodedata.normalize("NFKC", raw).translate(_PHONE_FOLD).strip()


def _phone_problem(phone: str) -> Problem | None:
    number = _PHONE_EXTENSION.sub("", phone)
    if _PHONE_NUMBER.fullmatch(number) is None:
        return PHONE_CHARACTERS
    if sum(map(str.isdigit, number)) not in _PHONE_DIGITS:
        return PHONE_DIGITS
    return None


def is_valid_phone(phone: str) -> bool:
    """Tell whether a phone uses only dialling characters and has 6 to 15 digits."""
    return _phone_problem(phone) is None


def clean_text(value: str) -> str:
    """Drop ASCII control characters other than newline and tab, strip blank and invisible
    characters from the ends; a text with nothing visible left is empty."""
    if not value:
        return value
    text = value if value.isprintable() else _CONTROL.sub("", value)
    start, end = 0, len(text)
    while start < end and _is_blank(text[start]):
        start += 1
    while end > start and _is_blank(text[end - 1]):
        end -= 1
    text = text[start:end]
    return "" if all(_is_blank(char) or _is_mark(char) for char in text) else text


def _is_blank(char: str) -> bool:
    """Whitespace, an invisible format character (zero-width space, joiner, BOM...) or a
    character drawn as a blank (Hangul fillers, the braille blank)."""
    return char.isspace() or char in _BLANK_FILLERS or unicodedata.category(char) in _BLANK_KINDS


def _is_mark(char: str) -> bool:
    return unicodedata.category(char)[0] == "M"


def normalize_draft(draft: LeadDraft) -> LeadDraft:
    """Return a copy with every text field cleaned and the email and phone normalized."""
    return replace(
        draft,
        name=clean_text(draft.name),
        company=clean_text(draft.company),
        email=normalize_email(clean_text(draft.email)),
        phone=normalize_phone(clean_text(draft.phone)),
        title=clean_text(draft.title),
        industry=clean_text(draft.industry),
        event=clean_text(draft.event),
        product=clean_text(draft.product),
        notes=clean_text(draft.notes),
    )


def too_long(limit: int, length: int) -> Problem:
    """A field longer than its limit."""
    return Problem("too_long", {"limit": limit, "length": length})


def _length_errors(draft: LeadDraft) -> dict[str, Problem]:
    errors: dict[str, Problem] = {}
    for name, limit in LIMITS.items():
        length = len(getattr(draft, name))
        if length > limit:
            errors[name] = too_long(limit, length)
    return errors


def validate_draft(draft: LeadDraft) -> dict[str, Problem]:
    """Map each invalid field of a normalized draft to what is wrong with it."""
    errors = _length_errors(draft)
    if draft.email and not is_valid_email(draft.email):
        errors.setdefault("email", EMAIL_INVALID)
    phone_problem = _phone_problem(draft.phone) if draft.phone else None
    if phone_problem:
        errors.setdefault("phone", phone_problem)
    if not draft.name and not draft.email:
        errors.setdefault("name", NAME_OR_EMAIL)
    return errors
