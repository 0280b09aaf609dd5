"""Web intake: the JSON bodies of `POST /hooks/leads/{source}` and `/hooks/engagement/{source}`,
and the per-source secrets they are signed with (Standard Webhooks `whsec_…`)."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from leads.answers import INTEREST_UNKNOWN, read_interest
from leads.checks import FieldError
from leads.engagement import EngagementKind, engagement_kind
from leads.model import Interest, LeadDraft, Source
from leads.validation import (
    EMAIL_INVALID,
    Problem,
    clean_text,
    is_valid_email,
    normalize_draft,
    normalize_email,
    validate_draft,
)

NOT_AN_OBJECT: Final = Problem("json_object")
NOT_TEXT: Final = Problem("not_text")
NOT_TRUE_FALSE: Final = Problem("not_true_false")
EMAIL_REQUIRED: Final = Problem("email_required")
KIND_UNKNOWN: Final = Problem("engagement_kind_unknown")

# The key a problem with the body as a whole is reported under.
BODY: Final = "body"

SECRET_PREFIX: Final = "whsec_"
MIN_SECRET_BYTES: Final = 24
SOURCE_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_HOW_TO_MAKE_A_SECRET: Final = (
    "python3 -c \"import base64, os; print('whsec_' + base64.b64encode(os.urandom(32)).decode())\""
)


def webhook_secret_key(secret: str) -> bytes:
    """The HMAC key inside a `whsec_…` secret (the base64-decoded part); ValueError when the
    secret is malformed or shorter than 24 bytes. The secret never appears in the error."""
    encoded = secret.strip().removeprefix(SECRET_PREFIX)
    if not secret.strip().startswith(SECRET_PREFIX) or not encoded:
        raise ValueError(f"must be whsec_ and base64, made e.g. with {_HOW_TO_MAKE_A_SECRET}")
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("must be whsec_ followed by base64 (A-Z a-z 0-9 + / =)") from None
    if len(key) < MIN_SECRET_BYTES:
        raise ValueError(
            f"must hold at least {MIN_SECRET_BYTES} random bytes, has {len(key)};"
            f" make one with {_HOW_TO_MAKE_A_SECRET}"
        )
    return key


@dataclass(frozen=True)
class IntakeSource:
    """One web source allowed to post leads and engagement, with the secret it signs with."""

    secret: str = ""

    def __post_init__(self) -> None:
        try:
            webhook_secret_key(self.secret)
        except ValueError as error:
            raise FieldError("secret", str(error)) from None

    @property
    def key(self) -> bytes:
        """The HMAC-SHA256 key that signs this source's requests."""
        return webhook_secret_key(self.secret)


@dataclass(frozen=True)
class IntakeSettings:
    """Web sources by the name in their URL (rules-file key `intake`); none by default."""

    sources: dict[str, IntakeSource] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in self.sources:
            if not SOURCE_NAME.fullmatch(name):
                raise FieldError(
                    "sources",
                    f"source name {name!r} must be letters, digits, '-', '_' or '.'"
                    " (it is part of the URL), at most 64 characters",
                )

    def source(self, name: str) -> IntakeSource | None:
        """The source of `/hooks/…/{name}`, or None when the rules file has no such source."""
        return self.sources.get(name)


def _text(body: Mapping[str, object], name: str, errors: dict[str, Problem]) -> str:
    value = body.get(name)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    errors[name] = NOT_TEXT
    return ""


def _interest(body: Mapping[str, object], errors: dict[str, Problem]) -> Interest | None:
    text = _text(body, "interest", errors)
    try:
        return read_interest(text)
    except ValueError:
        errors["interest"] = INTEREST_UNKNOWN
        return None


def _consent(body: Mapping[str, object], errors: dict[str, Problem]) -> bool:
    value = body.get("consent")
    if value is None or isinstance(value, bool):
        return bool(value)
    errors["consent"] = NOT_TRUE_FALSE
    return False


def lead_from_json(body: object, *, source: Source = Source.WEB) -> LeadDraft | dict[str, Problem]:
    """A normalized, valid draft from a web form's JSON, or each bad field's problem.

    Text fields must be strings (or null), `consent` true or false, `interest` hot, warm or
    cold; then capture's own normalization and validation apply. Unknown fields are ignored.
    """
    if not isinstance(body, dict):
        return {BODY: NOT_AN_OBJECT}
    errors: dict[str, Problem] = {}
    draft = LeadDraft(
        name=_text(body, "name", errors),
        company=_text(body, "company", errors),
        email=_text(body, "email", errors),
        phone=_text(body, "phone", errors),
        title=_text(body, "title", errors),
        source=source,
        event=_text(body, "event", errors),
        interest=_interest(body, errors),
        consent=_consent(body, errors),
        notes=_text(body, "notes", errors),
    )
    draft = normalize_draft(draft)
    for name, problem in validate_draft(draft).items():
        errors.setdefault(name, problem)
    return errors or draft


def engagement_from_json(body: object) -> tuple[str, EngagementKind] | dict[str, Problem]:
    """The normalized email and the kind of an engagement event's JSON, or what is wrong."""
    if not isinstance(body, dict):
        return {BODY: NOT_AN_OBJECT}
    errors: dict[str, Problem] = {}
    email = normalize_email(clean_text(_text(body, "email", errors)))
    if "email" not in errors and not email:
        errors["email"] = EMAIL_REQUIRED
    elif email and not is_valid_email(email):
        errors["email"] = EMAIL_INVALID
    kind = engagement_kind(_text(body, "kind", errors))
    if kind is None:
        errors.setdefault("kind", KIND_UNKNOWN)
    if errors or kind is None:
        return errors
    return email, kind
