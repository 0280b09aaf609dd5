"""Same person or not (phone keys, names), and what a repeat capture adds to a profile."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leads.identity import names_agree, phone_key
from leads.merge import append_note, merge_profile, note_stamp
from leads.model import Interest, LeadDraft, Source

AT = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
STAMP = note_stamp(AT, "U0STAFF")


@pytest.mark.parametrize(
    ("phone", "key"),
    [
        ("090-1234-5678", "9012345678"),
        ("+81 90-1234-5678", "9012345678"),
        ("+81 (0)90 1234 5678", "9012345678"),
        ("0081 90 1234 5678", "9012345678"),
        ("(090) 1234-5678", "9012345678"),
        ("０９０−１２３４−５６７８", "9012345678"),
        ("090-1234-5678 ext. 12", "9012345678"),
        ("03-1234-5678 内線 200", "312345678"),
        ("+1 (555) 010-9999", "5550109999"),
        ("555.010.9999", "5550109999"),
        ("+44 20 7946 0958", "2079460958"),
        ("+852 2123 4567", "21234567"),
        ("12-34", ""),
        ("", ""),
        ("call me", ""),
    ],
)
def test_phone_key_ignores_formatting_and_country_code(phone: str, key: str) -> None:
    assert phone_key(phone) == key


@given(st.text())
def test_phone_key_is_digits_or_nothing(phone: str) -> None:
    key = phone_key(phone)
    assert key == "" or (key.isdigit() and len(key) >= 6)


@pytest.mark.parametrize(
    ("first", "second", "agree"),
    [
        ("Jane Doe", "jane doe", True),
        ("Jane Doe", "Doe Jane", True),
        ("山田 太郎", "山田太郎", True),
        ("山田太郎", "山田太郎様", True),
        ("Ｊａｎｅ Ｄｏｅ", "Jane Doe", True),
        ("Jane Doe", "", True),
        ("", "Tanaka", True),
        ("Jane Doe", "Tanaka Ichiro", False),
        ("山田太郎", "鈴木一郎", False),
    ],
)
def test_names_agree_unless_both_are_given_and_differ(first: str, second: str, agree: bool) -> None:
    assert names_agree(first, second) is agree


STORED = LeadDraft(
    name="Yamada Taro",
    company="Acme",
    email="taro@acme.co.jp",
    title="Manager",
    interest=Interest.WARM,
    source=Source.EVENT,
    event="Tokyo Expo 2026",
    notes="Asked about pricing",
)


@pytest.mark.parametrize(
    ("incoming", "expected", "changed"),
    [
        (LeadDraft(), STORED, ()),
        (LeadDraft(phone="090-1"), replace(STORED, phone="090-1"), ("phone",)),
        (LeadDraft(product="CRM"), replace(STORED, product="CRM"), ("product",)),
        (LeadDraft(email="other@acme.co.jp"), STORED, ()),
        (LeadDraft(name="Yamada Taro", company="Acme"), STORED, ()),
    ],
)
def test_merge_fills_empty_fields(
    incoming: LeadDraft, expected: LeadDraft, changed: tuple[str, ...]
) -> None:
    merged = merge_profile(STORED, incoming, stamp=STAMP)
    assert (merged.profile, merged.changed) == (expected, changed)


def test_merge_keeps_what_is_new_and_never_what_is_older() -> None:
    incoming = LeadDraft(
        name="Taro Yamada (typo)",
        company="Acme Holdings",
        phone="090-1234-5678",
        title="Director",
        interest=Interest.COLD,
        source=Source.SEMINAR,
        event="Osaka Fair",
        notes="Wants a demo in January",
        consent=True,
    )
    result = merge_profile(STORED, incoming, stamp=STAMP)
    merged, changed = result.profile, result.changed
    assert merged.name == "Yamada Taro"  # filled fields are never overwritten ...
    assert merged.company == "Acme"
    assert merged.phone == "090-1234-5678"  # ... empty ones are filled
    assert merged.title == "Director"  # a title given later is kept: people get promoted
    assert merged.interest == Interest.WARM  # the stronger interest wins
    assert (merged.source, merged.event) == (Source.EVENT, "Tokyo Expo 2026")  # the origin stays
    # ... and what differs is kept in the notes, never dropped
    note = "Wants a demo in January; name: Taro Yamada (typo); company: Acme Holdings"
    assert merged.notes == f"Asked about pricing\n[2026-11-24 U0STAFF] {note}"
    assert result.note == note
    assert merged.consent is True
    assert set(changed) == {"phone", "title", "notes", "consent"}


def test_merge_takes_a_stronger_interest() -> None:
    merged = merge_profile(STORED, LeadDraft(interest=Interest.HOT), stamp=STAMP)
    assert (merged.profile.interest, merged.changed, merged.note) == (
        Interest.HOT,
        ("interest",),
        "",
    )


@pytest.mark.parametrize(
    ("notes", "new", "expected"),
    [
        ("", "first", "first"),
        ("first", "", "first"),
        ("first", "  ", "first"),
        ("first", "first", "first"),  # a replayed capture adds nothing
        ("first", "second", "first\n[2026-11-24 U0STAFF] second"),
    ],
)
def test_append_note(notes: str, new: str, expected: str) -> None:
    assert append_note(notes, new, STAMP) == expected


@given(st.text(max_size=50), st.text(max_size=50))
def test_appending_never_loses_a_note(notes: str, new: str) -> None:
    appended = append_note(notes, new, STAMP)
    assert notes in appended
    assert new.strip() in appended


@pytest.mark.parametrize(
    ("stored", "incoming", "opted_out"),
    [
        (LeadDraft(), LeadDraft(opted_out=True), True),  # a refusal or an unsubscribe
        (LeadDraft(consent=True), LeadDraft(opted_out=True), True),  # earlier consent: no matter
        (LeadDraft(opted_out=True), LeadDraft(), True),  # a capture that says nothing of it
        (LeadDraft(opted_out=True), LeadDraft(consent=True), False),  # explicit consent again
        (LeadDraft(opted_out=True, consent=True), LeadDraft(consent=True), False),
        (LeadDraft(), LeadDraft(consent=True), False),
    ],
)
def test_an_opt_out_holds_until_explicit_consent(
    stored: LeadDraft, incoming: LeadDraft, opted_out: bool
) -> None:
    merged = merge_profile(stored, incoming, stamp=STAMP)
    assert merged.profile.opted_out is opted_out
    assert ("opted_out" in merged.changed) is (opted_out != stored.opted_out)
