"""Find the name, company and job title in what is left of a capture once emails, phones
and interest words are cut out; everything else becomes notes.

A one-line capture is split at commas, 、, semicolons, bars and spaced dashes or slashes;
a pasted business card (text with newlines) is read one line at a time. Each segment is
cut into pieces, and each piece gets a role: a job title, a company (by a marker such as
"Inc." or "株式会社", or by "@ Initech", "at Initech", "(Initech)"), a remark, or unknown.
Unknown pieces are names or companies by position: the first is the name (unless it is
one word and a later piece is clearly a person's name), the next is the company.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum, auto
from functools import lru_cache
from typing import Final, NamedTuple

from leads.markup import mask_markup
from leads.organizations import (
    has_japanese_marker,
    is_company,
    is_japanese_form,
    is_legal_suffix,
    is_organization_ending,
)
from leads.people import NOT_A_NAME, STRONG, WEAK, is_honorific, name_score
from leads.titles import japanese_name_before_title, title_spans

# A "(...)" group is never split, so "Jane Doe (CTO, Initech)" stays one segment.
_SEPARATOR: Final = re.compile(r"(?P<group>\([^()\n]*\))|[,、;|\n]|(?<!\S)[-\u2013\u2014/]+(?!\S)")
_GROUP: Final = re.compile(r"\([^()\n]*\)")
_WORD: Final = re.compile(r"\S+")
_LINE: Final = re.compile(r"[^\n]+")
_CONNECTOR: Final = re.compile(r"\s+(?:@\s*|(?:at|from)\s+)(?=\S)|\s*@\s+(?=\S)", re.IGNORECASE)
_OF: Final = re.compile(r"\s*of\s+(?=\S)", re.IGNORECASE)
_LEADING_JUNK: Final = " :/-\u2013\u2014)]}"
_TRAILING_JUNK: Final = " :/-\u2013\u2014([{"
_MAX_COMPANY_WORDS: Final = 6
_NAME_WORDS: Final = 2

_NOTE_WORDS: Final = frozenset(
    {
        *("an", "to", "is", "are", "was", "were", "be", "been", "has", "have", "had"),
        *("would", "should", "could", "please", "wants", "want", "wanted", "needs", "need"),
        *("asked", "said", "call", "send", "follow", "next", "after", "before", "tomorrow"),
        *("today", "week", "month", "his", "her", "their", "he", "she", "they", "we", "our"),
        *("me", "my", "you", "your", "about", "very", "not", "maybe", "interested"),
        *("looking", "demo", "meeting", "quote", "pricing", "trial", "brochure", "later"),
        *("asap", "again", "budget"),
    }
)
_JAPANESE_NOTE_WORDS: Final = (
    *("希望", "連絡", "送付", "検討", "予定", "来週", "後日", "折り返し", "デモ", "見積"),
    *("相談", "案内", "資料", "要望", "導入", "訪問", "打ち合わせ", "打合せ", "商談"),
)
_URL: Final = re.compile(r"https?://|www\.", re.IGNORECASE)
_ADDRESS: Final = re.compile(
    r"〒|丁目|番地|(?:北海道|東京都|大阪府|京都府|\w{2,3}県)\w{0,12}?[市区町村郡]"
    r"|\b\d+\s+\w+[^\n]{0,60}?\b(?:street|st|avenue|ave|road|rd|boulevard|blvd|drive|lane|ln|way)\b"
    r"|\b(?:suite|ste|floor)\.?\s*#?\d+",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Fields:
    """The name, company and job title found in a capture, and the rest as notes."""

    name: str
    company: str
    title: str
    notes: list[str]


def read_fields(text: str, *, card: bool, email: str = "") -> Fields:
    """Read one capture line, or a business card with one field per line, into fields.

    `email` is the lead's email, if any: a piece that spells its domain ("Initech" for
    jane@initech.com) is the company.
    """
    typed = _Text(text, mask_markup(text))
    whole = _Span(0, len(text))
    pieces = _card_pieces(typed, whole) if card else _line_pieces(typed, whole)
    return _assign(typed, _company_from_email(typed, pieces, email))


class _Role(Enum):
    """What a piece of the text is taken for."""

    UNKNOWN = auto()  # a name or a company, decided by position and looks
    COMPANY = auto()
    TITLE = auto()
    NOTE = auto()


class _Span(NamedTuple):
    start: int
    end: int


class _Piece(NamedTuple):
    span: _Span
    role: _Role


class _Text:
    """The typed text and a masked twin of the same length with Slack markup blanked out.

    Every rule reads the twin, so none can split, cut or look inside markup; the values
    that go into fields are sliced from the typed text. Spans never change, so what is
    read of one is kept for the rest of the capture.
    """

    __slots__ = ("_title_spans", "_title_words", "_views", "_words", "masked", "typed")

    def __init__(self, typed: str, masked: str) -> None:
        self.typed = typed
        self.masked = masked
        self._views: dict[_Span, str] = {}
        self._words: dict[_Span, tuple[_Span, ...]] = {}
        self._title_words: dict[_Span, tuple[_Span, ...]] = {}
        self._title_spans: dict[_Span, tuple[tuple[int, int], ...]] = {}

    def view(self, span: _Span) -> str:
        """The masked text of a span, tidied: what the rules read."""
        view = self._views.get(span)
        if view is None:
            view = self._views[span] = _tidy(self.masked[span.start : span.end])
        return view

    def show(self, span: _Span) -> str:
        """The typed text of a span, tidied: what a field gets."""
        return _tidy(self.typed[span.start : span.end])

    def words(self, span: _Span) -> tuple[_Span, ...]:
        """The words of a span."""
        words = self._words.get(span)
        if words is None:
            found = _WORD.finditer(self.masked, span.start, span.end)
            words = self._words[span] = tuple(_Span(*match.span()) for match in found)
        return words

    def title_words(self, span: _Span) -> tuple[_Span, ...]:
        """The words of a span, with a Japanese name glued to a title ("鈴木一郎部長") as two."""
        words = self._title_words.get(span)
        if words is None:
            words = self._title_words[span] = self._split_title_words(span)
        return words

    def _split_title_words(self, span: _Span) -> tuple[_Span, ...]:
        if self.typed[span.start : span.end].isascii():  # Japanese titles only
            return self.words(span)
        words: list[_Span] = []
        for word in self.words(span):
            name = japanese_name_before_title(self.typed[word.start : word.end])
            if name:
                words.append(_Span(word.start, word.start + name))
            words.append(_Span(word.start + name, word.end))
        return tuple(words)

    def title_spans(self, span: _Span) -> tuple[tuple[int, int], ...]:
        """The [start, end) ranges of the span's title words that make up job titles."""
        spans = self._title_spans.get(span)
        if spans is None:
            spans = self._title_spans[span] = tuple(title_spans(self.texts(self.title_words(span))))
        return spans

    def texts(self, words: Sequence[_Span]) -> list[str]:
        """The typed text of each word."""
        typed = self.typed
        return [typed[start:end] for start, end in words]


