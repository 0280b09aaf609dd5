"""Quick capture as booth staff type it: English, Japanese, mixed, and pasted business cards."""

from __future__ import annotations

import pytest

from leads.model import Interest, LeadDraft
from leads.parsing import parse_quick_capture

HOT, WARM, COLD = Interest.HOT, Interest.WARM, Interest.COLD


def lead(
    name: str = "",
    company: str = "",
    email: str = "",
    *,
    phone: str = "",
    title: str = "",
    interest: Interest | None = None,
    notes: str = "",
) -> LeadDraft:
    return LeadDraft(
        name=name,
        company=company,
        email=email,
        phone=phone,
        title=title,
        interest=interest,
        notes=notes,
    )


ONE_LINE = [
    (
        "Sato Hanako, Marketing Manager, Globex KK, hanako@globex.co.jp, warm",
        lead(
            "Sato Hanako",
            "Globex KK",
            "hanako@globex.co.jp",
            title="Marketing Manager",
            interest=WARM,
        ),
    ),
    (
        "鈴木一郎 営業部長 株式会社サンプル 03-1234-5678 ホット",
        lead("鈴木一郎", "株式会社サンプル", phone="03-1234-5678", title="営業部長", interest=HOT),
    ),
    (
        "Tom Lee - VP Sales - Initech - tom@initech.com",
        lead("Tom Lee", "Initech", "tom@initech.com", title="VP Sales"),
    ),
    (
        "Jane Doe (Initech) jane@initech.com hot",
        lead("Jane Doe", "Initech", "jane@initech.com", interest=HOT),
    ),
    (
        "山田太郎\uff08株式会社アクメ\uff09090-1234-5678",  # full-width brackets
        lead("山田太郎", "株式会社アクメ", phone="090-1234-5678"),
    ),
    ("Initech / Jane Doe / CTO", lead("Jane Doe", "Initech", title="CTO")),
    ("株式会社アクメ / 山田太郎 / 部長", lead("山田太郎", "株式会社アクメ", title="部長")),
    (
        "株式会社アクメ\u3000山田太郎\u3000taro@acme.co.jp",
        lead("山田太郎", "株式会社アクメ", "taro@acme.co.jp"),
    ),
    (
        "Jane Doe @ Initech, Head of Sales, warm",
        lead("Jane Doe", "Initech", title="Head of Sales", interest=WARM),
    ),
    (
        "Mike Chen at Hooli, VP of Engineering, mike.chen@hooli.com",
        lead("Mike Chen", "Hooli", "mike.chen@hooli.com", title="VP of Engineering"),
    ),
    (
        "Priya Patel, Director, Marketing, Umbrella Corp, priya@umbrella.com, cold",
        lead(
            "Priya Patel",
            "Umbrella Corp",
            "priya@umbrella.com",
            title="Director, Marketing",
            interest=COLD,
        ),
    ),
    (
        "高橋 美咲、情報システム部 部長、株式会社ベータ、misaki.takahashi@beta.co.jp",
        lead(
            "高橋 美咲",
            "株式会社ベータ",
            "misaki.takahashi@beta.co.jp",
            title="情報システム部 部長",
        ),
    ),
    (
        "田中誠 マーケティング部 課長 アクメ商事 ウォーム",
        lead("田中誠", "アクメ商事", title="マーケティング部 課長", interest=WARM),
    ),
    (
        "佐藤花子 経営企画室長 株式会社ガンマ hanako@gamma.jp 資料送付希望",
        lead(
            "佐藤花子",
            "株式会社ガンマ",
            "hanako@gamma.jp",
            title="経営企画室長",
            notes="資料送付希望",
        ),
    ),
    (
        "伊藤健 代表取締役社長 合同会社イトウ 熱い",
        lead("伊藤健", "合同会社イトウ", title="代表取締役社長", interest=HOT),
    ),
    ("鈴木一郎営業部長", lead("鈴木一郎", title="営業部長")),
    (
        "Ken Watanabe, Sales Director, Acme Corp, hot, wants a demo next week",
        lead(
            "Ken Watanabe",
            "Acme Corp",
            title="Sales Director",
            interest=HOT,
            notes="wants a demo next week",
        ),
    ),
    (
        "Dr. Emily Chen, Chief Medical Officer, Umbrella Health, emily@umbrellahealth.com",
        lead(
            "Dr. Emily Chen",
            "Umbrella Health",
            "emily@umbrellahealth.com",
            title="Chief Medical Officer",
        ),
    ),
    (
        "Mark Leadley, Ceolin Ltd, mark@ceolin.co.uk",
        lead("Mark Leadley", "Ceolin Ltd", "mark@ceolin.co.uk"),
    ),
    (
        "Carlos Ruiz - Co-founder & CTO - Nimbus Labs - +1 (415) 555-0199",
        lead("Carlos Ruiz", "Nimbus Labs", phone="+1 (415) 555-0199", title="Co-founder & CTO"),
    ),
    (
        "Lisa Wong | Senior Product Manager | Globex Holdings | lisa.wong@globex.com | warm",
        lead(
            "Lisa Wong",
            "Globex Holdings",
            "lisa.wong@globex.com",
            title="Senior Product Manager",
            interest=WARM,
        ),
    ),
    (
        "Ahmed Khan, Procurement Manager, Stark Industries, 080-9876-5432, interest: hot",
        lead(
            "Ahmed Khan",
            "Stark Industries",
            phone="080-9876-5432",
            title="Procurement Manager",
            interest=HOT,
        ),
    ),
    (
        "Jane Doe, IT Manager, Initech, call after 3pm",
        lead("Jane Doe", "Initech", title="IT Manager", notes="call after 3pm"),
    ),
    (
        "CEO of Initech, Bill Lumbergh, bill@initech.com",
        lead("Bill Lumbergh", "Initech", "bill@initech.com", title="CEO"),
    ),
    ("Sales Director", lead(title="Sales Director")),
    (
        "jane doe, initech, jane@initech.com, warm",
        lead("jane doe", "initech", "jane@initech.com", interest=WARM),
    ),
    (
        "Head of Sales, Initech, jane@initech.com",
        lead(company="Initech", email="jane@initech.com", title="Head of Sales"),
    ),
    (
        "中村 優子 @ 株式会社デルタ 取締役 CTO",
        lead("中村 優子", "株式会社デルタ", title="取締役 CTO"),
    ),
    (
        "小林 大輔 (株)イプシロン 開発本部 本部長 daisuke@epsilon.co.jp",
        lead("小林 大輔", "(株)イプシロン", "daisuke@epsilon.co.jp", title="開発本部 本部長"),
    ),
    (
        "Rachel Green, Buyer, Bloomingdale's, 212-555-0147",
        lead("Rachel Green", "Bloomingdale's", phone="212-555-0147", title="Buyer"),
    ),
    (
        "木村さくら 株式会社ゼータ 人事部 主任 ホット",
        lead("木村さくら", "株式会社ゼータ", title="人事部 主任", interest=HOT),
    ),
    (
        "John Smith Acme Corp 555-010-9999 cold",
        lead("John Smith", "Acme Corp", phone="555-010-9999", interest=COLD),
    ),
    (
        "Lee Wei / Umbrella Pte Ltd / Regional Sales Manager APAC / +65 6123 4567",
        lead(
            "Lee Wei",
            "Umbrella Pte Ltd",
            phone="+65 6123 4567",
            title="Regional Sales Manager APAC",
        ),
    ),
    (
        "Yamada Taro (Acme Corp), Engineer, taro@acme.co.jp",
        lead("Yamada Taro", "Acme Corp", "taro@acme.co.jp", title="Engineer"),
    ),
    (
        "Hiroshi Tanaka, General Manager, Tanaka Electric Co., Ltd., warm",
        lead(
            "Hiroshi Tanaka",
            "Tanaka Electric Co., Ltd.",
            title="General Manager",
            interest=WARM,
        ),
    ),
    (
        "Ms. Aoki, purchasing manager, Sony, hot",
        lead("Ms. Aoki", "Sony", title="purchasing manager", interest=HOT),
    ),
    ("Jane Doe, Initech, hot lead", lead("Jane Doe", "Initech", interest=HOT, notes="lead")),
    (
        "山田花子 株式会社アクメ マネージャー 090-1111-2222 hanako@acme.jp",
        lead(
            "山田花子",
            "株式会社アクメ",
            "hanako@acme.jp",
            phone="090-1111-2222",
            title="マネージャー",
        ),
    ),
    ("Bob Smith, Team Lead, Initech", lead("Bob Smith", "Initech", title="Team Lead")),
    (
        "Paul Müller \u2014 Head of IT \u2014 Bergmann AG \u2014 paul.mueller@bergmann.de",
        lead("Paul Müller", "Bergmann AG", "paul.mueller@bergmann.de", title="Head of IT"),
    ),
    (
        "Yamada Taro 株式会社アクメ CTO taro@acme.co.jp",
        lead("Yamada Taro", "株式会社アクメ", "taro@acme.co.jp", title="CTO"),
    ),
    (
        "Emma Brown, 株式会社アクメ, Marketing Director, ホット",
        lead("Emma Brown", "株式会社アクメ", title="Marketing Director", interest=HOT),
    ),
    (
        "李 明 / Huawei Japan KK / ソリューション営業部 マネージャー",
        lead("李 明", "Huawei Japan KK", title="ソリューション営業部 マネージャー"),
    ),
    (
        "Ken Ito (Initech) 03-1234-5678, 興味: ウォーム",
        lead("Ken Ito", "Initech", phone="03-1234-5678", interest=WARM),
    ),
    (
        "Jane Doe, Initech, <@U012AB3CD> please follow up",
        lead("Jane Doe", "Initech", notes="<@U012AB3CD> please follow up"),
    ),
    (
        "AT&amp;T, Jane Doe, Sales Manager",
        lead("Jane Doe", "AT&amp;T", title="Sales Manager"),
    ),
]

