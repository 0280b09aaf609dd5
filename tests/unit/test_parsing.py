"""Quick capture: one free-text line split into name, company, email, phone and interest."""

from __future__ import annotations

import pytest

from leads.model import Interest, LeadDraft
from leads.parsing import parse_quick_capture

HOT, WARM, COLD = Interest.HOT, Interest.WARM, Interest.COLD


def full_width(text: str) -> str:
    return text.translate({code: code + 0xFEE0 for code in range(0x21, 0x7F)})


def lead(
    name: str = "",
    company: str = "",
    email: str = "",
    *,
    phone: str = "",
    interest: Interest | None = None,
    notes: str = "",
) -> LeadDraft:
    return LeadDraft(
        name=name, company=company, email=email, phone=phone, interest=interest, notes=notes
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Yamada Taro, Acme Corp, taro@acme.co.jp, 090-1234-5678, hot",
            lead(
                "Yamada Taro", "Acme Corp", "taro@acme.co.jp", phone="090-1234-5678", interest=HOT
            ),
        ),
        (
            "Jane Doe <jane@example.com> Initech warm",
            lead("Jane Doe", "Initech", "jane@example.com", interest=WARM),
        ),
        (
            "山田太郎、株式会社アクメ、taro@acme.co.jp、ホット",
            lead("山田太郎", "株式会社アクメ", "taro@acme.co.jp", interest=HOT),
        ),
        (
            "山田太郎"
            + full_width(",")
            + "アクメ商事"
            + full_width(",")
            + "taro@acme.co.jp、ウォーム",
            lead("山田太郎", "アクメ商事", "taro@acme.co.jp", interest=WARM),
        ),
        (
            "山田太郎 株式会社アクメ 090-1234-5678",
            lead("山田太郎", "株式会社アクメ", phone="090-1234-5678"),
        ),
        (
            "山田\u3000太郎\u3000アクメ株式会社\u3000コールド",
            lead("山田 太郎", "アクメ株式会社", interest=COLD),
        ),
        ("山田太郎 ㈱アクメ 熱い", lead("山田太郎", "㈱アクメ", interest=HOT)),
        ("佐藤花子 (株)ベータ 冷たい", lead("佐藤花子", "(株)ベータ", interest=COLD)),
        ("佐藤花子 株式会社 ベータ 温かい", lead("佐藤花子", "株式会社 ベータ", interest=WARM)),
        ("bob@globex.com", lead(email="bob@globex.com")),
        (
            "Dr. Sarah O'Neil, Globex Corporation, +1 (555) 010-9999 ext. 12, cold",
            lead(
                "Dr. Sarah O'Neil",
                "Globex Corporation",
                phone="+1 (555) 010-9999 ext. 12",
                interest=COLD,
            ),
        ),
        (
            "Carlos Ruiz - Umbrella Inc - carlos@umbrella.io - HOT!!",
            lead("Carlos Ruiz", "Umbrella Inc", "carlos@umbrella.io", interest=HOT),
        ),
        (
            "Jane Doe | Initech | interest: Warm",
            lead("Jane Doe", "Initech", interest=WARM),
        ),
        (
            "Jane Doe; Hot Sauce Co.; cold",
            lead("Jane Doe", "Hot Sauce Co.", interest=COLD),
        ),
        (
            "<mailto:jane@example.com|jane@example.com> Jane Doe",
            lead("Jane Doe", email="jane@example.com"),
        ),
        (
            "Jane Doe mailto:Jane@Example.com Initech",
            lead("Jane Doe", "Initech", "jane@example.com"),
        ),
        (
            "Ken Ito <tel:09012345678|090-1234-5678> Acme",
            lead("Ken Ito", "Acme", phone="090-1234-5678"),
        ),
        ("Ken Ito <tel:+819012345678>", lead("Ken Ito", phone="+819012345678")),
        ("Ken Ito +81 90-1234-5678", lead("Ken Ito", phone="+81 90-1234-5678")),
        ("Ken Ito, 03-1234-5678", lead("Ken Ito", phone="03-1234-5678")),
        ("Ken Ito (555) 010-9999 Acme", lead("Ken Ito", "Acme", phone="(555) 010-9999")),
        ("伊藤健 " + full_width("090-1234-5678"), lead("伊藤健", phone="090-1234-5678")),
        (
            full_width("Ken Ito, +81 (90) 1234-5678, ken@acme.jp"),
            lead("Ken Ito", email="ken@acme.jp", phone="+81 (90) 1234-5678"),
        ),
        ("伊藤健 090ー1234ー5678", lead("伊藤健", phone="090-1234-5678")),
        ("Ken Ito, booth 12345", lead("Ken Ito", "booth 12345")),
        ("Ken Ito / Acme / Tel.090-1234-5678", lead("Ken Ito", "Acme", phone="090-1234-5678")),
        ("伊藤健 電話090-1234-5678", lead("伊藤健", phone="090-1234-5678")),
        ("Hotel Ito 090-1234-5678", lead("Hotel Ito", phone="090-1234-5678")),
        ("Ken Ito, part ABC-1234567", lead("Ken Ito", "part ABC-1234567")),
        ("Ken Ito 090-1234-5678x", lead("Ken Ito 090-1234-5678x")),
        (
            "Ken Ito 090-1234-5678, 03-9876-5432",
            lead("Ken Ito", phone="090-1234-5678", notes="03-9876-5432"),
        ),
        ("Ken Ito, met 2026-01-15", lead("Ken Ito", "met 2026-01-15")),
        (
            "Jane Doe, Acme, Inc., jane@acme.com",
            lead("Jane Doe", "Acme, Inc.", "jane@acme.com"),
        ),
        (
            "Lee Wei, Acme Pte Ltd, lee@acme.sg, warm",
            lead("Lee Wei", "Acme Pte Ltd", "lee@acme.sg", interest=WARM),
        ),
        ("Globex GmbH, Hans Meier", lead("Hans Meier", "Globex GmbH")),
        ("John Smith Acme Corp", lead("John Smith", "Acme Corp")),
        ("Acme LLC", lead(company="Acme LLC")),
        (
            "Jane Doe, Initech, wants a demo, call after 3pm",
            lead("Jane Doe", "Initech", notes="wants a demo; call after 3pm"),
        ),
        (
            "Jane Doe jane@a.com jane.doe@b.com",
            lead("Jane Doe", email="jane@a.com", notes="jane.doe@b.com"),
        ),
        (
            "Ken Ito, email: ken@acme.com, tel: 090-1234-5678",
            lead("Ken Ito", email="ken@acme.com", phone="090-1234-5678"),
        ),
        ("Jane Doe, jane@example", lead("Jane Doe", email="jane@example")),
        ("HOT", lead(interest=HOT)),
        ("Jane Hotchkiss, Coldwell Ltd", lead("Jane Hotchkiss", "Coldwell Ltd")),
        (
            "Jane Doe - Initech - hot - cold",
            lead("Jane Doe", "Initech", notes="hot", interest=COLD),
        ),
        ("  Jane   Doe  ,  ,  Initech ,", lead("Jane Doe", "Initech")),
        ("", lead()),
    ],
)
def test_parse_quick_capture(text: str, expected: LeadDraft) -> None:
    assert parse_quick_capture(text) == expected


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("<!channel>", "<!channel>"),
        ("<!here|here> Jane", "<!here|here> Jane"),
        ("Jane, <@U012AB3CD>", "<@U012AB3CD>"),
        ("Jane, <#C012|cold-leads>", "<#C012|cold-leads>"),
        ("Jane, <!subteam^S0123456|@sales>", "<!subteam^S0123456|@sales>"),
        ("Jane, <https://evil.example|click me>", "<https://evil.example|click me>"),
        ("Jane, &lt;!channel&gt;", "&lt;!channel&gt;"),
        ("Jane, AT&amp;T", "AT&amp;T"),
    ],
)
def test_slack_markup_is_kept_as_typed(text: str, kept: str) -> None:
    draft = parse_quick_capture(text)
    assert kept in (draft.name, draft.company, draft.notes)
    assert draft.email == ""
    assert draft.phone == ""
    assert draft.interest is None


