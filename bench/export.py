"""`leadbot export` speed and memory: the export against a raw read of the same rows to CSV.

Builds a migrated SQLite database in a temp dir holding N leads (default 1,000,000), as
bench/rescore.py does (its build phase: LeadFactory and insert_leads). Then, each in a
child process of its own so that its peak RSS is its own:

  (a) bot.export.export_leads(db, file, fmt="csv"), the function `leadbot export` runs,
      writes every lead to a CSV file;
  (b) a raw read of the same columns (bot.export.COLUMNS) in id order through the plain
      sqlite3 module, written with csv.writer to another file.

Prints both times, the ratio export/raw, each child's peak RSS and the CSV sizes, then
checks that both files hold as many data rows as the database has leads, with the same ids
in the same order and none repeated.

Targets: ratio <= 3; the export's peak RSS flat, far below the size of the data (the CSV).
Timings are printed, never asserted; the exit status is 1 only when the files disagree or
a row is missing or repeated.

    python bench/export.py [--leads 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import itertools
import json
import math
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from rescore import T0, build_phase
from stats import peak_rss_mb, table

from bot.export import COLUMNS, LEADS_COLUMN, export_leads
from storage.db import create_database

TARGET_RATIO = 3.0
RAW_NURTURE = {  # the export's nurture columns, as the raw read selects them
    "nurture_plan": "e.plan",
    "nurture_step": "e.step_index + 1",
    "next_step_at": "s.due_at",
}
RAW_COLUMNS = [
    f"l.{LEADS_COLUMN.get(name, name)}" if name not in RAW_NURTURE else RAW_NURTURE[name]
    for name in COLUMNS
]
RAW_SELECT = (
    f"SELECT {', '.join(RAW_COLUMNS)} FROM leads l"
    " LEFT JOIN nurture_enrolments e ON e.lead_id = l.id AND e.ended_at IS NULL"
    " LEFT JOIN nurture_steps s ON s.lead_id = e.lead_id AND s.seq = e.seq"
    " AND s.state IN ('due', 'snoozed') ORDER BY l.id"
)
MB = 1024 * 1024


# --- the two measured phases (each in a child process) ------------------------------------


async def export_phase(path: Path, output: Path) -> dict[str, Any]:
    """Run `leadbot export`'s function into a file; time it and report peak RSS."""
    db = create_database(f"sqlite+aiosqlite:///{path}")
    try:
        await db.ping()
        before = peak_rss_mb()
        started = time.perf_counter()
        with output.open("w", encoding="utf-8", newline="") as stream:
            rows = await export_leads(db, stream, fmt="csv")
        seconds = time.perf_counter() - started
    finally:
        await db.dispose()
    return {"seconds": seconds, "rows": rows, "rss_before_mb": before, "peak_rss_mb": peak_rss_mb()}


def raw_phase(path: Path, output: Path) -> dict[str, Any]:
    """Read the same columns with sqlite3 and write them with csv.writer; time it, peak RSS."""
    connection = sqlite3.connect(path)
    try:
        before = peak_rss_mb()
        started = time.perf_counter()
        rows = 0
        with output.open("w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow(COLUMNS)
            for row in connection.execute(RAW_SELECT):
                writer.writerow(row)
                rows += 1
        seconds = time.perf_counter() - started
    finally:
        connection.close()
    return {"seconds": seconds, "rows": rows, "rss_before_mb": before, "peak_rss_mb": peak_rss_mb()}


def run_child(phase: str, path: Path, *extra: str) -> dict[str, Any]:
    """Run this script with `--phase` in a fresh process and read its JSON answer.

    Every heavy step runs in a child so that this parent stays small: Linux carries the
    parent's peak RSS over into a child's ru_maxrss (through fork and exec).
    """
    command = [sys.executable, __file__, "--phase", phase, "--db", str(path), *extra]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"the {phase} phase failed with status {done.returncode}")
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


# --- checking and reporting ---------------------------------------------------------------


@dataclass
class Tally:
    """Data rows of one file, and ids not above the one before (repeated or out of order)."""

    rows: int = 0
    unordered: int = 0
    last: int = 0

    def add(self, value: int | None) -> None:
        """Count one id (None: this file has already ended)."""
        if value is None:
            return
        self.rows += 1
        self.unordered += value <= self.last
        self.last = value