BUSINESS_CARDS = [
    (
        "株式会社アクメ\n"
        "情報システム部 部長\n"
        "山田 太郎\n"
        "〒100-0001 東京都千代田区千代田1-1-1\n"
        "TEL 03-1234-5678 FAX 03-1234-5679\n"
        "taro.yamada@acme.co.jp",
        lead(
            "山田 太郎",
            "株式会社アクメ",
            "taro.yamada@acme.co.jp",
            phone="03-1234-5678",
            title="情報システム部 部長",
            notes="〒100-0001 東京都千代田区千代田1-1-1; FAX 03-1234-5679",
        ),
    ),
    (
        "Jane Doe\n"
        "Senior Director, Product Marketing\n"
        "Initech Inc.\n"
        "+1 415 555 0100\n"
        "jane.doe@initech.com\n"
        "www.initech.com",
        lead(
            "Jane Doe",
            "Initech Inc.",
            "jane.doe@initech.com",
            phone="+1 415 555 0100",
            title="Senior Director, Product Marketing",
            notes="www.initech.com",
        ),
    ),
    (
        "Hans Meier\nHead of Procurement\nGlobex GmbH\nT: +49 30 1234567\nE: hans.meier@globex.de",
        lead(
            "Hans Meier",
            "Globex GmbH",
            "hans.meier@globex.de",
            phone="+49 30 1234567",
            title="Head of Procurement",
        ),
    ),
    (
        "株式会社ベータ\n"
        "取締役 CTO\n"
        "佐藤 健\n"
        "Ken Sato\n"
        "東京都渋谷区神宮前1-2-3\n"
        "Mobile: 090-1234-5678\n"
        "ken@beta.jp\n"
        "https://beta.jp",
        lead(
            "佐藤 健",
            "株式会社ベータ",
            "ken@beta.jp",
            phone="090-1234-5678",
            title="取締役 CTO",
            notes="Ken Sato; 東京都渋谷区神宮前1-2-3; https://beta.jp",
        ),
    ),
    (
        "Initech\nBill Lumbergh\nVice President, Operations\nbill@initech.com\nhot",
        lead(
            "Bill Lumbergh",
            "Initech",
            "bill@initech.com",
            title="Vice President, Operations",
            interest=HOT,
        ),
    ),
    (
        "アクメ商事株式会社\n"
        "営業本部\n"
        "第一営業部 課長\n"
        "鈴木 次郎\n"
        "Tel: 06-1234-5678\n"
        "jiro.suzuki@acme-shoji.co.jp",
        lead(
            "鈴木 次郎",
            "アクメ商事株式会社",
            "jiro.suzuki@acme-shoji.co.jp",
            phone="06-1234-5678",
            title="営業本部 第一営業部 課長",
        ),
    ),
    (
        "Jane Doe, CEO\nInitech\njane@initech.com",
        lead("Jane Doe", "Initech", "jane@initech.com", title="CEO"),
    ),
    (
        "Maria Garcia\r\nAccount Executive\r\nUmbrella Corp\r\n555-123-4567\r\nmet at booth 12",
        lead(
            "Maria Garcia",
            "Umbrella Corp",
            phone="555-123-4567",
            title="Account Executive",
            notes="met at booth 12",
        ),
    ),
]


@pytest.mark.parametrize(("text", "expected"), ONE_LINE, ids=[text for text, _ in ONE_LINE])
def test_one_line_as_typed_at_the_booth(text: str, expected: LeadDraft) -> None:
    assert parse_quick_capture(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"), BUSINESS_CARDS, ids=[text.split("\n")[0] for text, _ in BUSINESS_CARDS]
)
def test_business_card_pasted_one_field_per_line(text: str, expected: LeadDraft) -> None:
    assert parse_quick_capture(text) == expected


def test_the_table_is_large_enough_to_mean_something() -> None:
    assert len(ONE_LINE) + len(BUSINESS_CARDS) >= 40
