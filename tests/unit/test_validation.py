"""Validation: normalizing emails, phones and text, and the per-field error messages."""

from __future__ import annotations

from dataclasses import fields, replace

import pytest

from blocks.messages import field_errors
from leads.model import Interest, LeadDraft
from leads.validation import (
    LIMITS,
    clean_text,
    is_valid_email,
    is_valid_phone,
    normalize_draft,
    normalize_email,
    normalize_phone,
    validate_draft,
)

EMAIL_MESSAGE = "Enter an email like name@company.com"
PHONE_CHARACTERS_MESSAGE = (
    "Use only digits, spaces and + - . ( ), with an optional extension like x123"
)
PHONE_DIGITS_MESSAGE = "Enter a phone number with 6 to 15 digits"
NAME_OR_EMAIL_MESSAGE = "Give at least a name or an email"


def full_width(text: str) -> str:
    return text.translate({code: code + 0xFEE0 for code in range(0x21, 0x7F)})


VALID = LeadDraft(name="Jane Doe", email="jane@example.com")


def test_limits_cover_only_text_fields_of_a_draft() -> None:
    text_fields = {f.name for f in fields(LeadDraft) if isinstance(getattr(VALID, f.name), str)}
    assert set(LIMITS) <= text_fields
    assert dict(LIMITS) == {
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


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("jane@example.com", "jane@example.com"),
        ("  Jane.Doe+Expo@Example.COM \n", "jane.doe+expo@example.com"),
        ("\u3000taro@acme.co.jp\u3000", "taro@acme.co.jp"),
        ("\u200bjane@example.com\ufeff", "jane@example.com"),
        (full_width("Taro@Acme.co.jp"), "taro@acme.co.jp"),
        ("j.a.n.e+tag@example.com", "j.a.n.e+tag@example.com"),
        ("", ""),
    ],
)
def test_normalize_email(raw: str, expected: str) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    ("email", "valid"),
    [
        ("jane@example.com", True),
        ("jane.doe+expo@mail.example.co.jp", True),
        ("o'neil@globex.com", True),
        ("taro@例え.テスト", True),
        ("user@xn--p1ai.xn--p1ai", True),
        ("a@b-c.io", True),
        ("", False),
        ("jane", False),
        ("jane@", False),
        ("@example.com", False),
        ("jane@example", False),
        ("jane@example.c", False),
        ("jane@@example.com", False),
        ("jane@ex@ample.com", False),
        ("jane doe@example.com", False),
        ("jane@exa mple.com", False),
        ("jane..doe@example.com", False),
        ("jane@example..com", False),
        (".jane@example.com", False),
        ("jane.@example.com", False),
        ("jane@-example.com", False),
        ("jane@example-.com", False),
        ("jane@exa_mple.com", False),
        ("jane@example.123", False),
        ("<jane@example.com>", False),
        ("a" * 64 + "@" + ".".join(["b" * 61] * 3) + ".com", True),  # 254 characters
        ("a" * 64 + "@" + ".".join(["b" * 62] + ["b" * 61] * 2) + ".com", False),
        ("jane@" + "b" * 64 + ".com", False),  # a DNS label holds at most 63 characters
    ],
)
def test_is_valid_email(email: str, valid: bool) -> None:
    assert is_valid_email(email) is valid


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("090-1234-5678", "090-1234-5678"),
        ("  +81 90-1234-5678 ", "+81 90-1234-5678"),
        (full_width("090-1234-5678"), "090-1234-5678"),
        ("090ー1234ー5678", "090-1234-5678"),
        ("090ｰ1234ｰ5678", "090-1234-5678"),
        (full_width("+81") + "\u3000" + full_width("(3) 1234-5678"), "+81 (3) 1234-5678"),
        ("555\u2212010\u20139999", "555-010-9999"),
    ],
)
def test_normalize_phone(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    ("phone", "valid"),
    [
        ("090-1234-5678", True),
        ("+81 90-1234-5678", True),
        ("+1 (555) 010-9999", True),
        ("555.010.9999", True),
        ("03-1234-5678 x123", True),
        ("03-1234-5678 ext. 123", True),
        ("03-1234-5678 EXT 123", True),
        ("123456", True),
        ("123456789012345", True),
        ("12345", False),
        ("1234567890123456", False),
        ("090-1234-5678+", False),
        ("1+23456789", False),
        ("090/1234/5678", False),
        ("call 090-1234-5678", False),
        ("090-1234-5678 ext", False),
        (full_width("09012345678"), False),
        ("", False),
    ],
)
def test_is_valid_phone(phone: str, valid: bool) -> None:
    assert is_valid_phone(phone) is valid


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Jane  Doe  ", "Jane  Doe"),
        ("line one\nline two\tend", "line one\nline two\tend"),
        ("a\x00b\x07c\x1bd\x7fe", "abcde"),
        ("windows\r\nline", "windows\nline"),
        ("\x00 padded \x00", "padded"),
        ("\u3000山田\u3000", "山田"),
        ("<!channel>", "<!channel>"),
    ],
)
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_normalize_draft_cleans_every_text_field_and_keeps_the_rest() -> None:
    messy = LeadDraft(
        name=" Jane\x00 ",
        company=" Acme\x07 ",
        email=" Jane@Example.COM ",
        phone=f" {full_width('090-1234-5678')} ",
        title=" CTO ",
        industry=" Retail ",
        event=" Expo ",
        product=" Widgets ",
        notes=" first\nsecond\x1b ",
        interest=Interest.HOT,
        consent=True,
    )
    assert normalize_draft(messy) == LeadDraft(
        name="Jane",
        company="Acme",
        email="jane@example.com",
        phone="090-1234-5678",
        title="CTO",
        industry="Retail",
        event="Expo",
        product="Widgets",
        notes="first\nsecond",
        interest=Interest.HOT,
        consent=True,
    )
    assert messy.name == " Jane\x00 "


