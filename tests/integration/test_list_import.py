"""`leadbot import`: English and Japanese lists, rejects, dry runs and reruns, both databases."""

from __future__ import annotations

import asyncio
import csv
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select

import bot.list_import
from bot.list_import import RejectedFile, import_file
from bot.list_reader import ReadJob
from leadloop.capture import Captures
from leadloop.list_import import ImportOptions, ListImport
from leads.model import Source, Stage
from storage.db import create_database
from storage.tables import Base, LeadRow, OutboxRow, TouchRow
from tests.harness import SALES, Leadbot, cards_in, count_rows, rows_of, until
from tests.processes import LEADBOT, cli_env, run_leadbot

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


def _list_of_chunks(rows: int) -> str:
    """A list whose people repeat across chunk boundaries, with blank and broken rows."""
    lines = ["Name,Company,Email,Phone,Interest,Consent,Note"]
    for n in range(rows):
        person = n % 7 if n % 3 == 0 else n  # every third row is one of seven people again
        interest = ("hot", "warm", "cold", "")[n % 4]
        consent = ("yes", "no", "", "未")[n % 4]
        lines.append(
            f"Person {person},Company {person % 4},p{person}@example.com,"
            f"+81 3 1234 {person:04d},{interest},{consent},row {n}"
        )
        if n % 10 == 4:
            lines.append(",,,,,,")
        if n % 10 == 7:
            lines.append(f"Broken {n},,broken-{n}@,,,,")
    return "\n".join(lines) + "\n"


async def _stored(leadbot: Leadbot) -> list[tuple[object, ...]]:
    """Every lead and touch as stored, without ids: what two imports must agree on."""
    leads = [
        (r.name, r.email, r.phone, r.notes, r.touch_count, r.stage, r.score, r.opted_out_at)
        for r in await rows_of(leadbot, LeadRow)
    ]
    touches = [(t.via, t.notes, t.once_key) for t in await rows_of(leadbot, TouchRow)]
    return sorted(leads, key=str) + sorted(touches, key=str)


async def _wipe(leadbot: Leadbot) -> None:
    async with leadbot.svc.db.write() as session:
        for table in reversed(Base.metadata.sorted_tables):
            await session.execute(delete(table))


async def test_a_list_read_by_the_reader_process_imports_as_one_read_here(
    leadbot: Leadbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.csv"
    path.write_text(_list_of_chunks(60), encoding="utf-8")
    options = ImportOptions(event="Expo", batch_size=8)
    loop = leadbot.svc.loop
    with path.open(encoding="utf-8", newline="") as stream:
        rows = csv.reader(stream)
        headers = next(rows)
        here = RejectedFile(tmp_path / "here.csv", "utf-8", headers, "reason")
        job = ListImport(loop, Captures(loop), headers, options, reject=here.add)
        read_here = await job.run(rows)
    here.close()
    stored_here = await _stored(leadbot)
    await _wipe(leadbot)
    started = []
    real = bot.list_import.read_elsewhere

    def spied(job: ReadJob) -> Any:
        started.append(job)
        return real(job)

    monkeypatch.setattr(bot.list_import, "read_elsewhere", spied)

    summary, rejected = await import_file(path, loop, options)

    assert len(started) == 1  # the rows went through the reader process
    assert summary == read_here
    text = path.read_text(encoding="utf-8")
    assert summary.rejected == text.count("\nBroken ")
    assert summary.merged > 0  # people repeated across chunks were merged
    assert summary.created + summary.merged + summary.rejected == text.count("@")
    assert await _stored(leadbot) == stored_here
    refused = rejected.path.read_text(encoding="utf-8").splitlines()[1:]
    assert [line.split(",")[0] for line in refused] == [f"Broken {n}" for n in range(7, 60, 10)]
    assert refused == (tmp_path / "here.csv").read_text(encoding="utf-8").splitlines()[1:]


async def test_a_dry_run_read_by_the_reader_process_counts_as_a_real_run(
    leadbot: Leadbot, tmp_path: Path
) -> None:
    path = tmp_path / "big.csv"
    path.write_text(_list_of_chunks(40), encoding="utf-8")
    loop = leadbot.svc.loop

    dry, _rejected = await import_file(path, loop, ImportOptions(batch_size=8, dry_run=True))
    assert await leadbot.count(LeadRow) == 0
    real, _rejected = await import_file(path, loop, ImportOptions(batch_size=8))

    assert dry == real
    assert await leadbot.count(LeadRow) == real.created


async def test_ctrl_c_during_a_piped_import_ends_it_cleanly(
    database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "big.csv"
    path.write_text(_list_of_chunks(6000), encoding="utf-8")
    process = await asyncio.create_subprocess_exec(
        LEADBOT,
        "import",
        str(path),
        env=cli_env(database_url, LEADBOT_SALES_CHANNEL=SALES),
        cwd=tmp_path,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    await until(lambda: _readers(tmp_path), timeout=30)

    process.send_signal(signal.SIGINT)
    out, err = await asyncio.wait_for(process.communicate(), timeout=30)

    assert process.returncode == 130
    assert (out, err) == (b"", b"")
    await until(lambda: _no_readers(tmp_path), timeout=10)


async def _readers(folder: Path) -> list[int]:
    return _readers_in(folder)


async def _no_readers(folder: Path) -> bool:
    return not _readers_in(folder)


def _readers_in(folder: Path) -> list[int]:
    """The pids of list readers working in `folder` (a reader's working directory)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes()
            if b"bot.list_reader" in cmdline and (proc / "cwd").resolve() == folder.resolve():
                found.append(int(proc.name))
        except (OSError, ValueError):
            continue
    return found