def _tidy(segment: str) -> str:
    return " ".join(segment.split()).lstrip(_LEADING_JUNK).rstrip(_TRAILING_JUNK)


# --- Reading the pieces ------------------------------------------------------------------


def _card_pieces(text: _Text, span: _Span) -> list[_Piece]:
    """Read a pasted business card: each line is one field, or notes."""
    pieces: list[_Piece] = []
    for match in _LINE.finditer(text.masked, span.start, span.end):
        line = _Span(*match.span())
        if not text.view(line):
            continue
        if _URL.search(text.show(line)) or _ADDRESS.search(text.show(line)):
            pieces.append(_Piece(line, _Role.NOTE))
        else:
            pieces.extend(_card_line_pieces(text, line))
    return pieces


def _card_line_pieces(text: _Text, line: _Span) -> list[_Piece]:
    """A card line with a title is all title ("Director, Global Events"), but for a name."""
    pieces = _line_pieces(text, line)
    roles = {piece.role for piece in pieces}
    if _Role.TITLE not in roles or not roles <= {_Role.TITLE, _Role.UNKNOWN}:
        return pieces
    names = [piece for piece in pieces if _is_clear_name(text, piece)]
    rest = [piece.span for piece in pieces if piece not in names]
    title = _Span(rest[0].start, rest[-1].end)
    if len(names) > 1 or any(title.start < name.span.start < title.end for name in names):
        return pieces
    return sorted([_Piece(title, _Role.TITLE), *names], key=lambda piece: piece.span.start)