@dataclass(frozen=True)
class FileCheck:
    """How the two CSV files compare, row by row, and against the database."""

    leads: int
    export: Tally
    raw: Tally
    first_difference: str

    def problems(self) -> list[str]:
        """What is wrong, if anything."""
        found = []
        if not self.export.rows == self.raw.rows == self.leads:
            found.append(
                f"data rows: export {self.export.rows}, raw {self.raw.rows}, database {self.leads}"
            )
        if self.first_difference:
            found.append(f"ids differ between the files, first at {self.first_difference}")
        for name, tally in (("export", self.export), ("raw", self.raw)):
            if tally.unordered:
                found.append(f"{name}: {tally.unordered} ids not above the previous one")
        return found


def ids(path: Path) -> Iterator[int]:
    """The id column of a CSV file with a header, row by row, without loading the file."""
    with path.open(encoding="utf-8", newline="") as stream:
        reader = csv.reader(stream)
        position = next(reader).index("id")
        for row in reader:
            yield int(row[position])


def compare_files(db: Path, export_csv: Path, raw_csv: Path) -> FileCheck:
    """Walk both files in step: row counts, the first differing id, ids out of order."""
    with sqlite3.connect(db) as connection:
        leads = int(connection.execute("SELECT count(*) FROM leads").fetchone()[0])
    connection.close()
    export, raw = Tally(), Tally()
    first_difference = ""
    for n, (a, b) in enumerate(itertools.zip_longest(ids(export_csv), ids(raw_csv)), start=1):
        export.add(a)
        raw.add(b)
        if a != b and not first_difference:
            first_difference = f"data row {n}: export id {a}, raw id {b}"
    return FileCheck(leads, export, raw, first_difference)


def report(leads: int, built: float, export: dict[str, Any], raw: dict[str, Any]) -> None:
    """Print the table and the summary line."""
    print(f"export: {leads} leads on SQLite (built in {built:.1f} s), {len(COLUMNS)} columns")
    rows = [
        [
            *(name, f"{run['seconds']:.2f}", run["rows"]),
            f"{run['rows'] / run['seconds']:.0f}" if run["seconds"] else "-",
            f"{run['csv_mb']:.0f}",
            *(f"{run['rss_before_mb']:.0f}", f"{run['peak_rss_mb']:.0f}"),
        ]
        for name, run in (("export_leads(csv)", export), ("raw sqlite3 + csv", raw))
    ]
    headers = ["run", "seconds", "rows", "rows/s", "CSV MB", "RSS before MB", "peak RSS MB"]
    print(table(headers, rows))
    print("each run is a child process; RSS before = after imports and connecting")
    ratio = export["seconds"] / raw["seconds"] if raw["seconds"] else math.inf
    print(
        f"export: ratio {ratio:.2f} (target <= {TARGET_RATIO:g}),"
        f" export peak RSS {export['peak_rss_mb']:.0f} MB for a {export['csv_mb']:.0f} MB CSV"
        f" (target: flat), raw peak RSS {raw['peak_rss_mb']:.0f} MB,"
        f" {export['rows']}/{raw['rows']} rows exported"
    )


def run_all(leads: int) -> int:
    """Build the database, run both phases in children, compare the files, report."""
    with tempfile.TemporaryDirectory(prefix="leadbot-export-") as tmp:
        db, export_csv, raw_csv = Path(tmp) / "leads.db", Path(tmp) / "e.csv", Path(tmp) / "r.csv"
        built = run_child("build", db, "--leads", str(leads))
        export = run_child("export", db, "--output", str(export_csv))
        raw = run_child("raw", db, "--output", str(raw_csv))
        export["csv_mb"] = export_csv.stat().st_size / MB
        raw["csv_mb"] = raw_csv.stat().st_size / MB
        checked = compare_files(db, export_csv, raw_csv)
    for problem in checked.problems():
        print(f"FAILED: {problem}")
    report(leads, built["seconds"], export, raw)
    return 1 if checked.problems() else 0


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Command-line flags."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--leads", type=int, default=1_000_000, help="leads to insert")
    parser.add_argument("--phase", choices=("all", "build", "export", "raw"), default="all")
    parser.add_argument("--db", type=Path, help="(child phases) the database file")
    parser.add_argument("--output", type=Path, help="(child phases) the CSV file to write")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    """Entry point: the whole benchmark, or one child phase printing JSON."""
    args = parse_args(argv)
    if args.phase == "all":
        return run_all(args.leads)
    if args.phase == "build":
        answer = build_phase(args.db, T0 + timedelta(days=3), args.leads, hot=0)
    elif args.phase == "export":
        answer = asyncio.run(export_phase(args.db, args.output))
    else:
        answer = raw_phase(args.db, args.output)
    print(json.dumps(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
