"""The funnel chart: a PNG in both languages, drawn without a display or a missing glyph."""

from __future__ import annotations

import io
import warnings
from datetime import UTC, datetime

import pytest
from matplotlib import image

from blocks import catalogue as say
from blocks.charts import funnel_chart, period_label, top_sources
from leads.funnel import Funnel, Row, last_week, merge_rows, period
from leads.language import Language

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
SOURCES = [
    Row("event", {"captured": 120, "hot": 40, "claimed": 30, "meeting": 12, "won": 5}),
    Row("seminar", {"captured": 60, "hot": 25, "claimed": 20, "meeting": 9, "won": 4}),
    Row("web", {"captured": 200, "hot": 10, "claimed": 6, "meeting": 2, "won": 1}),
    Row("inbound", {"captured": 15, "hot": 12, "claimed": 12, "meeting": 8, "won": 5}),
    Row("referral", {"captured": 5, "hot": 5}),
    Row("a source someone typed", {"captured": 1}),
]


def a_funnel() -> Funnel:
    week = last_week(now=NOW, timezone="Asia/Tokyo")
    return Funnel(week, merge_rows("all", SOURCES), SOURCES, [])


def decoded(png: bytes) -> tuple[int, ...]:
    """The shape (height, width, channels) of the image matplotlib's reader decodes."""
    return tuple(image.imread(io.BytesIO(png), format="png").shape)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_chart_is_a_png_drawn_without_a_missing_glyph(language: Language) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font(s)" is a UserWarning
        png = funnel_chart(a_funnel(), language)

    assert png.startswith(PNG_SIGNATURE)
    assert decoded(png) == (560, 1000, 4)


def test_an_empty_period_still_draws_a_chart() -> None:
    empty = Funnel(
        period("7d", now=NOW, timezone="UTC") or a_funnel().period, Row("all", {}), [], []
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png = funnel_chart(empty, "ja")
    assert decoded(png) == (560, 1000, 4)


def test_the_same_funnel_twice_is_the_same_image() -> None:
    first, second = funnel_chart(a_funnel(), "ja"), funnel_chart(a_funnel(), "ja")

    assert decoded(first) == decoded(second)
    assert first == second


def test_the_two_languages_draw_different_words() -> None:
    assert funnel_chart(a_funnel(), "en") != funnel_chart(a_funnel(), "ja")


@pytest.mark.parametrize(
    ("name", "language", "expected"),
    [
        ("week", "en", "2026-11-16 to 2026-11-22"),
        ("week", "ja", "2026-11-16〜2026-11-22"),
        ("30d", "en", "2026-10-26 to 2026-11-24"),
        ("all", "en", "until 2026-11-24"),
        ("all", "ja", "2026-11-24まで"),
    ],
)
def test_the_title_names_the_period(name: str, language: Language, expected: str) -> None:
    chosen = (
        last_week(now=NOW, timezone="Asia/Tokyo")
        if name == "week"
        else period(name, now=NOW, timezone="Asia/Tokyo")
    )
    assert chosen is not None
    assert period_label(chosen, language) == expected
    assert expected in say.CHART_TITLE(language, period=period_label(chosen, language))


def test_the_top_sources_are_those_that_captured_most() -> None:
    assert [row.key for row in top_sources(SOURCES)] == ["web", "event", "seminar", "inbound"]
    assert top_sources([Row("web", {})]) == []
