"""List import's reading side: rows of a CSV file turned into drafts with once-only keys,
a chunk (one write transaction) at a time.

Pure and light (no database, no Slack), so that `leadbot import` can run it in a process of
its own while the previous chunk is being written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from blocks.messages import problems_line
from leads.importing import header_map, is_blank_row, row_to_draft
from leads.language import Language
from leads.model import LeadDraft, Source

BATCH_SIZE: Final = 2000
NAMED_BY: Final = frozenset({"name", "family_name", "given_name", "email"})


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
class ReadChunk:
    """Rows read in file order: up to a batch of drafts with their once-only keys, and the
    rows refused or blank on the way; what one write transaction takes."""

    drafts: list[LeadDraft] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    rejects: list[tuple[Sequence[str], str]] = field(default_factory=list)  # row, why
    blank: int = 0


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


class RowReader:
    """Turns rows into drafts, a chunk at a time; pure, so it may run in another process
    (it pickles: headers, column map, options and a language)."""

    def __init__(
        self,
        headers: Sequence[str],
        extra: Mapping[str, str],
        options: ImportOptions,
        language: Language,
    ) -> None:
        self.headers = list(headers)
        self.mapping = column_map(headers, extra)
        self.options = options
        self.language = language

    def chunks(self, rows: Iterable[Sequence[str]]) -> Iterator[ReadChunk]:
        """The rows in chunks of `batch_size` drafts (the last one may hold fewer, or none)."""
        chunk = ReadChunk()
        for row in rows:
            if self._read(row, chunk) >= self.options.batch_size:
                yield chunk
                chunk = ReadChunk()
        yield chunk

    def _read(self, row: Sequence[str], chunk: ReadChunk) -> int:
        """Add one row to the chunk; returns the chunk's number of drafts."""
        if is_blank_row(row):
            chunk.blank += 1
            return len(chunk.drafts)
        options = self.options
        draft = row_to_draft(
            row, self.mapping, headers=self.headers, source=options.source, event=options.event
        )
        if isinstance(draft, dict):
            chunk.rejects.append((row, problems_line(draft, self.language)))
        else:
            chunk.drafts.append(draft)
            chunk.keys.append(row_key(row, options))
        return len(chunk.drafts)
