"""List import: encodings, English and Japanese headers, and rows read as capture reads them."""

from __future__ import annotations

import codecs
import csv
import io

import pytest

from leads.answers import (
    INTEREST_UNKNOWN,
    YES_NO_UNREADABLE,
    is_refusal,
    read_interest,
    read_yes_no,
)
from leads.checks import FieldError
from leads.importing import (
    CsvEncodingError,
    ImportSettings,
    csv_encoding,
    decode_csv,
    header_key,
    header_map,
    is_blank_row,
    read_company_size,
    row_to_draft,
)
from leads.model import CompanySize, Interest, LeadDraft, Source
from leads.validation import EMAIL_INVALID, NAME_OR_EMAIL, PHONE_DIGITS, Problem

JAPANESE_CSV = """\
氏名,会社名,部署名,役職,メールアドレス,電話番号,FAX,備考,同意
山田 太郎,㈱アクメ,営業部,部長,taro@acme.co.jp,03-1234-5678,03-1234-5679,展示会で名刺交換,○
鈴木 花子,ベータ工業株式会社,,課長,hanako@beta.co.jp,090-1111-2222,,,
山田 太郎,㈱アクメ,営業部,部長,ＴＡＲＯ@ACME.CO.JP,03-1234-5678,,デモ希望,はい
佐藤 一郎,ガンマ商事,,,sato@,,,,
,,,,,,,,
高橋 二郎,デルタ,,,takahashi@delta.jp,12,,,
伊藤 三郎,イプシロン,,,ito@epsilon.jp,,,,たぶん
"""

ENGLISH_CSV = """\
First Name,Last Name,Company,Job Title,E-mail,Phone,Interest,Booth notes,Employees
Jane,Doe,Initech,VP Sales,jane@initech.com,+1 212 555 0100,warm,Asked for pricing,"1,200"
Bob,Smith,Globex,,bob@globex.com,,cold,,
Jane,Doe,Initech,VP Sales,Jane@Initech.com ,,hot,Came back on day 2,
Broken,Row,Nowhere,,not-an-email,,lukewarm,,
"""


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def read(raw: bytes, **options: object) -> list[LeadDraft | dict[str, Problem]]:
    headers, *body = rows(decode_csv(raw))
    mapping = header_map(headers, {})
    return [
        row_to_draft(row, mapping, headers=headers, **options)  # type: ignore[arg-type]
        for row in body
        if not is_blank_row(row)
    ]


# --- encodings ---------------------------------------------------------------------------


SHIFT_JIS_CSV = JAPANESE_CSV.replace("㈱", "株式会社")  # ㈱ is a CP932 extension


@pytest.mark.parametrize(
    ("raw", "encoding", "text"),
    [
        (JAPANESE_CSV.encode("utf-8"), "utf-8", JAPANESE_CSV),
        (codecs.BOM_UTF8 + JAPANESE_CSV.encode("utf-8"), "utf-8-sig", JAPANESE_CSV),
        (JAPANESE_CSV.encode("cp932"), "cp932", JAPANESE_CSV),
        (SHIFT_JIS_CSV.encode("shift_jis"), "cp932", SHIFT_JIS_CSV),
        (JAPANESE_CSV.encode("utf-16"), "utf-16", JAPANESE_CSV),
        (ENGLISH_CSV.encode("ascii"), "utf-8", ENGLISH_CSV),
        (b"", "utf-8", ""),
    ],
)
def test_the_encoding_is_found_without_being_told(raw: bytes, encoding: str, text: str) -> None:
    assert csv_encoding(raw) == encoding
    assert decode_csv(raw) == text


def test_a_bom_never_sticks_to_the_first_header() -> None:
    headers = rows(decode_csv(codecs.BOM_UTF8 + "氏名,メール\n".encode()))[0]
    assert headers == ["氏名", "メール"]


def test_a_file_in_no_known_encoding_says_where() -> None:
    with pytest.raises(CsvEncodingError, match="neither UTF-8 nor Shift_JIS") as refused:
        decode_csv(b"name\nAndr\xe9 ")  # Latin-1: 0xE9 then a space is no Shift_JIS either
    assert refused.value.position == 9


# --- headers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("氏名", "name"),
        ("名前", "name"),
        ("お名前", "name"),
        ("Full Name", "name"),
        ("姓", "family_name"),
        ("名", "given_name"),
        ("Last Name", "family_name"),
        ("first_name", "given_name"),
        ("会社名", "company"),
        ("企業名", "company"),
        ("会社", "company"),
        ("Company", "company"),
        ("Account Name", "company"),
        ("部署", "department"),
        ("部署名", "department"),
        ("役職", "title"),
        ("Job Title", "title"),
        ("メールアドレス", "email"),
        ("ﾒｰﾙｱﾄﾞﾚｽ", "email"),
        ("メール", "email"),
        ("E-mail", "email"),
        ("Ｅメール", "email"),
        ("EMAIL ADDRESS", "email"),
        ("ｅｍａｉｌ", "email"),
        ("電話番号", "phone"),
        ("電話番号(必須)", "phone"),
        ("電話番号（必須）", "phone"),
        ("【必須】電話番号", "phone"),
        ("*電話番号", "phone"),
        ("電話", "phone"),
        ("TEL", "phone"),
        ("ＴＥＬ", "phone"),
        ("携帯", "phone"),
        ("携帯電話", "phone"),
        ("業種", "industry"),
        ("従業員数", "company_size"),
        ("備考", "notes"),
        ("メモ", "notes"),
        ("同意", "consent"),
        ("関心度", "interest"),
        ("展示会名", "event"),
        ("製品", "product"),
    ],
)
def test_known_headers(header: str, field: str) -> None:
    assert header_map([header], {}) == {0: field}