def _is_clear_name(text: _Text, piece: _Piece) -> bool:
    return piece.role is _Role.UNKNOWN and name_score(text.view(piece.span)) == STRONG


def _line_pieces(text: _Text, span: _Span) -> list[_Piece]:
    segments = _merge_suffixes(text, _segments(text, span))
    return [piece for segment in segments for piece in _segment_pieces(text, segment)]


def _segments(text: _Text, span: _Span) -> list[_Span]:
    """Split a span at commas, 、, semicolons, bars, newlines and spaced dashes or slashes."""
    masked = text.masked
    segments: list[_Span] = []
    start = span.start
    for match in _SEPARATOR.finditer(masked, span.start, span.end):
        if match["group"] is None:
            segments.append(_Span(start, match.start()))
            start = match.end()
    segments.append(_Span(start, span.end))
    return [
        segment
        for segment in segments
        if not _is_blank(masked[segment.start : segment.end]) and text.view(segment)
    ]


def _is_blank(text: str) -> bool:
    return not text or text.isspace()


def _merge_suffixes(text: _Text, segments: list[_Span]) -> list[_Span]:
    """Glue a lone "Inc." or "Ltd." back onto the segment before it ("Acme, Inc.")."""
    merged: list[_Span] = []
    for segment in segments:
        if merged and all(map(is_legal_suffix, text.view(segment).split())):
            merged[-1] = _Span(merged[-1].start, segment.end)
        else:
            merged.append(segment)
    return merged


def _segment_pieces(text: _Text, segment: _Span) -> list[_Piece]:
    """Read one segment: "Jane Doe (Initech)", "Jane Doe @ Initech", "VP Sales", "Initech"."""
    if "(" not in text.masked[segment.start : segment.end]:
        return _connector_split(text, segment)
    groups = _GROUP.finditer(text.masked, segment.start, segment.end)
    group = next((group for group in groups if not is_japanese_form(group[0])), None)
    if group is None:
        return _connector_split(text, segment)
    before = _Span(segment.start, group.start())
    inner = _Span(group.start() + 1, group.end() - 1)
    after = _Span(group.end(), segment.end)
    if not _is_company_in_brackets(text, before, after):
        return _connector_split(text, segment)
    inside = [piece for part in _segments(text, inner) for piece in _titles(text, part)]
    return [*_connector_split(text, before), *_as_company(text, inside), *_titles(text, after)]


def _is_company_in_brackets(text: _Text, before: _Span, after: _Span) -> bool:
    """True for "Jane Doe (Initech)" and "山田太郎(株式会社アクメ)部長", not "Bob (Rob) Li"."""
    if not text.view(before) or _is_note(text.view(before)):
        return False
    return not text.view(after) or _is_all_title(text, after)


def _connector_split(text: _Text, segment: _Span) -> list[_Piece]:
    """Split "Jane Doe @ Initech", "Jane Doe at Initech" and "CTO from Initech"."""
    connector = _CONNECTOR.search(text.masked, segment.start, segment.end)
    if connector is None:
        return _titles(text, segment)
    before = _Span(segment.start, connector.start())
    after = _Span(connector.end(), segment.end)
    if not _joins_person_and_company(text, before, after, at_sign="@" in connector[0]):
        return _titles(text, segment)
    company = _as_company(text, _titles(text, after))
    if not any(piece.role is _Role.COMPANY for piece in company):  # "Jane at CTO"
        return _titles(text, segment)
    return [*_titles(text, before), *company]


