"""Run the `leadbot` console script as a real process, with settings given explicitly."""

from __future__ import annotations

import asyncio
import shutil
import signal
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from aiohttp import ClientSession

from tests.environment import clean_environ
from tests.harness import SECRET
from workspace.fake_slack import FakeSlack

LEADBOT = shutil.which("leadbot") or str(Path(sys.executable).with_name("leadbot"))
BOT_TOKEN = "xoxb-cli-test"
SALES_CHANNEL = "C0SALES"


@dataclass(frozen=True)
class Finished:
    """How a process ended: exit code, standard output and standard error."""

    code: int
    out: str
    err: str


def cli_env(database_url: str, **settings: str) -> dict[str, str]:
    """An environment with no inherited setting: just the database and `settings`."""
    return clean_environ(DATABASE_URL=database_url, **settings)


def serve_env(database_url: str, slack: FakeSlack, **settings: str) -> dict[str, str]:
    """What `leadbot serve` (and `jobs run`) need, pointing at the fake Slack."""
    slack_settings = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.base_url,
        "LEADBOT_SALES_CHANNEL": SALES_CHANNEL,
    }
    return cli_env(database_url, **{**slack_settings, **settings})


async def run_leadbot(*args: str, env: dict[str, str], cwd: Path) -> Finished:
    """Run `leadbot ARGS` to the end."""
    return await run_process(LEADBOT, *args, env=env, cwd=cwd)


async def run_process(
    *command: str,
    env: dict[str, str],
    cwd: Path,
    timeout: float = 60,  # noqa: ASYNC109 - a test helper's deadline, by design
) -> Finished:
    """Run `command` to the end, with no standard input."""
    process = await asyncio.create_subprocess_exec(
        *command,
        env=env,
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=timeout)
    return Finished(process.returncode or 0, out.decode(), err.decode())


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def wait_healthy(http: ClientSession, url: str) -> dict[str, str]:
    """Poll GET `url` until it answers 200; return its JSON."""
    deadline = time.monotonic() + 30
    while True:
        try:
            async with http.get(url) as response:
                if response.status == 200:
                    return dict(await response.json())
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} never answered 200")
        await asyncio.sleep(0.1)


async def start_serve(port: int, *, env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    """Start `leadbot serve` on 127.0.0.1:`port`; its standard error is kept for the end."""
    return await asyncio.create_subprocess_exec(
        LEADBOT,
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def stop_serve(
    process: asyncio.subprocess.Process,
    deadline: float,
) -> str:
    """SIGTERM, then its standard error once it exits within `deadline` seconds (killed and
    TimeoutError otherwise)."""
    process.send_signal(signal.SIGTERM)
    try:
        _, err = await asyncio.wait_for(process.communicate(), timeout=deadline)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    return str(err.decode())
