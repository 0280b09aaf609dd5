"""The reading half of `leadbot import`, run as a process of its own
(`python -m bot.list_reader`) so that rows are read and validated while the chunk before
them is being written.

It takes a pickled `ReadJob` on standard input and writes messages (bot/pipes.py) to
standard output: `(kind, value)` with kind `chunk` (a ReadChunk),
`csv_error` or `failed` (a message), and `end` last. A full pipe holds it back, so it runs
at most a little ahead of the writer and memory stays flat. It imports no database code and
ignores Ctrl-C (the importing process ends it).
"""

from __future__ import annotations

import csv
import pickle
import signal
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Final

from bot.pipes import frame, message_channel
from leadloop.list_rows import RowReader

CHUNK: Final = "chunk"
CSV_ERROR: Final = "csv_error"
FAILED: Final = "failed"
END: Final = "end"
FIELD_SIZE_LIMIT: Final = 1 << 24  # a cell of notes may be long; a runaway quote stops at 16 MB


@dataclass(frozen=True)
class ReadJob:
    """Which file to read (in which encoding), and how to turn its rows into drafts."""

    path: Path
    encoding: str
    reader: RowReader


def message(kind: str, value: Any = None) -> bytes:
    """One `(kind, value)` message as written to the pipe."""
    return frame((kind, value))


def body_rows(job: ReadJob) -> Iterator[list[str]]:
    """The file's rows after the header row."""
    with job.path.open(encoding=job.encoding, newline="") as stream:
        rows = csv.reader(stream)
        next(rows, None)
        yield from rows


def read_into(job: ReadJob, out: BinaryIO) -> None:
    """Write the file's chunks to `out`, then `end` (or what went wrong)."""
    try:
        for chunk in job.reader.chunks(body_rows(job)):
            out.write(message(CHUNK, chunk))
    except csv.Error as error:
        out.write(message(CSV_ERROR, str(error)))
    except Exception as error:  # told to the importing process, which reports it
        out.write(message(FAILED, f"{type(error).__name__}: {error}"))
    else:
        out.write(message(END))
    out.flush()


def main() -> None:
    """Read the job from standard input; write the frames to standard output."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    csv.field_size_limit(FIELD_SIZE_LIMIT)
    frames = message_channel()
    job = pickle.load(sys.stdin.buffer)
    try:
        read_into(job, frames)
    except BrokenPipeError:  # the importing process stopped reading: nothing left to do
        sys.stderr.close()


if __name__ == "__main__":
    main()
