"""The message catalogue: both languages say the same things with the same placeholders."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping
from dataclasses import fields

import pytest

from blocks import catalogue as say
from blocks.catalogue import Text
from leads.language import language_of_locale
from leads.model import Budget, CompanySize, Interest, LeadDraft, Source, Stage, Timeline

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def entries() -> Iterator[tuple[str, Text]]:
    for name, value in vars(say).items():
        if isinstance(value, Text):
            yield name, value
        elif isinstance(value, Mapping):
            for key, text in value.items():
                if isinstance(text, Text):
                    yield f"{name}[{key}]", text


ENTRIES = dict(entries())


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_the_catalogue_is_not_empty() -> None:
    assert len(ENTRIES) > 150


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_both_languages_have_the_same_placeholders(name: str) -> None:
    text = ENTRIES[name]
    assert placeholders(text.en) == placeholders(text.ja)


def without_markup(template: str) -> str:
    return re.sub(r"\{[^}]*\}|`[^`]*`|<[^>]*>|:[a-z_]+:", "", template)


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_every_english_sentence_is_translated(name: str) -> None:
    text = ENTRIES[name]
    if re.search(r"[A-Za-z]{2,}", without_markup(text.en)):
        assert text.ja != text.en


def test_japanese_entries_are_written_in_japanese() -> None:
    worded = [t for t in ENTRIES.values() if re.search(r"[A-Za-z]{2,}", without_markup(t.en))]
    # Japanese may say with punctuation alone what English says with a word: " at {event}".
    english_left = [
        t.ja
        for t in worded
        if not JAPANESE.search(without_markup(t.ja))
        and re.search(r"[A-Za-z]", without_markup(t.ja))
    ]
    assert english_left == []


@pytest.mark.parametrize(
    ("table", "values"),
    [
        (say.STAGES, Stage),
        (say.INTERESTS, Interest),
        (say.SOURCES, Source),
        (say.BUDGETS, Budget),
        (say.TIMELINES, Timeline),
        (say.COMPANY_SIZES, CompanySize),
    ],
)
def test_every_choice_has_a_name(table: Mapping[str, Text], values: type[Stage]) -> None:
    assert {value.value for value in values} <= set(table)


def test_every_form_field_has_a_label() -> None:
    assert {field.name for field in fields(LeadDraft)} <= set(say.FIELDS)


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("ja-JP", "ja"),
        ("ja", "ja"),
        ("en-US", "en"),
        ("en-GB", "en"),
        ("EN_us", "en"),
        ("fr-FR", None),
        ("", None),
    ],
)
def test_language_of_a_slack_locale(locale: str, language: str | None) -> None:
    assert language_of_locale(locale) == language


def test_japanese_reads_like_a_japanese_b2b_marketer_wrote_it() -> None:
    assert say.BUTTONS["claim"]("ja") == "担当する"
    assert say.BUTTONS["pass"]("ja") == "見送る"
    assert say.STAGES["meeting"]("ja") == "商談化"
    assert say.STAGES["won"]("ja") == "受注"
    assert say.STAGES["lost"]("ja") == "失注"
    assert "ホットリード" in say.CARD_TITLE("ja", name="x")
    assert "リード" in say.SAVED_NEW("ja", name="x")
