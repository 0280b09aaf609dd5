"""`leadbot import FILE.csv`: the file side of list import (encoding, CSV, progress bar,
FILE.rejected.csv); the rows go to leadloop.list_import.

The file is read twice, never whole: once to tell its encoding (UTF-8, UTF-8 with a BOM,
UTF-16 with a BOM, or Shift_JIS/CP932) and count its lines, once to import it row by row.
A file of more than one chunk is read on the second pass by bot.list_reader, a process of
its own, which turns rows into drafts while this process writes the chunk before: on two
cores, reading and validating overlap writing. The writer still takes the chunks in file
order, so a person repeated across chunks merges as before.
Rejected rows are written in the encoding the file was read in, so they open in Excel
the way the file did, with a last column saying why.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import csv
import pickle
import sys
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Final

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from bot.errors import StartupError
from bot.list_reader import CSV_ERROR, END, FAILED, FIELD_SIZE_LIMIT, ReadJob
from bot.pipes import read_message
from leadloop.capture import Captures
from leadloop.context import Loop
from leadloop.list_import import (
    ImportOptions,
    ImportSummary,
    ListImport,
    NoNameColumnError,
    ReadChunk,
)
from leads.importing import CsvEncodingError, encoding_candidates

CHUNK: Final = 1 << 20
IN_FLIGHT: Final = 1 << 20  # bytes of read chunks waiting for the writer, at most about
REASON_HEADER: Final = {"en": "reason", "ja": "エラー理由"}
csv.field_size_limit(FIELD_SIZE_LIMIT)


def file_encoding(path: Path) -> tuple[str, int]:
    """The file's encoding and its number of lines, read in chunks."""
    with path.open("rb") as stream:
        head = stream.read(4)
    failure = 0
    for encoding in encoding_candidates(head):
        try:
            return encoding, _decodes(path, encoding)
        except UnicodeDecodeError as error:
            failure = max(failure, error.start)
    raise CsvEncodingError(failure)


def _decodes(path: Path, encoding: str) -> int:
    """Decode the whole file in chunks (UnicodeDecodeError if it is not `encoding`);
    returns the number of lines. The error's start is the offset in the file."""
    decoder = codecs.getincrementaldecoder(encoding)()
    lines = 0
    offset = 0
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                raise UnicodeDecodeError(
                    error.encoding,
                    error.object,
                    offset + error.start,
                    offset + error.end,
                    error.reason,
                ) from None
            lines += chunk.count(b"\n")
            offset += len(chunk)
        decoder.decode(b"", final=True)
    return lines


def rejected_path(path: Path) -> Path:
    """FILE.rejected.csv beside FILE.csv."""
    return path.with_name(f"{path.stem}.rejected.csv")


class RejectedFile:
    """FILE.rejected.csv: the refused rows as they were, with the reason in a last column;
    opened on the first refused row."""

    def __init__(self, path: Path, encoding: str, headers: Sequence[str], reason: str) -> None:
        self.path = path
        self.rows = 0
        self._encoding = encoding
        self._headers = [*headers, reason]
        self._stream: IO[str] | None = None

    def add(self, row: Sequence[str], why: str) -> None:
        """Write a refused row with the reason in the last column."""
        if self._stream is None:
            self._stream = self.path.open(
                "w", encoding=self._encoding, errors="replace", newline=""
            )
            csv.writer(self._stream).writerow(self._headers)
        width = len(self._headers) - 1
        cells = [*row[:width], *[""] * (width - len(row)), why, *row[width:]]
        csv.writer(self._stream).writerow(cells)
        self.rows += 1

    def close(self) -> None:
        """Close the file; with no refused row, remove one left by an earlier run."""
        if self._stream is not None:
            self._stream.close()
        else:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()


@contextlib.contextmanager
def progress_bar(show: bool, label: str, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on standard error (rich), or a no-op when `show` is false."""
    if not show:
        yield lambda _rows: None
        return
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total or None)
        yield lambda rows: bar.advance(task, rows)


def _opened(path: Path) -> tuple[str, int]:
    if not path.is_file():
        raise StartupError(f"cannot import {path}: no such file")
    try:
        return file_encoding(path)
    except CsvEncodingError as error:
        raise StartupError(f"cannot import {path}: {error}") from None
    except OSError as error:
        raise StartupError(f"cannot import {path}: {error.strerror}") from None


async def import_file(
    path: Path, loop: Loop, options: ImportOptions, *, show_progress: bool = False
) -> tuple[ImportSummary, RejectedFile]:
    """Import FILE.csv through capture; refused rows go to FILE.rejected.csv. A file of more
    than one chunk is read by a process of its own while this one writes."""
    encoding, lines = _opened(path)
    headers = _headers(path, encoding)
    reason = REASON_HEADER[loop.config.language]
    rejected = RejectedFile(rejected_path(path), encoding, headers, reason)
    try:
        with progress_bar(show_progress, path.name, max(lines - 1, 0)) as advance:
            job = ListImport(
                loop, Captures(loop), headers, options, reject=rejected.add, progress=advance
            )
            if lines - 1 <= options.batch_size:
                return await _read_here(path, encoding, job), rejected
            async with read_elsewhere(ReadJob(path, encoding, job.reader)) as chunks:
                return await job.run_chunks(chunks), rejected
    except (NoNameColumnError, csv.Error) as error:
        raise StartupError(f"cannot import {path}: {error}") from None
    finally:
        rejected.close()


def _headers(path: Path, encoding: str) -> list[str]:
    try:
        with path.open(encoding=encoding, newline="") as stream:
            return next(csv.reader(stream))
    except StopIteration:
        raise StartupError(f"cannot import {path}: the file is empty") from None
    except csv.Error as error:
        raise StartupError(f"cannot import {path}: {error}") from None


async def _read_here(path: Path, encoding: str, job: ListImport) -> ImportSummary:
    with path.open(encoding=encoding, newline="") as stream:
        rows = csv.reader(stream)
        next(rows, None)  # the headers
        return await job.run(rows)


@contextlib.asynccontextmanager
async def read_elsewhere(job: ReadJob) -> AsyncIterator[AsyncIterator[ReadChunk]]:
    """The file's chunks as `python -m bot.list_reader` reads them, at most about
    IN_FLIGHT bytes ahead of the caller; the reader is ended on the way out."""
    reader = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.list_reader",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        limit=IN_FLIGHT // 2,  # the pipe is read ahead up to twice this
        start_new_session=True,  # Ctrl-C on the terminal is for this process to handle
    )
    try:
        assert reader.stdin is not None
        assert reader.stdout is not None
        reader.stdin.write(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
        await reader.stdin.drain()
        reader.stdin.close()
        yield _chunks(reader, reader.stdout)
    finally:
        if reader.returncode is None:
            reader.kill()
        await reader.wait()


async def _chunks(
    reader: asyncio.subprocess.Process, out: asyncio.StreamReader
) -> AsyncIterator[ReadChunk]:
    while True:
        try:
            kind, value = await read_message(out)
        except asyncio.IncompleteReadError:
            raise RuntimeError(f"the list reader stopped: {await _last_words(reader)}") from None
        if kind == END:
            return
        if kind == CSV_ERROR:
            raise csv.Error(value)
        if kind == FAILED:
            raise RuntimeError(f"the list reader failed: {value}")
        yield value


async def _last_words(reader: asyncio.subprocess.Process) -> str:
    assert reader.stderr is not None
    said = (await reader.stderr.read()).decode(errors="replace").strip().splitlines()
    await reader.wait()
    return said[-1] if said else f"exit status {reader.returncode}"