@pytest.mark.parametrize(
    "header", ["FAX", "住所", "フリガナ", "氏名(カナ)", "URL", "", "No.", "Contact"]
)
def test_unknown_headers_are_left_for_the_notes(header: str) -> None:
    assert header_map([header], {}) == {}


def test_header_keys_ignore_width_case_and_marks() -> None:
    assert (
        header_key("Ｅ－ｍａｉｌ　Ａｄｄｒｅｓｓ") == header_key("email address") == "emailaddress"
    )
    assert header_key("\ufeff氏名 ") == "氏名"


def test_the_rules_file_adds_and_overrides_headers() -> None:
    headers = ["No.", "担当者", "会社名", "メモ", "メール"]
    extra = {"no.": "ignore", "担当者": "name", "メモ": "ignore"}
    assert header_map(headers, extra) == {
        0: "ignore",
        1: "name",
        2: "company",
        3: "ignore",
        4: "email",
    }


def test_a_mapping_to_an_unknown_field_is_refused() -> None:
    with pytest.raises(ValueError, match="'nmae', which is not one of name"):
        header_map(["担当者"], {"担当者": "nmae"})
    with pytest.raises(FieldError, match="nmae") as refused:
        ImportSettings(headers={"担当者": "nmae"})
    assert refused.value.field == "headers"
    with pytest.raises(FieldError, match="empty header"):
        ImportSettings(headers={" ": "name"})


# --- rows --------------------------------------------------------------------------------


def test_japanese_headers_in_shift_jis() -> None:
    taro, hanako, taro_again, sato, takahashi, ito = read(
        JAPANESE_CSV.encode("cp932"), source=None, event="東京展示会2026"
    )
    assert taro == LeadDraft(
        name="山田 太郎",
        company="㈱アクメ",
        email="taro@acme.co.jp",
        phone="03-1234-5678",
        title="営業部 部長",
        source=Source.EVENT,
        event="東京展示会2026",
        consent=True,
        notes="FAX: 03-1234-5679\n展示会で名刺交換",
    )
    assert hanako == LeadDraft(
        name="鈴木 花子",
        company="ベータ工業株式会社",
        email="hanako@beta.co.jp",
        phone="090-1111-2222",
        title="課長",
        source=Source.EVENT,
        event="東京展示会2026",
    )
    # The same person twice: one identity, so storage merges them into one lead.
    assert isinstance(taro_again, LeadDraft)
    assert taro_again.email == taro.email
    assert taro_again.notes == "デモ希望"
    assert sato == {"email": EMAIL_INVALID}
    assert takahashi == {"phone": PHONE_DIGITS}
    assert ito == {"consent": YES_NO_UNREADABLE}


def test_english_headers() -> None:
    jane, bob, jane_again, broken = read(ENGLISH_CSV.encode(), source=Source.SEMINAR)
    assert jane == LeadDraft(
        name="Jane Doe",
        company="Initech",
        email="jane@initech.com",
        phone="+1 212 555 0100",
        title="VP Sales",
        company_size=CompanySize.LARGE,
        source=Source.SEMINAR,
        interest=Interest.WARM,
        notes="Booth notes: Asked for pricing",
    )
    assert bob == LeadDraft(
        name="Bob Smith",
        company="Globex",
        email="bob@globex.com",
        source=Source.SEMINAR,
        interest=Interest.COLD,
    )
    assert isinstance(jane_again, LeadDraft)
    assert (jane_again.email, jane_again.interest) == ("jane@initech.com", Interest.HOT)
    assert broken == {"email": EMAIL_INVALID, "interest": INTEREST_UNKNOWN}


def test_without_an_event_or_a_source_an_import_is_manual() -> None:
    (jane, *_rest) = read(ENGLISH_CSV.encode())
    assert isinstance(jane, LeadDraft)
    assert (jane.source, jane.event) == (Source.MANUAL, "")


def test_family_and_given_names_are_joined_the_way_each_language_writes_them() -> None:
    headers = ["姓", "名", "メール"]
    mapping = header_map(headers, {})
    japanese = row_to_draft(["山田", "太郎", ""], mapping, headers=headers)
    western = row_to_draft(["Doe", "Jane", ""], mapping, headers=headers)
    only_family = row_to_draft(["山田", "", ""], mapping, headers=headers)
    assert [getattr(draft, "name", None) for draft in (japanese, western, only_family)] == [
        "山田 太郎",
        "Jane Doe",
        "山田",
    ]


