"""Properties of quick-capture parsing that hold for any text a person can type."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import example, given, settings
from hypothesis import strategies as st

from leads.model import LeadDraft
from leads.parsing import parse_quick_capture

# What parsing may drop, and only this:
# - everything that is not a letter or a digit (spaces, separators, brackets, punctuation);
# - the words that only label a value: "tel", "phone", "mobile", "mob", "cell", "電話",
#   "携帯", the "t" and "m" of "T:" and "M:", "mail", "email", "e-mail", "mailto", "メール",
#   the "e" of "E:", "interest" and "興味";
# - interest words ("hot", "ホット", ...), which become the draft's interest;
# - the number of a Slack phone link, <tel:09012345678|090-1234-5678>, when its label shows
#   the same digits: the label is kept as shown;
# - nothing, but a Japanese name glued to a title ("鈴木一郎部長") is cut off the title,
#   so that run is found in two parts, the second in the title;
# - "at", "from" and "of" joining a person or a title to a company ("Jane Doe at Initech",
#   "CEO of Initech"), and only when the draft has a company.
# Before comparing, both sides are folded the way parsing folds them: full-width ASCII to
# ASCII (but < > & stay full-width), the ideographic space to a space, invisible characters
# and control characters dropped. Emails are normalized with NFKC and lowercased, so the
# comparison is made after NFKC and lowercasing.
LABEL_WORDS = frozenset(
    {"tel", "phone", "mobile", "mob", "cell", "電話", "携帯", "t", "m"}
    | {"mail", "email", "e", "mailto", "メール", "interest", "興味"}
)
INTEREST_WORDS = frozenset(
    {"hot", "warm", "cold", "ホット", "ウォーム", "コールド", "熱い", "温かい", "暖かい", "冷たい"}
)
CONNECTOR_WORDS = frozenset({"at", "from", "of"})
# Phone numbers are stored with ASCII dashes: "090ー1234ー5678" keeps its digits only.
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff70"

_FOLD = str.maketrans(
    {
        **{chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)},
        **{char: char for char in "\uff1c\uff1e\uff06"},
        **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff"),
        "\u3000": " ",
    }
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_TEL_LINK = re.compile(r"<tel:(?P<number>[^<>|]*)\|(?P<label>[^<>]*)>", re.IGNORECASE)


def as_parsed(text: str) -> str:
    """The text folded as parsing folds it, with a tel link's number shown by its label."""
    folded = _CONTROL.sub("", text).translate(_FOLD)
    return _TEL_LINK.sub(_tel_as_shown, folded)


def _tel_as_shown(link: re.Match[str]) -> str:
    same = digits(link["label"]) == digits(link["number"])
    return f" {link['label']} " if same else link[0]


def digits(text: str) -> str:
    return "".join(char for char in text if char.isdigit())


def runs(text: str) -> list[str]:
    """Maximal runs of digits, ASCII letters or other letters, in the text as parsing sees it.

    An email's local part is ASCII, so "山田taro@acme.jp" is a name and an email: the runs
    "山田" and "taro" are checked apart, as are "tel" and "090" in "tel090-1234-5678".
    """
    found: list[str] = []
    current = ""
    for char in as_parsed(text):
        kind = _kind(char)
        if current and kind == _kind(current[-1]) and kind != "other":
            current += char
            continue
        if current:
            found.append(current)
        current = char if kind != "other" else ""
    if current:
        found.append(current)
    return found


def _kind(char: str) -> str:
    if not char.isalnum() or char in DASHES:
        return "other"
    if char.isdigit():
        return "digit"
    return "ascii letter" if char.isascii() else "letter"


def comparable(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def all_fields(draft: LeadDraft) -> str:
    return "\n".join(
        (draft.name, draft.company, draft.email, draft.phone, draft.title, draft.notes)
    )


def may_be_dropped(run: str, draft: LeadDraft) -> bool:
    word = run.lower()
    if word in LABEL_WORDS or word in INTEREST_WORDS:
        return True
    return word in CONNECTOR_WORDS and bool(draft.company)


def split_before_title(run: str, draft: LeadDraft) -> bool:
    kept = all_fields(draft)
    return any(run[:at] in kept and run[at:] in draft.title for at in range(1, len(run)))


def lost_runs(text: str) -> list[str]:
    draft = parse_quick_capture(text)
    kept = comparable(all_fields(draft))
    return [
        run
        for run in runs(text)
        if comparable(run) not in kept
        and not may_be_dropped(run, draft)
        and not split_before_title(run, draft)
    ]


WORDS = st.sampled_from(
    [
        *("Jane", "Doe", "Initech", "Inc.", "KK", "CEO", "VP", "Sales", "Head", "of"),
        *("Director,", "Marketing", "Lead", "at", "@", "from", "(", ")", "/", "-", ","),
        *("jane@initech.com", "E:", "T:", "tel:", "FAX", "090-1234-5678", "〒100-0001"),
        *("株式会社アクメ", "山田太郎", "営業部長", "情報システム部", "部長", "\uff08", "\uff09"),
        *("hot", "ホット", "interest:", "wants", "a", "demo", "<@U123>", "&amp;", "<!channel>"),
        *("\n", "\u3000", "、", "|", "www.initech.com", "東京都千代田区1-1"),
        *("\uff4a\uff41\uff4e\uff45", "\uff29\uff4e\uff43"),  # full-width "jane", "Inc"
        *("<mailto:jane@initech.com|Jane>", "<tel:0312345678|03-1234-5678>", "e-mail:"),
        *("<https://initech.com|Initech Site>", "Mobile:", "興味:", "CTO", "Co-founder", "&"),
        *("Chief", "Officer", "Senior", "Manager", "of", "Engineering", "鈴木一郎部長", "x123"),
    ]
)
BOOTH_TEXT = st.lists(WORDS, max_size=25).map(" ".join)


@given(st.text(max_size=300))
@settings(max_examples=400)
def test_never_raises_on_any_text(text: str) -> None:
    assert isinstance(parse_quick_capture(text), LeadDraft)


@given(st.one_of(st.text(max_size=200), BOOTH_TEXT))
@settings(max_examples=600)
@example("Jane Doe at Initech, CTO of Globex, hot")
@example("<mailto:jane@initech.com|Jane at Initech> <tel:0312345678|call me>")
@example("株式会社アクメ\n情報システム部 部長\n山田 太郎\nTEL 03-1234-5678 FAX 03-1234-5679")
def test_every_letter_and_digit_typed_is_kept(text: str) -> None:
    assert lost_runs(text) == []


@given(st.one_of(st.text(max_size=200), BOOTH_TEXT))
@settings(max_examples=300)
def test_fields_are_single_tidy_lines(text: str) -> None:
    draft = parse_quick_capture(text)
    for value in (draft.name, draft.company, draft.title, draft.email, draft.phone):
        assert "\n" not in value
        assert value == value.strip()
    assert "\n" not in draft.notes


@given(BOOTH_TEXT)
@settings(max_examples=300)
def test_slack_markup_is_never_split(text: str) -> None:
    draft = parse_quick_capture(text)
    kept = all_fields(draft)
    for token in ("<@U123>", "<!channel>", "&amp;"):
        assert kept.count(token) >= text.count(token)
