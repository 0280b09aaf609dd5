"""Job titles and departments in English and Japanese, as people write them at a booth."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum, auto
from functools import lru_cache
from typing import Final

from leads.organizations import has_japanese_marker


class _Kind(Enum):
    """What one word can be inside a job title."""

    TITLE = auto()  # a title on its own: "CEO", "Director", "部長", "営業部長", "情報システム部"
    NEEDS_COMPANION = auto()  # a title only beside another title word: "Team Lead"
    MODIFIER = auto()  # "Senior", "Chief", "Regional"
    DEPARTMENT = auto()  # "Sales", "Engineering": a title on its own only as a whole segment
    JOINER = auto()  # "&", "and", "/": only between two title words
    OF = auto()  # "Head of Sales"
    OTHER = auto()


_EN_TITLES: Final = frozenset(
    {
        *("ceo", "cto", "cfo", "coo", "cio", "cmo", "cso", "cpo", "cro", "cdo", "ciso", "chro"),
        *("vp", "svp", "evp", "avp", "president", "vice-president"),
        *("founder", "co-founder", "cofounder", "owner", "partner", "principal"),
        *("chairman", "chairwoman", "chairperson", "director", "manager", "supervisor"),
        *("officer", "engineer", "developer", "programmer", "architect", "technician"),
        *("consultant", "advisor", "adviser", "analyst", "specialist", "scientist"),
        *("researcher", "designer", "planner", "producer", "editor", "strategist"),
        *("evangelist", "coordinator", "administrator", "secretary", "treasurer", "buyer"),
        *("recruiter", "accountant", "attorney", "counsel", "marketer", "salesperson"),
        *("professor", "lecturer", "intern", "student", "associate"),
    }
)
_EN_NEEDS_COMPANION: Final = frozenset(
    {"lead", "leader", "head", "executive", "exec", "representative", "rep", "member"}
)
_EN_MODIFIERS: Final = frozenset(
    {
        *("senior", "sr", "junior", "chief", "vice", "deputy", "assistant", "asst"),
        *("executive", "exec", "managing", "general", "regional", "global"),
        *("national", "international", "group", "principal", "staff", "lead", "interim"),
        *("acting", "co", "country", "area", "district", "division", "divisional"),
        *("branch", "store", "plant", "project", "program", "programme", "account", "key"),
        *("technical", "tech", "team", "solutions", "solution", "field", "inside"),
        *("partner", "channel", "community", "creative", "founding", "board", "full-stack"),
        *("fullstack", "backend", "frontend", "devops", "network", "systems", "platform"),
        *("site", "reliability", "distinguished", "operating", "technology", "information"),
    }
)
_EN_DEPARTMENTS: Final = frozenset(
    {
        *("sales", "marketing", "engineering", "product", "products", "operations", "ops"),
        *("finance", "financial", "it", "hr", "legal", "procurement", "purchasing"),
        *("research", "development", "r&d", "business", "bd", "customer", "customers"),
        *("success", "support", "service", "services", "security", "data", "analytics"),
        *("design", "communications", "comms", "strategy", "planning", "corporate"),
        *("partnerships", "alliances", "digital", "growth", "people", "talent", "quality"),
        *("manufacturing", "supply", "chain", "logistics", "infrastructure", "human"),
        *("resources", "administration", "accounting", "treasury", "risk", "compliance"),
        *("innovation", "transformation", "ecommerce", "e-commerce", "brand", "content"),
        *("events", "pr", "public", "relations", "investor", "revenue", "experience", "cx"),
        *("ux", "software", "hardware", "cloud", "ai", "ml", "apac", "emea", "latam"),
        *("americas", "enterprise", "commercial", "education", "training", "facilities"),
    }
)
_EN_JOINERS: Final = frozenset({"&", "and", "/", "+"})

# A word that ends with one of these is a Japanese job title: "営業部長", "代表取締役社長".
_JA_TITLE_SUFFIXES: Final = (
    *("代表取締役", "取締役", "執行役員", "執行役", "監査役", "相談役", "顧問", "常務", "専務"),
    *("社長", "副社長", "会長", "副会長", "代表", "理事", "理事長", "本部長", "副本部長"),
    *("事業部長", "部長", "副部長", "次長", "課長", "係長", "主任", "主査", "主幹", "参事"),
    *("室長", "所長", "支店長", "支社長", "工場長", "店長", "局長", "院長", "センター長"),
    *("グループ長", "チーム長", "班長", "代理", "補佐", "担当", "担当者", "責任者", "研究員"),
    *("マネージャー", "マネジャー", "マネージャ", "リーダー", "ディレクター", "エンジニア"),
    *("コンサルタント", "スペシャリスト", "アナリスト", "デザイナー", "プランナー"),
    *("プロデューサー", "アーキテクト", "オフィサー", "プレジデント", "ファウンダー"),
    *("教授", "准教授", "講師", "学生", "インターン"),
)
# Units named after a place ("東京支店長"): what comes before them is never a person.
_JA_PLACE_UNITS: Final = ("支店長", "支社長", "工場長", "店長", "所長", "局長", "院長")
_JA_UNITS: Final = ("部", "課", "室", "本部", "部門", "局", "グループ", "チーム", "センター", "係")
_JA_FUNCTIONS: Final = (
    *("営業", "販売", "開発", "技術", "情報", "システム", "総務", "人事", "経理", "財務"),
    *("企画", "経営", "広報", "宣伝", "マーケティング", "製造", "生産", "品質", "研究"),
    *("購買", "調達", "法務", "事業", "管理", "設計", "物流", "海外", "国際", "業務"),
    *("デジタル", "戦略", "カスタマー", "サポート", "サービス", "ソリューション", "推進"),
    *("監査", "知財", "資材", "施設", "秘書", "商品", "製品", "顧客", "新規", "総合"),
    *("法人", "第", "IT", "DX", "AI"),
)
_JA_PLACE_ENDINGS: Final = ("県", "都", "府", "道", "市", "区", "町", "村", "神奈川", "和歌山")
_JA_NAME_BEFORE_TITLE: Final = 3  # "鈴木一郎営業部長": a prefix this long is a person's name
_CHIEF_REACH: Final = 3  # "Chief Medical Officer": up to two words of any kind in between


def title_spans(words: Sequence[str]) -> list[tuple[int, int]]:
    """Return the [start, end) word ranges that make up job titles, in order."""
    kinds = _chief_officers(words, [_kind(word) for word in words])
    spans: list[tuple[int, int]] = []
    start = 0
    while start < len(kinds):
        end = _run_end(kinds, start)
        if end > start:
            trimmed = _trim_joiners(kinds, start, end)
            if _is_title_run(kinds[trimmed[0] : trimmed[1]], whole=len(kinds) == end - start):
                spans.append(trimmed)
            start = end
        else:
            start += 1
    return spans


def japanese_name_before_title(word: str) -> int:
    """Return the length of a person's name glued before a Japanese title ("鈴木一郎部長"), or 0."""
    if word.isascii():  # every Japanese title suffix is kana or kanji
        return 0
    return _japanese_name_before_title(word)