def test_nothing_in_a_row_is_lost() -> None:
    headers = ["氏名", "氏名", "姓", "メール", "携帯", "電話番号", "住所", "従業員数", "同意"]
    row = [
        "山田 太郎",
        "山田太郎",
        "山田",
        "taro@acme.co.jp",
        "090-1111-2222",
        "03-1234-5678",
        "東京都千代田区",
        "多数",
        "いいえ",
        "extra cell",
    ]
    draft = row_to_draft(row, header_map(headers, {}), headers=headers)
    assert isinstance(draft, LeadDraft)
    assert (draft.name, draft.phone, draft.consent) == ("山田 太郎", "090-1111-2222", False)
    assert draft.notes.split("\n") == [
        "氏名: 山田太郎",
        "姓: 山田",
        "電話番号: 03-1234-5678",
        "住所: 東京都千代田区",
        "従業員数: 多数",
        "同意: いいえ",
        "column 10: extra cell",
    ]


def test_ignored_columns_and_repeated_values_add_no_notes() -> None:
    headers = ["No.", "メール", "E-mail"]
    mapping = header_map(headers, {"No.": "ignore"})
    draft = row_to_draft(["17", "a@b.jp", "a@b.jp"], mapping, headers=headers)
    assert isinstance(draft, LeadDraft)
    assert (draft.email, draft.notes) == ("a@b.jp", "")


def test_the_rows_event_wins_over_the_commands() -> None:
    headers = ["Name", "Event"]
    mapping = header_map(headers, {})
    draft = row_to_draft(["Jane", "Osaka Expo"], mapping, headers=headers, event="Tokyo Expo")
    assert isinstance(draft, LeadDraft)
    assert (draft.event, draft.source) == ("Osaka Expo", Source.EVENT)


def test_a_row_with_nothing_to_identify_the_person_is_rejected() -> None:
    headers = ["会社名", "役職"]
    assert row_to_draft(["アクメ", "部長"], header_map(headers, {}), headers=headers) == {
        "name": NAME_OR_EMAIL
    }


@pytest.mark.parametrize(
    ("row", "blank"),
    [([], True), (["", " ", "\u3000"], True), (["", "x"], False)],
)
def test_is_blank_row(row: list[str], blank: bool) -> None:
    assert is_blank_row(row) is blank


# --- cell values -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("1000+", CompanySize.LARGE),
        ("50-249", CompanySize.SMALL),
        ("12", CompanySize.MICRO),
        ("49名", CompanySize.MICRO),
        ("50", CompanySize.SMALL),
        ("1,200", CompanySize.LARGE),
        ("１，２００名", CompanySize.LARGE),
        ("300〜499人", CompanySize.MEDIUM),
        ("1万人以上", CompanySize.LARGE),
        ("5千人", CompanySize.LARGE),
        ("999", CompanySize.MEDIUM),
        ("多数", None),
        ("", None),
    ],
)
def test_read_company_size(text: str, size: CompanySize | None) -> None:
    assert read_company_size(text) == size


@pytest.mark.parametrize(
    ("text", "interest"),
    [
        ("hot", Interest.HOT),
        (" Warm ", Interest.WARM),
        ("ＣＯＬＤ", Interest.COLD),
        ("ホット", Interest.HOT),
        ("ｳｫｰﾑ", Interest.WARM),
        ("低", Interest.COLD),
        ("", None),
        ("-", None),
    ],
)
def test_read_interest(text: str, interest: Interest | None) -> None:
    assert read_interest(text) == interest


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("yes", True),
        ("TRUE", True),
        ("1", True),
        ("はい", True),
        ("済", True),
        ("同意する", True),
        ("\u25cb", True),
        ("\u3007", True),
        ("no", False),
        ("0", False),
        ("いいえ", False),
        ("拒否", False),
        ("\u00d7", False),
        ("", None),
        ("ー", None),
    ],
)
def test_read_yes_no(text: str, answer: bool | None) -> None:
    assert read_yes_no(text) is answer


@pytest.mark.parametrize("text", ["maybe", "たぶん", "2"])
def test_unreadable_answers_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="neither yes nor no"):
        read_yes_no(text)
    with pytest.raises(ValueError, match="not an interest"):
        read_interest(text)


@pytest.mark.parametrize(
    ("cell", "consent", "opted_out"),
    [
        ("yes", True, False),
        ("はい", True, False),
        ("○", True, False),
        ("no", False, True),
        ("いいえ", False, True),
        ("拒否", False, True),
        ("×", False, True),
        ("配信停止", False, True),
        ("未", False, False),  # not yet: nothing refused
        ("なし", False, False),
        ("0", False, False),
        ("", False, False),
    ],
)
def test_a_refusal_in_the_consent_column_opts_out(
    cell: str, consent: bool, opted_out: bool
) -> None:
    headers = ["Name", "同意"]
    draft = row_to_draft(["Jane", cell], header_map(headers, {}), headers=headers)
    assert isinstance(draft, LeadDraft)
    assert (draft.consent, draft.opted_out) == (consent, opted_out)
    assert is_refusal(cell) is opted_out