def test_full_width_angle_brackets_are_not_turned_into_markup() -> None:
    draft = parse_quick_capture("Jane, \uff1c!channel\uff1e")
    assert draft.company == "\uff1c!channel\uff1e"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \u3000\t\n",
        "x" * 10_000,
        "1" * 10_000,
        "1-" * 5_000,
        "1 " * 5_000,
        "<" * 10_000,
        "<" + "a" * 10_000,
        "@" * 10_000,
        "a@" * 5_000,
        "a@b." * 2_500,
        ", - | ; 、" * 1_000,
        "hot " * 2_500,
        "😀🔥👍🏽" * 2_500,
        "".join(map(chr, range(32))) * 100,
        "\ud800 lone surrogate \udfff",
        "<!channel> <!everyone> <@U1> <#C1|x>" * 200,
        "<mailto:" * 1_000 + ">",
        "<tel:|>" * 1_000,
        "mailto:tel:interest:" * 500,
        "Jane Doe <jane@x.com> 090-1234-5678, Acme Inc, hot; " * 200,
        "\u202eevil\u202c \u200b\ufeff",
        "(a)" * 3_000,
        "Jane (a) " * 1_500,
        "Jane at " * 1_500,
        "Chief " * 5_000 + "Officer",
        "鈴木一郎営業部長" * 1_000,
        "x\n" + "1 a " * 5_000,
        "x\n" + "山田県" * 3_000,
        "\n".join(["VP Sales, Jane Doe"] * 1_500),
    ],
)
def test_never_raises(text: str) -> None:
    draft = parse_quick_capture(text)
    assert isinstance(draft, LeadDraft)
    assert all("\n" not in value for value in (draft.name, draft.company, draft.notes))


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Mark Leadley, Initech", "Mark Leadley"),
        ("Anna Ceolin, Initech", "Anna Ceolin"),
        ("Tom Headley, Initech", "Tom Headley"),
        ("Sam Leader, Initech", "Sam Leader"),
        ("Grace Head, Initech", "Grace Head"),
        ("Vipin Director-Singh, Initech", "Vipin Director-Singh"),
        ("阿部 太郎, 株式会社アクメ", "阿部 太郎"),
        ("服部半蔵, 株式会社アクメ", "服部半蔵"),
    ],
)
def test_a_name_that_merely_contains_title_letters_is_a_name(text: str, name: str) -> None:
    draft = parse_quick_capture(text)
    assert (draft.name, draft.title) == (name, "")