def _joins_person_and_company(text: _Text, before: _Span, after: _Span, *, at_sign: bool) -> bool:
    person, company = text.view(before), text.view(after)
    if not person or not company or _is_note(person) or _is_note(company):
        return False
    if name_score(person) == NOT_A_NAME and not _has_title(text, before):
        return False
    capitalized = company[0].isupper() or not company[0].isascii()
    return len(company.split()) <= _MAX_COMPANY_WORDS and (at_sign or capitalized)


def _titles(text: _Text, segment: _Span) -> list[_Piece]:
    """Cut job titles out of a segment: "Jane Doe Sales Director Initech" is three pieces."""
    words = text.title_words(segment)
    spans = () if _is_note(text.view(segment)) else text.title_spans(segment)
    pieces: list[_Piece] = []
    start = segment.start
    for first, last in spans:
        pieces.extend(_plain_pieces(text, _Span(start, words[first].start), pieces))
        pieces.append(_Piece(_Span(words[first].start, words[last - 1].end), _Role.TITLE))
        start = words[last - 1].end
    pieces.extend(_plain_pieces(text, _Span(start, segment.end), pieces))
    return pieces


def _plain_pieces(text: _Text, span: _Span, before: list[_Piece]) -> list[_Piece]:
    """A piece without titles; right after a title, "of Initech" is the company ("CEO of")."""
    if not text.view(span):
        return []
    after_title = bool(before) and before[-1].role is _Role.TITLE
    of = _OF.match(text.masked, span.start, span.end) if after_title else None
    company = _Span(of.end(), span.end) if of else None
    if company is not None and text.view(company):
        return [_Piece(company, _Role.COMPANY)]
    return [_Piece(span, _plain_role(text, span))]


def _plain_role(text: _Text, span: _Span) -> _Role:
    if is_company(text.texts(text.words(span))):
        return _Role.COMPANY
    return _Role.NOTE if _is_note(text.view(span)) else _Role.UNKNOWN


def _as_company(text: _Text, pieces: list[_Piece]) -> list[_Piece]:
    """Take the unknown pieces for a company, unless one is clearly a person's name."""
    return [
        _Piece(piece.span, _Role.COMPANY)
        if piece.role is _Role.UNKNOWN and name_score(text.view(piece.span)) < STRONG
        else piece
        for piece in pieces
    ]


def _is_all_title(text: _Text, span: _Span) -> bool:
    count = len(text.title_words(span))
    return bool(count) and text.title_spans(span) == ((0, count),)


def _has_title(text: _Text, span: _Span) -> bool:
    return bool(text.title_spans(span))


@lru_cache(maxsize=2048)
def _is_note(text: str) -> bool:
    """Tell whether text reads like a remark ("wants a demo", "資料送付希望"), not a name."""
    if "a" in text.split():  # lower-case only: "Jane A Doe" has a middle initial
        return True
    if any(map(_NOTE_WORDS.__contains__, map(_strip_punctuation, text.lower().split()))):
        return True
    return not text.isascii() and any(word in text for word in _JAPANESE_NOTE_WORDS)


def _strip_punctuation(word: str) -> str:
    return word.strip(".,!?")


# --- Choosing the fields -----------------------------------------------------------------


def _company_from_email(text: _Text, pieces: list[_Piece], email: str) -> list[_Piece]:
    """Without a marked company, an unknown piece that spells the email's domain is one."""
    if any(piece.role is _Role.COMPANY for piece in pieces):
        return pieces
    labels = set(email.rpartition("@")[2].split("."))
    for i, piece in enumerate(pieces):
        if piece.role is _Role.UNKNOWN and _spelled(text.view(piece.span)) in labels:
            return [*pieces[:i], _Piece(piece.span, _Role.COMPANY), *pieces[i + 1 :]]
    return pieces