@lru_cache(maxsize=4096)
def _japanese_name_before_title(word: str) -> int:
    if has_japanese_marker(word) or not word.endswith(_JA_TITLE_SUFFIXES):
        return 0
    if word.endswith(_JA_PLACE_UNITS):
        return 0
    starts = [word.find(part) for part in (*_JA_FUNCTIONS, *_JA_TITLE_SUFFIXES) if part in word]
    prefix = word[: min(starts)]
    if len(prefix) < _JA_NAME_BEFORE_TITLE or prefix.endswith(_JA_PLACE_ENDINGS):
        return 0
    return len(prefix) if all(map(_is_japanese_letter, prefix)) else 0


def _is_japanese_letter(char: str) -> bool:
    return "\u3040" <= char <= "\u30ff" or "\u3400" <= char <= "\u9fff" or char == "\u3005"


def _run_end(kinds: list[_Kind], start: int) -> int:
    """Return where a run of title-like words starting at `start` ends (start if none)."""
    end = start
    while end < len(kinds) and _continues_run(kinds, end, start):
        end += 1
    return end


def _continues_run(kinds: list[_Kind], at: int, start: int) -> bool:
    kind = kinds[at]
    if kind is _Kind.OTHER:
        return False
    if kind in (_Kind.JOINER, _Kind.OF):
        return at > start and at + 1 < len(kinds) and kinds[at + 1] is not _Kind.OTHER
    return True