@pytest.mark.parametrize(
    "text",
    [
        "Jane Doe, Initech, manager wants a demo",
        "Jane Doe, Initech, send the CTO a brochure",
        "山田太郎, 株式会社アクメ, 部長に資料送付",
    ],
)
def test_title_words_in_a_remark_stay_in_the_notes(text: str) -> None:
    draft = parse_quick_capture(text)
    assert draft.title == ""
    assert draft.notes == text.rsplit(", ", maxsplit=1)[-1]


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Jane Doe, <https://x.example|big CEO here>, Initech", "<https://x.example|big CEO here>"),
        ("Jane Doe <@U123> Sales Director", "<@U123>"),
        ("<#C1|営業部長>, 山田太郎", "<#C1|営業部長>"),
        ("Jane Doe\n<!channel> Head of Sales\nInitech", "<!channel>"),
        ("Jane Doe (<@U1>), CTO", "<@U1>"),
        ("Jane Doe @ <!here>", "<!here>"),
        ("R&amp;D Manager, Jane Doe", "R&amp;D Manager"),
    ],
)
def test_markup_next_to_titles_and_brackets_is_kept_whole(text: str, kept: str) -> None:
    draft = parse_quick_capture(text)
    fields = (draft.name, draft.company, draft.title, draft.notes)
    assert any(kept in field for field in fields)


def test_a_postal_code_is_never_a_phone() -> None:
    draft = parse_quick_capture("山田太郎, 株式会社アクメ, 〒100-0001 東京都千代田区")
    assert draft.phone == ""
    assert "〒100-0001" in draft.notes


def test_a_fax_number_is_kept_in_the_notes_not_taken_for_the_phone() -> None:
    draft = parse_quick_capture("Jane Doe, Initech, FAX: 03-1234-5679, tel 03-1234-5678")
    assert draft.phone == "03-1234-5678"
    assert draft.notes == "FAX: 03-1234-5679"


def test_a_phone_extension_never_reaches_across_a_line() -> None:
    draft = parse_quick_capture("Jane Doe\n090-1234-5678 x\n12")
    assert draft.phone == "090-1234-5678"


def test_a_slack_link_keeps_a_label_that_says_something_else() -> None:
    draft = parse_quick_capture(
        "Jane Doe <mailto:jane@initech.com|Initech mail> <tel:0312345678|desk>"
    )
    assert (draft.email, draft.phone) == ("jane@initech.com", "0312345678")
    assert draft.company == "Initech mail desk"
