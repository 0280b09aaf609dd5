"""The weekly digest's words: the funnel in a few lines, and what calibration changed."""

from __future__ import annotations

from collections.abc import Sequence

from blocks import catalogue as say
from blocks.cards import calibration_note
from blocks.reports import reasons_line, steps_line, summary_line
from blocks.text import safe
from blocks.words import choice
from leads.calibration import Weight
from leads.funnel import Funnel
from leads.language import Language

TOP_SOURCES = 3


def digest_summary(
    funnel: Funnel,
    changed: Sequence[tuple[Weight, float]],
    language: Language,
    currency: str,
) -> str:
    """`*Weekly funnel: 2026-W47*`, the steps, the summary, top sources, calibration changes."""
    total = funnel.total
    lines = [say.STATS_WEEK(language, week=funnel.period.name)]
    if total.count("captured") == 0:
        lines.append(say.STATS_EMPTY(language, period=funnel.period.name))
    else:
        lines += [steps_line(total, language), summary_line(total, language, currency)]
        reasons = reasons_line(total, language)
        lines += [reasons] if reasons else []
        sources = [
            say.DIGEST_SOURCE(
                language,
                name=safe(choice(say.SOURCES, row.key, language), 100),
                captured=row.count("captured"),
                won=row.count("won"),
            )
            for row in funnel.by_source[:TOP_SOURCES]
        ]
        lines.append(say.DIGEST_TOP(language, sources=", ".join(sources)))
    if changed:
        lines.append(say.DIGEST_CALIBRATION(language))
        lines += [
            say.DIGEST_WEIGHT(language, note=calibration_note(weight, language), before=previous)
            for weight, previous in changed
        ]
    return "\n".join(lines)[:3900]
