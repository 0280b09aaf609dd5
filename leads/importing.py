"""List import: attendee and business-card lists (CSV from Excel, in English or Japanese) read
into lead drafts, with capture's own normalization and validation.

Columns are found by their header, ignoring case, full or half width and marks such as
"(必須)"; the rules file can add or override header names. A column no header name explains
is kept in the notes as "header: value", so nothing in the file is lost.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, NamedTuple

from leads.answers import (
    INTEREST_UNKNOWN,
    YES_NO_UNREADABLE,
    is_refusal,
    read_interest,
    read_yes_no,
)
from leads.checks import FieldError
from leads.model import CompanySize, Interest, LeadDraft, Source, capture_defaults
from leads.people import is_japanese
from leads.validation import Problem, normalize_draft, validate_draft

IGNORE: Final = "ignore"
TARGETS: Final = (
    *("name", "family_name", "given_name", "company", "department", "title", "email"),
    *("phone", "industry", "company_size", "event", "product", "interest", "consent"),
    *("notes", IGNORE),
)

# Header names by the field they fill, as written; they are compared by header_key().
HEADER_NAMES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "name": (
            *("name", "full name", "contact name"),
            *("氏名", "名前", "お名前", "ご氏名", "姓名", "担当者名", "氏名(漢字)"),
        ),
        "family_name": ("last name", "surname", "family name", "姓", "苗字", "名字"),
        "given_name": ("first name", "given name", "名"),
        "company": (
            *("company", "company name", "organization", "organisation", "account name"),
            *("会社名", "企業名", "会社", "法人名", "社名", "勤務先", "勤務先名"),
        ),
        "department": ("department", "dept", "division", "部署", "部署名", "部門", "所属部署"),
        "title": ("title", "job title", "position", "役職", "役職名", "肩書", "肩書き"),
        "email": (
            *("email", "email address", "mail", "mail address"),
            *("メールアドレス", "メール", "eメール", "メアド", "電子メール"),
        ),
        "phone": (
            *("phone", "phone number", "telephone", "tel", "mobile", "mobile phone", "cell"),
            *("電話番号", "電話", "携帯", "携帯電話", "携帯番号", "携帯電話番号"),
        ),
        "industry": ("industry", "業種", "業界"),
        "company_size": (
            *("company size", "employees", "number of employees", "headcount"),
            *("従業員数", "社員数", "従業員規模", "企業規模"),
        ),
        "event": (
            *("event", "event name"),
            *("イベント", "イベント名", "展示会", "展示会名", "セミナー名"),
        ),
        "product": ("product", "product interest", "製品", "製品名", "関心製品", "興味のある製品"),
        "interest": ("interest", "interest level", "関心度", "興味", "温度感", "見込み度"),
        "consent": (
            *("consent", "opt-in", "marketing consent"),
            *("同意", "連絡同意", "配信同意", "メール配信同意", "情報提供同意"),
        ),
        "notes": (
            *("notes", "note", "memo", "comments", "comment", "remarks"),
            *("備考", "メモ", "コメント", "特記事項", "備考欄"),
        ),
    }
)

# Marks that say a column is required or optional, not what it holds.
_MARKS: Final = re.compile(r"[(\[【](?:必須|任意|required|optional)[)\]】]")
_SPACING: Final = re.compile(r"[\s\-_.・:*※\u200b\u200c\u200d\u2060\ufeff]+")
_HEAD_COUNT: Final = re.compile(r"(\d[\d,]*)\s*(万|千)?")
_MULTIPLIERS: Final = {"万": 10_000, "千": 1_000}
_SIZE_BANDS: Final = ((50, CompanySize.MICRO), (250, CompanySize.SMALL), (1000, CompanySize.MEDIUM))


class CsvEncodingError(ValueError):
    """A file that is neither UTF-8 nor Shift_JIS; `position` is the first unreadable byte."""

    def __init__(self, position: int) -> None:
        super().__init__(
            f"the file is neither UTF-8 nor Shift_JIS (CP932): unreadable byte at {position};"
            " save it from Excel as 'CSV UTF-8'"
        )
        self.position = position


def encoding_candidates(head: bytes) -> tuple[str, ...]:
    """The encodings a CSV file starting with `head` (its first bytes) may be in, in the
    order they are tried: the one its BOM names, else UTF-8 then Shift_JIS/CP932."""
    if head.startswith(codecs.BOM_UTF8):
        return ("utf-8-sig",)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return ("utf-16",)
    return ("utf-8", "cp932")


def _decoded(raw: bytes) -> tuple[str, str]:
    failure = 0
    for encoding in encoding_candidates(raw[:4]):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError as error:
            failure = max(failure, error.start)
    raise CsvEncodingError(failure)


def csv_encoding(raw: bytes) -> str:
    """Which encoding a CSV file is in: "utf-8-sig" (UTF-8 with a BOM, Excel's "CSV UTF-8"),
    "utf-16" (with a BOM), "utf-8", or "cp932" (Shift_JIS as Japanese Excel writes it)."""
    return _decoded(raw)[1]


def decode_csv(raw: bytes) -> str:
    """The text of a CSV file in UTF-8 (with or without a BOM), UTF-16 with a BOM, or
    Shift_JIS/CP932; CsvEncodingError when it is none of them."""
    return _decoded(raw)[0]


def header_key(header: str) -> str:
    """A header as it is compared: width-folded, case-folded, without spaces, punctuation
    and "(必須)"-style marks ("E-mail Address", "email address" in full width and
    "EmailAddress" are one)."""
    text = unicodedata.normalize("NFKC", header).casefold()
    return _SPACING.sub("", _MARKS.sub("", text))


_KNOWN_HEADERS: Final[Mapping[str, str]] = MappingProxyType(
    {header_key(name): target for target, names in HEADER_NAMES.items() for name in names}
)


def _require_target(header: str, target: str) -> None:
    if target not in TARGETS:
        raise ValueError(
            f"header {header!r} maps to {target!r}, which is not one of {', '.join(TARGETS)}"
        )


def header_map(headers: Sequence[str], extra: Mapping[str, str]) -> dict[int, str]:
    """Column index -> the draft field it fills (or "ignore"), for the headers it knows; `extra`
    (header -> field, from the rules file) adds to and overrides the built-in names."""
    for header, target in extra.items():
        _require_target(header, target)
    known = {**_KNOWN_HEADERS, **{header_key(h): target for h, target in extra.items()}}
    keys = [header_key(header) for header in headers]
    return {index: known[key] for index, key in enumerate(keys) if key in known}


def is_blank_row(row: Sequence[str]) -> bool:
    """Whether every cell of the row is empty or only spaces (Excel leaves such rows)."""
    return not any(cell.strip() for cell in row)


def read_company_size(text: str) -> CompanySize | None:
    """A head-count band from "1000+", "1,200名", "50〜99人" or "1万人以上"; None if unreadable."""
    folded = unicodedata.normalize("NFKC", text).strip()
    try:
        return CompanySize(folded)
    except ValueError:
        pass
    found = _HEAD_COUNT.search(folded)
    if found is None:
        return None
    count = int(found[1].replace(",", "")) * _MULTIPLIERS.get(found[2] or "", 1)
    return next((band for limit, band in _SIZE_BANDS if count < limit), CompanySize.LARGE)


class _Cell(NamedTuple):
    column: int  # 0-based
    value: str


def _label(headers: Sequence[str], index: int) -> str:
    header = headers[index].strip() if index < len(headers) else ""
    return header or f"column {index + 1}"


class _Row:
    """A row's cells sorted by the field they fill; the rest become notes, in column order.
    A cell's column label is worked out only when it goes into the notes."""

    def __init__(self, row: Sequence[str], mapping: Mapping[int, str], headers: Sequence[str]):
        self.cells: dict[str, _Cell] = {}
        self._notes: list[tuple[int, str]] = []
        self._headers = headers
        target_of = mapping.get
        for index, raw in enumerate(row):
            value = raw.strip()
            if value:
                target = target_of(index)
                if target != IGNORE:
                    self._take(target, _Cell(index, value))

    def _take(self, target: str | None, cell: _Cell) -> None:
        if target == "notes":
            self._notes.append(cell)
        elif target is None:
            self.note(cell)
        elif (taken := self.cells.get(target)) is None:
            self.cells[target] = cell
        elif taken.value != cell.value:
            self.note(cell)

    def note(self, cell: _Cell) -> None:
        label = _label(self._headers, cell.column)
        self._notes.append(_Cell(cell.column, f"{label}: {cell.value}"))

    def text(self, target: str) -> str:
        cell = self.cells.get(target)
        return cell.value if cell else ""

    @property
    def notes(self) -> str:
        return "\n".join(note for _, note in sorted(self._notes))


def _name(row: _Row) -> str:
    family, given = row.cells.get("family_name"), row.cells.get("given_name")
    if row.text("name"):
        for part in (family, given):
            if part:
                row.note(part)
        return row.text("name")
    family_name, given_name = row.text("family_name"), row.text("given_name")
    if any(is_japanese(char) for char in family_name + given_name):
        return f"{family_name} {given_name}".strip()
    return f"{given_name} {family_name}".strip()


def _company_size(row: _Row) -> CompanySize | None:
    cell = row.cells.get("company_size")
    size = read_company_size(cell.value) if cell else None
    if cell and size is None:
        row.note(cell)
    return size


def _interest(row: _Row, errors: dict[str, Problem]) -> Interest | None:
    try:
        return read_interest(row.text("interest"))
    except ValueError:
        errors["interest"] = INTEREST_UNKNOWN
        return None


def _consent(row: _Row, errors: dict[str, Problem]) -> bool | None:
    """The consent cell: True (agreed), False (refused outright), None (empty, not yet,
    unreadable)."""
    cell = row.cells.get("consent")
    try:
        consent = read_yes_no(cell.value) if cell else None
    except ValueError:
        errors["consent"] = YES_NO_UNREADABLE
        return None
    if cell is None or consent is not False:
        return consent
    row.note(cell)  # a "no" is worth keeping in words too
    return False if is_refusal(cell.value) else None


def row_to_draft(
    row: Sequence[str],
    mapping: Mapping[int, str],
    *,
    headers: Sequence[str] = (),
    source: Source | None = None,
    event: str = "",
) -> LeadDraft | dict[str, Problem]:
    """A normalized, valid draft from one CSV row, or each bad field's problem.

    `mapping` comes from header_map(); `headers` label the cells kept in the notes. 姓 and 名
    are joined (family name first for Japanese names), 部署 goes before 役職 in the title,
    and the row's event wins over `event`. Without `source` the lead is from an event when
    it has one, else manual, as at capture. A "no" in the consent column opts the lead out.
    """
    cells = _Row(row, mapping, headers)
    errors: dict[str, Problem] = {}
    name = _name(cells)
    title = " ".join(part for part in (cells.text("department"), cells.text("title")) if part)
    company_size = _company_size(cells)
    interest = _interest(cells, errors)
    consent = _consent(cells, errors)
    event, source = capture_defaults(cells.text("event"), source, event)
    draft = LeadDraft(
        name=name,
        company=cells.text("company"),
        email=cells.text("email"),
        phone=cells.text("phone"),
        title=title,
        company_size=company_size,
        industry=cells.text("industry"),
        source=source,
        event=event,
        interest=interest,
        product=cells.text("product"),
        consent=consent is True,
        opted_out=consent is False,
        notes=cells.notes,
    )
    draft = normalize_draft(draft)
    for name, problem in validate_draft(draft).items():
        errors.setdefault(name, problem)
    return errors or draft


@dataclass(frozen=True)
class ImportSettings:
    """How `leadbot import` reads headers (rules-file key `list_import`): `headers` maps a
    header (as written in the file) to a field, adding to or overriding the built-in names;
    `ignore` drops a column instead of keeping it in the notes."""

    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for header, target in self.headers.items():
            if not header_key(header):
                raise FieldError("headers", f"has an empty header name: {header!r}")
            try:
                _require_target(header, target)
            except ValueError as error:
                raise FieldError("headers", str(error)) from None
