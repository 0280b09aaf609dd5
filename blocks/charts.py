"""The digest's funnel chart: a PNG drawn in memory with matplotlib's Agg backend.

The figure is built with matplotlib's object API (a `Figure` on an Agg canvas), never with
pyplot: no display is needed, no backend is switched for the whole process, and nothing is
kept in pyplot's global list of open figures, so each figure is freed once drawn. matplotlib
is imported when the first chart is drawn, so processes that draw none never load it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Final

from blocks import catalogue as say
from blocks.words import choice
from leads.funnel import STEPS, Funnel, Period, Row
from leads.language import Language

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.font_manager import FontProperties

TOP_SOURCES: Final = 4
# IPAexGothic (shipped by matplotlib-fontja) has Latin and Japanese; DejaVu Sans, which
# matplotlib ships, draws any glyph it lacks.
FONT_FAMILY: Final = ("IPAexGothic", "DejaVu Sans")
STEP_COLOURS: Final = ("#868e96", "#e8590c", "#1c7ed6", "#7048e8", "#2b8a3e")
SIZE_INCHES: Final = (10.0, 5.6)
DPI: Final = 100
ROOM_FOR_LABELS: Final = 1.3  # the x axis reaches this far past the longest bar


def funnel_chart(funnel: Funnel, language: Language) -> bytes:
    """The funnel as PNG bytes: every lead's steps beside the top sources', titled with the
    period. It takes a CPU for a few hundred milliseconds: call it via asyncio.to_thread."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    font, title_font = _fonts()
    figure = Figure(figsize=SIZE_INCHES, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    total_axes, sources_axes = figure.subplots(1, 2, width_ratios=(1.0, 1.3))
    title = say.CHART_TITLE(language, period=period_label(funnel.period, language))
    figure.suptitle(title, fontproperties=title_font)
    _draw_total(total_axes, funnel.total, language, font)
    _draw_sources(sources_axes, top_sources(funnel.by_source), language, font)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def period_label(period: Period, language: Language) -> str:
    """The period's first and last day, or its last day for everything so far."""
    if period.start is None:
        return say.CHART_UNTIL(language, end=_last_day(period).isoformat())
    first = period.start.date().isoformat()
    return say.CHART_PERIOD(language, start=first, end=_last_day(period).isoformat())


def top_sources(rows: Sequence[Row], count: int = TOP_SOURCES) -> list[Row]:
    """The sources that captured the most leads, most first (ties by name)."""
    captured = [row for row in rows if row.count(STEPS[0])]
    return sorted(captured, key=lambda row: (-row.count(STEPS[0]), row.key))[:count]


def _last_day(period: Period) -> date:
    """The period's end is exclusive (midnight) or now: its last day is just before it."""
    last = period.end - timedelta(microseconds=1)
    zone = period.start.tzinfo if period.start is not None else None
    return (last.astimezone(zone) if zone is not None else last).date()


def _fonts() -> tuple[FontProperties, FontProperties]:
    import matplotlib_fontja  # noqa: F401 - registers the Japanese font the wheel ships
    from matplotlib.font_manager import FontProperties

    family = list(FONT_FAMILY)
    return FontProperties(family=family, size=10), FontProperties(family=family, size=14)


def _draw_total(axes: Axes, total: Row, language: Language, font: FontProperties) -> None:
    counts = [total.count(step) for step in STEPS]
    positions = list(range(len(STEPS)))
    bars = axes.barh(positions, counts, color=STEP_COLOURS)
    labels = [_count_label(total, step) for step in STEPS]
    axes.bar_label(bars, labels=labels, padding=3, fontproperties=font)
    axes.set_yticks(positions, [say.CHART_STEPS[step](language) for step in STEPS])
    _finish(axes, say.CHART_TOTAL(language), max(counts), font)


def _draw_sources(
    axes: Axes, rows: Sequence[Row], language: Language, font: FontProperties
) -> None:
    if not rows:
        axes.text(0.5, 0.5, say.CHART_NO_LEADS(language), ha="center", fontproperties=font)
        axes.set_axis_off()
        return
    height = 0.8 / len(STEPS)
    for index, step in enumerate(STEPS):
        positions = [group + index * height for group in range(len(rows))]
        counts = [row.count(step) for row in rows]
        label = say.CHART_STEPS[step](language)
        axes.barh(positions, counts, height=height, color=STEP_COLOURS[index], label=label)
    middles = [group + height * (len(STEPS) - 1) / 2 for group in range(len(rows))]
    axes.set_yticks(middles, [_source_label(row.key, language) for row in rows])
    axes.legend(prop=font, loc="lower right", frameon=False)
    _finish(axes, say.CHART_BY_SOURCE(language), max(row.count(STEPS[0]) for row in rows), font)


def _finish(axes: Axes, title: str, longest: int, font: FontProperties) -> None:
    """Title, an integer x axis with room for labels, the first step on top, fonts set."""
    from matplotlib.ticker import MaxNLocator

    axes.set_title(title, fontproperties=font, loc="left")
    axes.set_xlim(0, max(longest, 1) * ROOM_FOR_LABELS)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.tick_params(labelfontfamily=list(FONT_FAMILY), labelsize=font.get_size())
    axes.invert_yaxis()
    axes.spines[["top", "right"]].set_visible(False)


def _count_label(row: Row, step: str) -> str:
    conversion = row.conversion(step)
    count = row.count(step)
    return str(count) if conversion is None else f"{count} ({conversion:.0%})"


def _source_label(key: str, language: Language) -> str:
    return choice(say.SOURCES, key, language) or say.UNKNOWN(language)
