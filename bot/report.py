"""`leadbot report`: the funnel on the command line, as a table, CSV or JSON."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any, TextIO

from leads.funnel import STEPS, Funnel, Row

FORMATS = ("table", "csv", "json")
FIELDS = (
    "dimension",
    "key",
    *STEPS,
    "lost",
    *(f"{step}_rate" for step in STEPS[1:]),
    "win_rate",
    "median_hot_to_claim_s",
    "p90_hot_to_claim_s",
    "sla_breaches",
    "won_value",
    "top_loss_reasons",
)


def write_report(funnel: Funnel, output: TextIO, *, fmt: str, currency: str) -> None:
    """Write the funnel in `fmt` ("table", "csv" or "json")."""
    records = list(_records(funnel))
    if fmt == "json":
        period = funnel.period
        document = {
            "period": period.name,
            "start": period.start.isoformat() if period.start else None,
            "end": period.end.isoformat(),
            "currency": currency,
            "rows": records,
        }
        output.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    elif fmt == "csv":
        writer = csv.DictWriter(output, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(records)
    else:
        output.write(_table(funnel, records, currency))


def _records(funnel: Funnel) -> Iterator[dict[str, Any]]:
    yield _record("total", funnel.total)
    for row in funnel.by_source:
        yield _record("source", row)
    for row in funnel.by_event:
        yield _record("event", row)


def _record(dimension: str, row: Row) -> dict[str, Any]:
    record: dict[str, Any] = {"dimension": dimension, "key": row.key}
    record |= {step: row.count(step) for step in STEPS}
    record["lost"] = row.lost
    record |= {f"{step}_rate": _rounded(row.conversion(step)) for step in STEPS[1:]}
    record["win_rate"] = _rounded(row.win_rate)
    record["median_hot_to_claim_s"] = _rounded(row.median_hot_to_claim, 1)
    record["p90_hot_to_claim_s"] = _rounded(row.p90_hot_to_claim, 1)
    record["sla_breaches"] = row.sla_breaches
    record["won_value"] = row.won_value
    record["top_loss_reasons"] = " ".join(f"{r.value}:{n}" for r, n in row.top_loss_reasons())
    return record


def _rounded(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def _table(funnel: Funnel, records: list[dict[str, Any]], currency: str) -> str:
    period = funnel.period
    since = period.start.date().isoformat() if period.start else "the beginning"
    lines = [f"funnel of the leads captured since {since} ({period.name}); values in {currency}"]
    columns = ("dimension", "key", *STEPS, "lost", "win_rate", "median_hot_to_claim_s", "won_value")
    widths = {c: max(len(c), *(len(_cell(r[c])) for r in records)) for c in columns}
    lines.append("  ".join(c.ljust(widths[c]) for c in columns))
    lines += ["  ".join(_cell(r[c]).ljust(widths[c]) for c in columns) for r in records]
    return "\n".join(lines) + "\n"


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value).replace("\n", " ")