def _spelled(text: str) -> str:
    """Letters and digits only, lower-cased: "Acme Widgets" is spelled "acmewidgets"."""
    return "".join(filter(str.isalnum, text.lower())) or "-"


def _assign(text: _Text, pieces: list[_Piece]) -> Fields:
    """Pick the name, company and title among the pieces; everything else is notes."""
    if not any(piece.role is _Role.UNKNOWN for piece in pieces):
        pieces = _split_person_from_company(text, pieces)
    name = _choose_name(text, pieces)
    company = next((piece for piece in pieces if piece.role is _Role.COMPANY), None)
    if company is None:
        company = next((p for p in pieces if p.role is _Role.UNKNOWN and p != name), None)
    titles = [text.show(piece.span) for piece in pieces if piece.role is _Role.TITLE]
    notes = [
        text.show(piece.span)
        for piece in pieces
        if piece not in (name, company) and piece.role is not _Role.TITLE
    ]
    return Fields(_shown(text, name), _shown(text, company), _join_titles(titles), notes)


def _shown(text: _Text, piece: _Piece | None) -> str:
    return "" if piece is None else text.show(piece.span)


def _choose_name(text: _Text, pieces: list[_Piece]) -> _Piece | None:
    """The first unknown piece, unless it is one word and a later one is clearly a name."""
    unknown = [piece for piece in pieces if piece.role is _Role.UNKNOWN]
    if not unknown:
        return None
    if name_score(text.view(unknown[0].span)) <= WEAK:
        clear = (piece for piece in unknown[1:] if name_score(text.view(piece.span)) == STRONG)
        return next(clear, unknown[0])
    return unknown[0]


def _join_titles(titles: list[str]) -> str:
    """Join titles with ", ", or with a space next to Japanese: "情報システム部 部長"."""
    joined = ""
    for title in titles:
        if not joined:
            joined = title
        elif joined[-1].isascii() and title[0].isascii():
            joined = f"{joined}, {title}"
        else:
            joined = f"{joined} {title}"
    return joined


def _split_person_from_company(text: _Text, pieces: list[_Piece]) -> list[_Piece]:
    """With no name elsewhere, find one in the first company piece: "John Smith Acme Corp"."""
    at = next((i for i, piece in enumerate(pieces) if piece.role is _Role.COMPANY), None)
    if at is None:
        return pieces
    whole = pieces[at].span
    words = text.words(whole)
    first, last = _company_words(text.texts(words))
    company = _Span(words[first].start, words[last - 1].end)
    before = _Span(whole.start, company.start)
    after = _Span(company.end, whole.end)
    return [
        *pieces[:at],
        *_plain_pieces(text, before, []),
        _Piece(company, _Role.COMPANY),
        *_plain_pieces(text, after, []),
        *pieces[at + 1 :],
    ]


def _company_words(words: list[str]) -> tuple[int, int]:
    """Return the [start, end) range of the words that make up the company."""
    for i, word in enumerate(words):
        if is_legal_suffix(word) or (i == len(words) - 1 and is_organization_ending(word)):
            end = i + 1
            while end < len(words) and is_legal_suffix(words[end]):
                end += 1
            return min(_name_length(words), max(i - 1, 0)), end
        if is_japanese_form(word):
            return (i, i + 2) if i + 1 < len(words) else (max(i - 1, 0), i + 1)
        if has_japanese_marker(word):
            return i, i + 1
    return 0, len(words)


def _name_length(words: list[str]) -> int:
    """Assume a name without separators is up to two words after any honorifics."""
    honorifics = 0
    while honorifics < len(words) and is_honorific(words[honorifics]):
        honorifics += 1
    return honorifics + _NAME_WORDS
