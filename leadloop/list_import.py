"""List import: rows of an attendee or business-card list captured like any lead.

Rows are read as they come (the caller streams the file) and written through capture in
transactions of `batch_size` rows, so they are deduplicated, scored, routed and (if hot)
alerted through the outbox like a capture at a booth. Each stored row's touch carries a key
made from its content: a rerun of an interrupted import finds the rows already written and
adds nothing for them, and a row repeated in the file counts once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from blocks.messages import problems_line
from leadloop.capture import CaptureRequest, Captures
from leadloop.context import Loop
from leads.importing import header_map, is_blank_row, row_to_draft
from leads.language import Language
from leads.model import LeadDraft, Source
from storage.leads import touches_done

IMPORTER: Final = "import"  # who captured an imported lead, as its card says
BATCH_SIZE: Final = 2000
NAMED_BY: Final = frozenset({"name", "family_name", "given_name", "email"})

Reject = Callable[[Sequence[str], str], None]  # a refused row and why, in words
Progress = Callable[[int], None]  # rows handled since the last call


class NoNameColumnError(ValueError):
    """The header row names neither the person nor their email: no row could be a lead."""


@dataclass(frozen=True)
class ImportOptions:
    """How rows are read: the source and event given on the command line, a dry run."""

    source: Source | None = None
    event: str = ""
    dry_run: bool = False
    batch_size: int = BATCH_SIZE


@dataclass
class ImportSummary:
    """What an import did, counted by row."""

    created: int = 0
    merged: int = 0
    rejected: int = 0

    def line(self) -> str:
        """`created N, merged M, rejected K`."""
        return f"created {self.created}, merged {self.merged}, rejected {self.rejected}"


@dataclass
class _Pending:
    """Rows read but not yet written, with their once-only keys."""

    drafts: list[LeadDraft] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)


class _DryRunError(Exception):
    """Raised at the end of a dry run so its one transaction rolls back."""


def column_map(headers: Sequence[str], extra: Mapping[str, str]) -> dict[int, str]:
    """Which field each column fills; NoNameColumnError when none names the person."""
    mapping = header_map(headers, extra)
    if not NAMED_BY & set(mapping.values()):
        shown = ", ".join(header.strip() for header in headers if header.strip())[:200]
        raise NoNameColumnError(
            f"no column holds the name or the email (headers: {shown or 'none'}); name one"
            " Name or 氏名, or map it under list_import.headers in the rules file"
        )
    return mapping


def row_key(row: Sequence[str], options: ImportOptions) -> str:
    """The once-only key of a row: the same cells with the same source and event."""
    source = options.source.value if options.source else ""
    text = "\x1f".join((source, options.event, *(cell.strip() for cell in row)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ListImport:
    """One import run: feed it rows, then finish; it counts what happened to each."""

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
        self._headers = list(headers)
        self._mapping = column_map(headers, loop.config.list_import.headers)
        self._options = options
        self._reject = reject
        self._progress = progress
        self._pending = _Pending()
        self.summary = ImportSummary()

    @property
    def language(self) -> Language:
        """The language rejection reasons are written in (the rules file's)."""
        return self._loop.config.language

    async def run(self, rows: Iterable[Sequence[str]]) -> ImportSummary:
        """Import every row (in one rolled-back transaction for a dry run)."""
        if self._options.dry_run:
            return await self._dry_run(rows)
        await self._in_batches(rows, self._flush)
        return self.summary

    async def _dry_run(self, rows: Iterable[Sequence[str]]) -> ImportSummary:
        try:
            async with self._loop.db.write() as session:

                async def write(pending: _Pending) -> None:
                    self._count(await self._write(session, pending))

                await self._in_batches(rows, write)
                raise _DryRunError
        except _DryRunError:
            return self.summary

    async def _in_batches(
        self, rows: Iterable[Sequence[str]], write: Callable[[_Pending], Awaitable[None]]
    ) -> None:
        """Read every row, handing each full batch to `write`, then the rest."""
        for row in rows:
            if self._take(row):
                await write(self._taken())
        await write(self._taken())

    def _take(self, row: Sequence[str]) -> bool:
        """Read one row; True when a batch is ready to write."""
        if is_blank_row(row):
            self._progress(1)
            return False
        draft = row_to_draft(
            row,
            self._mapping,
            headers=self._headers,
            source=self._options.source,
            event=self._options.event,
        )
        if isinstance(draft, dict):
            self.summary.rejected += 1
            self._reject(row, problems_line(draft, self.language))
            self._progress(1)
            return False
        self._pending.drafts.append(draft)
        self._pending.keys.append(row_key(row, self._options))
        return len(self._pending.drafts) >= self._options.batch_size

    def _taken(self) -> _Pending:
        pending, self._pending = self._pending, _Pending()
        return pending

    async def _flush(self, pending: _Pending) -> None:
        """Write these rows in one transaction (once more if a twin raced it)."""
        if not pending.drafts:
            return
        try:
            async with self._loop.db.write() as session:
                counts = await self._write(session, pending)
        except IntegrityError:  # another capture stored one of these people first
            async with self._loop.db.write() as session:
                counts = await self._write(session, pending)
        self._count(counts)

    def _count(self, counts: tuple[int, int, int]) -> None:
        created, merged, rows = counts
        self.summary.created += created
        self.summary.merged += merged
        self._progress(rows)

    async def _write(self, session: AsyncSession, pending: _Pending) -> tuple[int, int, int]:
        """Capture the rows not written before: (created, merged, rows handled)."""
        if not pending.drafts:
            return 0, 0, 0
        seen = await touches_done(session, pending.keys)
        now = self._loop.now()
        requests = []
        for draft, key in zip(pending.drafts, pending.keys, strict=True):
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
        return created, len(pending.drafts) - created, len(pending.drafts)
