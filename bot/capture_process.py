"""Captures written in a process of their own, so that the event loop answering Slack never
runs the SQL of a batch.

The web app's group commit sends each batch of capture requests to a child process (this
module's `main`, in a new Python) over its stdin; the child writes the batch
with the same use case (`Captures.write`) in a transaction of its own and answers on its
stdout with the outcomes once committed, or with why it could not. Until the child has
reached the database, and from the moment it is found gone, batches are written in the web
process as before. The group commit has one batch in flight at a time.

Messages go as bot/pipes.py frames them.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy.exc import IntegrityError

from bot.logs import configure_logging
from bot.pipes import frame, message_channel, read_message, read_message_blocking
from leadloop.capture import CaptureOutcome, CaptureRequest, Captures
from leadloop.context import Loop
from leads.config import LeadbotConfig
from storage.db import create_database

log = logging.getLogger("leadbot")
START_SECONDS = 60.0  # importing and reaching the database; captures are written here meanwhile
STOP_SECONDS = 5.0
READY, WRITTEN, TAKEN, FAILED = "ready", "written", "taken", "failed"
_SOURCE_ROOT = str(Path(__file__).resolve().parent.parent)  # where `bot` is importable from


class CaptureProcessError(RuntimeError):
    """The capture process could not write a batch (the group commit then writes them one
    by one, here if the process is gone)."""


@dataclass(frozen=True)
class WriterSetup:
    """What the child needs to write captures as the web process would."""

    database_url: str
    config: LeadbotConfig
    sales_channel: str
    marketing_channel: str = ""
    log_level: str = "INFO"


class CaptureProcess:
    """The parent's side: starts the child, hands it batches, stops it."""

    def __init__(self, setup: WriterSetup) -> None:
        self._setup = setup
        self._child: asyncio.subprocess.Process | None = None
        self._ready = False
        self._busy = asyncio.Lock()

    @property
    def available(self) -> bool:
        """Whether batches go to the child now."""
        return self._ready

    @property
    def pid(self) -> int | None:
        """The child's process id, while it runs."""
        return None if self._child is None else self._child.pid

    async def start(self) -> None:
        """Start the child and wait until it has reached the database; if it cannot, say so
        once and keep writing captures in this process."""
        self._child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            "from bot.capture_process import main; main()",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=_child_environment(),
        )
        try:
            await self._send(self._setup)
            kind, detail = await asyncio.wait_for(self._receive(), START_SECONDS)
        except (TimeoutError, EOFError, OSError, asyncio.IncompleteReadError) as error:
            kind, detail = FAILED, f"{type(error).__name__}: {error}"
        if kind != READY:
            log.warning("captures are written in the web process: %s", detail)
            await self.stop()
            return
        self._ready = True
        log.info("captures are written in process %s", detail)

    async def write(self, requests: Sequence[CaptureRequest]) -> list[CaptureOutcome]:
        """Have the child write and commit this batch; its outcomes, in order."""
        async with self._busy:
            if not self._ready:
                raise CaptureProcessError("the capture process is not running")
            try:
                await self._send(list(requests))
                kind, detail = await self._receive()
            except (EOFError, OSError, asyncio.IncompleteReadError) as error:
                self._ready = False
                log.warning("the capture process is gone; captures are written here from now")
                raise CaptureProcessError("the capture process is gone") from error
        if kind == WRITTEN:
            return list(detail)
        if kind == TAKEN:
            raise IntegrityError("a capture batch", None, Exception(detail))
        raise CaptureProcessError(detail)

    async def stop(self) -> None:
        """Tell the child to finish (its stdin closes), wait a little, then end it."""
        self._ready = False
        async with self._busy:
            child, self._child = self._child, None
            if child is None:
                return
            if child.stdin is not None:
                child.stdin.close()
            try:
                await asyncio.wait_for(child.wait(), STOP_SECONDS)
            except TimeoutError:
                child.kill()
                await child.wait()

    async def _send(self, message: object) -> None:
        to_child, _ = self._pipes()
        to_child.write(frame(message))
        await to_child.drain()

    async def _receive(self) -> Any:
        _, from_child = self._pipes()
        return await read_message(from_child)

    def _pipes(self) -> tuple[asyncio.StreamWriter, asyncio.StreamReader]:
        if self._child is None or self._child.stdin is None or self._child.stdout is None:
            raise EOFError("the capture process is not running")
        return self._child.stdin, self._child.stdout


def _child_environment() -> dict[str, str]:
    """This process's environment, with leadbot's own source first on the import path."""
    paths = [_SOURCE_ROOT, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


# --- the child ---------------------------------------------------------------------------


def main() -> None:
    """The child: write batches from stdin until it closes."""
    # Ctrl-C and a service manager's SIGTERM reach the whole group: the parent drains its
    # captures first and then closes our stdin.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    answers = message_channel()
    requests = sys.stdin.buffer
    setup = read_message_blocking(requests)
    if not isinstance(setup, WriterSetup):
        raise SystemExit("bot.capture_process is started by leadbot itself")
    configure_logging(setup.log_level)
    asyncio.run(_serve(setup, requests, answers))


async def _serve(setup: WriterSetup, requests: BinaryIO, answers: BinaryIO) -> None:
    loop = Loop(
        db=create_database(setup.database_url, pool_size=1),
        config=setup.config,
        sales_channel=setup.sales_channel,
        clock=_now,
        marketing_channel=setup.marketing_channel,
    )
    captures = Captures(loop)
    try:
        await loop.db.ping()
        gc.collect()
        gc.freeze()  # what start-up built stays out of the collections between batches
        _write(answers, (READY, os.getpid()))
        while (batch := read_message_blocking(requests)) is not None:
            _write(answers, await _written(loop, captures, batch))
    except Exception as error:
        _write(answers, (FAILED, f"{type(error).__name__}: {error}"))
    finally:
        await loop.db.dispose()


def _now() -> datetime:
    return datetime.now(UTC)


def _write(stream: BinaryIO, message: object) -> None:
    stream.write(frame(message))
    stream.flush()


async def _written(
    loop: Loop, captures: Captures, batch: list[CaptureRequest]
) -> tuple[str, object]:
    try:
        async with loop.db.write() as session:
            return WRITTEN, await captures.write(session, batch)
    except IntegrityError as error:
        return TAKEN, str(error.orig)
    except Exception as error:
        return FAILED, f"{type(error).__name__}: {error}"