@pytest.mark.parametrize(
    ("draft", "errors"),
    [
        (VALID, {}),
        (LeadDraft(name="Jane"), {}),
        (LeadDraft(email="jane@example.com"), {}),
        (LeadDraft(), {"name": NAME_OR_EMAIL_MESSAGE}),
        (LeadDraft(company="Acme"), {"name": NAME_OR_EMAIL_MESSAGE}),
        (replace(VALID, email="jane@example"), {"email": EMAIL_MESSAGE}),
        (replace(VALID, phone="090-1234-5678"), {}),
        (replace(VALID, phone="call me"), {"phone": PHONE_CHARACTERS_MESSAGE}),
        (replace(VALID, phone="12-34"), {"phone": PHONE_DIGITS_MESSAGE}),
        (
            LeadDraft(email="nope", phone="nope"),
            {"email": EMAIL_MESSAGE, "phone": PHONE_CHARACTERS_MESSAGE},
        ),
        (
            replace(VALID, name="x" * 201),
            {"name": "Keep this under 200 characters (it has 201)"},
        ),
        (
            replace(VALID, email="a" * 250 + "@x.com"),
            {"email": "Keep this under 254 characters (it has 256)"},
        ),
        (
            replace(VALID, phone="1" * 41),
            {"phone": "Keep this under 40 characters (it has 41)"},
        ),
        (
            replace(VALID, notes="n" * 3001, event="e" * 151),
            {
                "notes": "Keep this under 3000 characters (it has 3001)",
                "event": "Keep this under 150 characters (it has 151)",
            },
        ),
        (replace(VALID, notes="n" * 3000, title="t" * 150, industry="i" * 100), {}),
    ],
)
def test_validate_draft(draft: LeadDraft, errors: dict[str, str]) -> None:
    assert field_errors(validate_draft(draft), "en") == errors


@pytest.mark.parametrize(
    "hostile",
    ["<!channel> @here", "<script>alert(1)</script>", "*bold* _it_ `code`", "x" * 500],
)
def test_messages_never_echo_what_was_typed(hostile: str) -> None:
    errors = validate_draft(LeadDraft(name=hostile, email=hostile, phone=hostile))
    assert set(errors) >= {"email", "phone"}
    for language in ("en", "ja"):
        messages = field_errors(errors, language).values()
        assert all(hostile not in message for message in messages)
