"""Normalize and check what a person typed about a lead."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Final

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

_CONTROL: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

_EMAIL_LOCAL: Final = r"(?!\.)[^\s@<>()\[\]\\,;:\"\x00-\x1f\x7f]+(?<!\.)"
_DOMAIN_LABEL: Final = r"[^\W_](?:(?:[^\W_]|-)*[^\W_])?"
_TOP_LEVEL_DOMAIN: Final = r"(?:[^\W\d_]{2,}|xn--[a-z0-9-]+)"
_EMAIL: Final = re.compile(
    rf"{_EMAIL_LOCAL}@(?:{_DOMAIN_LABEL}\.)+{_TOP_LEVEL_DOMAIN}", re.IGNORECASE
)
_MAX_EMAIL: Final = 254

_PHONE_EXTENSION: Final = re.compile(r"\s*(?:ext\.?|extension|x|内線)\s*[0-9]{1,6}$", re.IGNORECASE)
_PHONE_NUMBER: Final = re.compile(r"\+?[0-9 ().\-]+")
_PHONE_DIGITS: Final = range(6, 16)


def normalize_email(raw: str) -> str:
    """Fold full-width forms, drop invisible characters and surrounding space, lowercase."""
    folded = unicodedata.normalize("NFKC", raw).translate(_DROP_ZERO_WIDTH)
    return folded.strip().lower()


def is_valid_email(email: str) -> bool:
    """Tell whether an email looks deliverable: local@domain.tld, no spaces, no double dots."""
    if len(email) > _MAX_EMAIL or ".." in email:
        return False
    return _EMAIL.fullmatch(email) is not None


def normalize_phone(raw: str) -> str:
    """Turn full-width digits and Japanese or typographic dashes into plain ASCII."""
    return unicodedata.normalize("NFKC", raw).translate(_PHONE_FOLD).strip()


def _phone_problem(phone: str) -> Problem | None:
    number = _PHONE_EXTENSION.sub("", phone)
    if _PHONE_NUMBER.fullmatch(number) is None:
        return PHONE_CHARACTERS
    if sum(char.isdigit() for char in number) not in _PHONE_DIGITS:
        return PHONE_DIGITS
    return None


def is_valid_phone(phone: str) -> bool:
    """Tell whether a phone uses only dialling characters and has 6 to 15 digits."""
    return _phone_problem(phone) is None


def clean_text(value: str) -> str:
    """Strip the ends and drop ASCII control characters other than newline and tab."""
    return _CONTROL.sub("", value).strip()


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