def _chief_officers(words: Sequence[str], kinds: list[_Kind]) -> list[_Kind]:
    """Let any words between "Chief" and "Officer" be part of the title."""
    for at, word in enumerate(words):
        if _normalize(word) != "officer":
            continue
        reach = range(at - 1, max(at - _CHIEF_REACH, 0) - 1, -1)
        chief = next((i for i in reach if _normalize(words[i]) == "chief"), None)
        if chief is not None:
            kinds[chief + 1 : at] = [_Kind.MODIFIER] * (at - chief - 1)
    return kinds


def _trim_joiners(kinds: list[_Kind], start: int, end: int) -> tuple[int, int]:
    while start < end and kinds[start] in (_Kind.JOINER, _Kind.OF):
        start += 1
    while end > start and kinds[end - 1] in (_Kind.JOINER, _Kind.OF):
        end -= 1
    return start, end


def _is_title_run(kinds: list[_Kind], *, whole: bool) -> bool:
    """Tell whether a run of title-like words is a title ("Product Marketing" only as a whole)."""
    if _Kind.TITLE in kinds:
        return True
    words = [kind for kind in kinds if kind not in (_Kind.JOINER, _Kind.OF)]
    if _Kind.NEEDS_COMPANION in words and len(words) > 1:
        return True
    return whole and bool(words) and words[-1] is _Kind.DEPARTMENT


@lru_cache(maxsize=8192)
def _kind(word: str) -> _Kind:
    if has_japanese_marker(word):
        return _Kind.OTHER
    japanese = _japanese_kind(word)
    if japanese is not None:
        return japanese
    parts = _normalize(word).split("/")
    kinds = [_english_kind(part) for part in parts if part]
    if len(kinds) == 1 or not kinds:
        return kinds[0] if kinds else _Kind.JOINER
    return _strongest(kinds)


def _strongest(kinds: list[_Kind]) -> _Kind:
    """Kind of a slashed word ("Founder/CEO"): a title if every part is title-like."""
    if _Kind.OTHER in kinds:
        return _Kind.OTHER
    for kind in (_Kind.TITLE, _Kind.NEEDS_COMPANION, _Kind.DEPARTMENT):
        if kind in kinds:
            return kind
    return _Kind.MODIFIER


@lru_cache(maxsize=8192)
def _normalize(word: str) -> str:
    return word.replace("&amp;", "&").strip(".,:;()[]").lower()


def _english_kind(word: str) -> _Kind:
    if word in _EN_TITLES:
        return _Kind.TITLE
    if word in _EN_NEEDS_COMPANION:
        return _Kind.NEEDS_COMPANION
    if word in _EN_DEPARTMENTS:
        return _Kind.DEPARTMENT
    if word in _EN_MODIFIERS:
        return _Kind.MODIFIER
    if word in _EN_JOINERS:
        return _Kind.JOINER
    return _Kind.OF if word == "of" else _Kind.OTHER


def _japanese_kind(word: str) -> _Kind | None:
    """Kind of a word with Japanese in it, or None for a word that has none."""
    if not any(map(_is_japanese_letter, word)):
        return None
    if word.endswith(_JA_TITLE_SUFFIXES) or _is_japanese_department(word):
        return _Kind.TITLE
    return _Kind.OTHER


def _is_japanese_department(word: str) -> bool:
    """Tell "情報システム部" (a department) from "阿部" (a family name that ends like one)."""
    return word.endswith(_JA_UNITS) and any(function in word for function in _JA_FUNCTIONS)
