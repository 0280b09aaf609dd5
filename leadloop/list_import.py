"""List import: rows of an attendee or business-card list captured like any lead.

Rows are read as they come (the caller streams the file) and written through capture in
transactions of `batch_size` rows, so they are deduplicated, scored, routed and (if hot)
alerted through the outbox like a capture at a booth. Each stored row's touch carries a key
made from its content: a rerun of an interrupted import finds the rows already written and
adds nothing for them, and a row repeated in the file counts once.
"""

from __future__ import annotations

from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Callable,
    Iterable,
    Sequence,
)
from dataclasses import dataclass
from typing import Final

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from leadloop.capture import CaptureRequest, Captures
from leadloop.context import Loop
from leadloop.list_rows import (
    ImportOptions,
    NoNameColumnError,
    ReadChunk,
    RowReader,
    column_map,
    row_key,
)
from leads.language import Language
from storage.leads import touches_done

__all__ = [
    "ImportOptions",
    "ImportSummary",
    "ListImport",
    "NoNameColumnError",
    "ReadChunk",
    "RowReader",
    "column_map",
    "row_key",
]

IMPORTER: Final = "import"  # who captured an imported lead, as its card says

Reject = Callable[[Sequence[str], str], None]  # a refused row and why, in words
Progress = Callable[[int], None]  # rows handled since the last call


@dataclass
class ImportSummary:
    """What an import did, counted by row."""

    created: int = 0
    merged: int = 0
    rejected: int = 0

    def line(self) -> str:
        """`created N, merged M, rejected K`."""
        return f"created {self.created}, merged {self.merged}, rejected {self.rejected}"


class _DryRunError(Exception):
    """Raised at the end of a dry run so its one transaction rolls back."""


async def _each(chunks: Iterable[ReadChunk]) -> AsyncIterator[ReadChunk]:
    for chunk in chunks:
        yield chunk


class ListImport:
    """One import run: feed it rows (or chunks read elsewhere); it counts what happened to
    each. Chunks are written in the order they come, one transaction each."""

    def __init__(
        self,
        loop: Loop,
        captures: Captures,
        headers: Sequence[str],
        options: ImportOptions,
        *,
        reject: Reject,
        progress: Progress = lambda _rows: None,
    ) -> None:
        self._loop = loop
        self._captures = captures
        self.reader = RowReader(headers, loop.config.list_import.headers, options, self.language)
        self._options = options
        self._reject = reject
        self._progress = progress
        self.summary = ImportSummary()

    @property
    def language(self) -> Language:
        """The language rejection reasons are written in (the rules file's)."""
        return self._loop.config.language

    async def run(self, rows: Iterable[Sequence[str]]) -> ImportSummary:
        """Read and import every row here (in one rolled-back transaction for a dry run)."""
        return await self.run_chunks(_each(self.reader.chunks(rows)))

    async def run_chunks(self, chunks: AsyncIterable[ReadChunk]) -> ImportSummary:
        """Import chunks made by `reader` (in this process or another one), in order."""
        if self._options.dry_run:
            return await self._dry_run(chunks)
        async for chunk in chunks:
            self._take(chunk)
            await self._flush(chunk)
        return self.summary

    async def _dry_run(self, chunks: AsyncIterable[ReadChunk]) -> ImportSummary:
        try:
            async with self._loop.db.write() as session:
                async for chunk in chunks:
                    self._take(chunk)
                    self._count(await self._write(session, chunk))
                raise _DryRunError
        except _DryRunError:
            return self.summary

    def _take(self, chunk: ReadChunk) -> None:
        """Count and pass on the chunk's refused rows; the blank ones are done."""
        for row, why in chunk.rejects:
            self._reject(row, why)
        self.summary.rejected += len(chunk.rejects)
        if chunk.rejects or chunk.blank:
            self._progress(len(chunk.rejects) + chunk.blank)

    async def _flush(self, chunk: ReadChunk) -> None:
        """Write these rows in one transaction (once more if a twin raced it)."""
        if not chunk.drafts:
            return
        try:
            async with self._loop.db.write() as session:
                counts = await self._write(session, chunk)
        except IntegrityError:  # another capture stored one of these people first
            async with self._loop.db.write() as session:
                counts = await self._write(session, chunk)
        self._count(counts)

    def _count(self, counts: tuple[int, int, int]) -> None:
        created, merged, rows = counts
        self.summary.created += created
        self.summary.merged += merged
        self._progress(rows)

    async def _write(self, session: AsyncSession, chunk: ReadChunk) -> tuple[int, int, int]:
        """Capture the rows not written before: (created, merged, rows handled)."""
        if not chunk.drafts:
            return 0, 0, 0
        seen = await touches_done(session, chunk.keys)
        now = self._loop.now()
        requests = []
        for draft, key in zip(chunk.drafts, chunk.keys, strict=True):
            if key not in seen:  # else written by an earlier run, or repeated in the file
                seen.add(key)
                requests.append(
                    CaptureRequest(
                        draft=draft,
                        captured_by=IMPORTER,
                        channel_id="",
                        via=IMPORTER,
                        at=now,
                        once_key=key,
                    )
                )
        created = sum(await self._captures.write_created(session, requests)) if requests else 0
        return created, len(chunk.drafts) - created, len(chunk.drafts)
