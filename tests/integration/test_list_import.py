"""`leadbot import`: English and Japanese lists, rejects, dry runs and reruns, both databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.list_import import import_file
from leadloop.capture import Captures
from leadloop.list_import import ImportOptions, ListImport
from leads.model import Source, Stage
from storage.db import create_database
from storage.tables import LeadRow, OutboxRow, TouchRow
from tests.harness import SALES, Leadbot, cards_in, count_rows
from tests.processes import cli_env, run_leadbot

ENGLISH = (
    "Name,Company,Email,Phone,Job Title,Interest,Booth note\n"
    "Jane Doe,Initech,jane@initech.com,+1 555 010 9999,Director,hot,asked for a demo\n"
    "Bob Smith,Acme,bob@acme.com,,Engineer,warm,\n"
    ",,not-an-email,,,,\n"
    "Jane Doe,Initech,jane@initech.com,+1 555 010 9999,Director,hot,asked for a demo\n"
    "Carol White,Globex,carol@globex.com,,,boiling,\n"
    "B. Smith,Acme,BOB@acme.com,,Engineer,,second visit\n"
    ",,,,,,\n"
)
JAPANESE = (
    "氏名,会社名,部署,役職,メールアドレス,電話番号,備考\n"
    "佐藤 健二,アクメ株式会社,営業部,部長,kenji@acme.co.jp,03-1234-5678,名刺交換\n"
    "鈴木 花子,グローバル商事,,課長,hanako@global.co.jp,06-1234-5678,\n"
    "田中 一郎,タナカ工業,,,tanaka@,,\n"
)


async def _leads(url: str) -> list[LeadRow]:
    db = create_database(url)
    try:
        async with db.read() as session:
            found = list(await session.scalars(select(LeadRow).order_by(LeadRow.id)))
            session.expunge_all()  # readable after the read transaction ends
            return found
    finally:
        await db.dispose()


async def _count(url: str, table: type[TouchRow] | type[OutboxRow] | type[LeadRow]) -> int:
    db = create_database(url)
    try:
        return await count_rows(db, table)
    finally:
        await db.dispose()


async def _import(url: str, path: Path, *args: str) -> tuple[int, str, str]:
    finished = await run_leadbot(
        "import", str(path), *args, env=cli_env(url, LEADBOT_SALES_CHANNEL=SALES), cwd=path.parent
    )
    return finished.code, finished.out, finished.err


async def test_an_english_list_is_imported_deduplicated_and_rejects_kept(
    database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "expo.csv"
    path.write_text(ENGLISH, encoding="utf-8")

    code, out, err = await _import(database_url, path, "--event", "Tokyo Expo 2026")

    assert code == 0, err
    assert out == "created 2, merged 2, rejected 2\n"
    leads = await _leads(database_url)
    assert [(lead.name, lead.company, lead.event) for lead in leads] == [
        ("Jane Doe", "Initech", "Tokyo Expo 2026"),
        ("Bob Smith", "Acme", "Tokyo Expo 2026"),
    ]
    jane, bob = leads
    assert jane.stage == Stage.HOT.value  # hot interest: alerted through the outbox
    assert jane.notes == "Booth note: asked for a demo"
    assert bob.touch_count == 2  # "BOB@acme.com" is the same person
    assert await _count(database_url, OutboxRow) >= 1
    rejected = (tmp_path / "expo.rejected.csv").read_text(encoding="utf-8").splitlines()
    assert rejected[0] == "Name,Company,Email,Phone,Job Title,Interest,Booth note,reason"
    assert rejected[1] == ",,not-an-email,,,,,Email: Enter an email like name@company.com"
    assert (
        rejected[2]
        == 'Carol White,Globex,carol@globex.com,,,boiling,,"Interest: Use hot, warm or cold"'
    )
    assert len(rejected) == 3


async def test_a_rerun_creates_no_duplicates_and_adds_no_touch(
    database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "expo.csv"
    path.write_text(ENGLISH, encoding="utf-8")
    await _import(database_url, path)
    touches = await _count(database_url, TouchRow)

    code, out, _err = await _import(database_url, path)

    assert code == 0
    assert out == "created 0, merged 4, rejected 2\n"
    assert len(await _leads(database_url)) == 2
    assert await _count(database_url, TouchRow) == touches


async def test_japanese_headers_in_shift_jis(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "名刺.csv"
    path.write_bytes(JAPANESE.encode("cp932"))

    code, out, err = await _import(database_url, path, "--source", "event")

    assert code == 0, err
    assert out == "created 2, merged 0, rejected 1\n"
    leads = await _leads(database_url)
    assert [(lead.name, lead.company, lead.title) for lead in leads] == [
        ("佐藤 健二", "アクメ株式会社", "営業部 部長"),
        ("鈴木 花子", "グローバル商事", "課長"),
    ]
    assert leads[0].notes == "名刺交換"
    assert {lead.source for lead in leads} == {"event"}
    rejected = (tmp_path / "名刺.rejected.csv").read_bytes().decode("cp932").splitlines()
    assert rejected[0] == "氏名,会社名,部署,役職,メールアドレス,電話番号,備考,reason"
    assert rejected[1].startswith("田中 一郎,タナカ工業,,,tanaka@,,,Email:")


async def test_utf8_with_a_bom_and_a_mapping_from_the_rules_file(
    database_url: str, tmp_path: Path
) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text("list_import:\n  headers:\n    Besucher: name\n", encoding="utf-8")
    path = tmp_path / "list.csv"
    path.write_text("Besucher,E-mail\nAnna Berg,anna@berg.de\n", encoding="utf-8-sig")

    finished = await run_leadbot(
        "import",
        str(path),
        env=cli_env(database_url, LEADBOT_CONFIG=str(rules)),
        cwd=tmp_path,
    )

    assert finished.out == "created 1, merged 0, rejected 0\n", finished.err
    [lead] = await _leads(database_url)
    assert (lead.name, lead.email) == ("Anna Berg", "anna@berg.de")
    assert not (tmp_path / "list.rejected.csv").exists()


async def test_a_dry_run_stores_nothing(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "expo.csv"
    path.write_text(ENGLISH, encoding="utf-8")

    code, out, _err = await _import(database_url, path, "--dry-run")

    assert code == 0
    assert out == "created 2, merged 2, rejected 2\n"
    assert await _leads(database_url) == []
    assert await _count(database_url, OutboxRow) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"", "the file is empty"),
        (b"foo,bar\n1,2\n", "no column holds the name or the email (headers: foo, bar)"),
        (b"name,email\n\x81\xff\n", "neither UTF-8 nor Shift_JIS"),
    ],
)
async def test_a_file_that_cannot_be_imported_is_one_line(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "list.csv"
    if content is not None:
        path.write_bytes(content)
    url = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"

    code, out, err = await _import(url, path)

    assert code != 0
    assert out == ""
    [line] = err.splitlines()
    assert line.startswith(f"leadbot: cannot import {path}: ")
    assert message in line


async def test_an_imported_hot_lead_is_alerted_like_any_capture(
    leadbot: Leadbot, tmp_path: Path
) -> None:
    path = tmp_path / "expo.csv"
    path.write_text(ENGLISH, encoding="utf-8")

    summary, _rejected = await import_file(path, leadbot.svc.loop, ImportOptions())
    leadbot.svc.nudge_delivery()
    await leadbot.posted_to(SALES)
    await leadbot.settle()

    assert summary.line() == "created 2, merged 2, rejected 2"
    [card] = cards_in(leadbot.slack, SALES)
    assert "Jane Doe" in str(card.args["blocks"])


def _interrupted(rows: list[list[str]], after: int) -> Iterator[list[str]]:
    yield from rows[:after]
    raise KeyboardInterrupt


async def test_an_interrupted_import_run_again_creates_no_duplicates(leadbot: Leadbot) -> None:
    headers = ["Name", "Email"]
    rows = [[f"Person {n}", f"p{n}@example.com"] for n in range(10)]
    options = ImportOptions(source=Source.EVENT, batch_size=3)
    loop = leadbot.svc.loop

    first = ListImport(loop, Captures(loop), headers, options, reject=lambda *_: None)
    with pytest.raises(KeyboardInterrupt):
        await first.run(_interrupted(rows, after=7))
    assert await leadbot.count(LeadRow) == 6  # two whole batches were committed

    again = ListImport(loop, Captures(loop), headers, options, reject=lambda *_: None)
    summary = await again.run(rows)

    assert summary.line() == "created 4, merged 6, rejected 0"
    assert await leadbot.count(LeadRow) == 10
    assert await leadbot.count(TouchRow) == 10
