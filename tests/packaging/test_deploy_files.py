"""The deploy files, linted (no Docker engine or systemd here): unit, Dockerfile, docs, links."""

from __future__ import annotations

import asyncio
import configparser
import json
import re
import shlex
import sys
from pathlib import Path

import pytest

from bot.errors import EXIT_MISCONFIGURED
from tests.harness import Leadbot
from tests.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
DEPLOY_DOC = ROOT / "docs" / "deploy.md"
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _unit() -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None, comment_prefixes=("#", ";"))
    unit.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    unit.read_string((ROOT / "deploy" / "leadbot.service").read_text(encoding="utf-8"))
    return unit


def _exec_start() -> list[str]:
    return shlex.split(_unit()["Service"]["ExecStart"])


def _dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    found = []
    for line in joined.splitlines():
        if line.strip():
            instruction, _, arguments = line.strip().partition(" ")
            found.append((instruction.upper(), arguments.strip()))
    return found


def _arguments(instruction: str) -> list[str]:
    return [arguments for name, arguments in _dockerfile() if name == instruction]


def _healthcheck_command() -> list[str]:
    [healthcheck] = _arguments("HEALTHCHECK")
    command = json.loads(healthcheck[healthcheck.index("CMD ") + 4 :])
    assert isinstance(command, list)
    return [str(part) for part in command]


def test_unit_runs_leadbot_serve_as_its_own_user() -> None:
    service = _unit()["Service"]
    program, command, *options = _exec_start()
    assert Path(program).is_absolute()
    assert Path(program).name == "leadbot"
    assert command == "serve"
    assert "--host" in options
    assert "--port" in options
    assert service["User"] not in ("", "root", "0")
    assert Path(service["EnvironmentFile"].lstrip("-")).is_absolute()
    assert Path(service["WorkingDirectory"]).is_absolute()


def test_unit_restarts_on_failure_but_not_for_a_setting_to_fix() -> None:
    unit = _unit()
    assert unit["Service"]["Restart"] in ("on-failure", "always")
    assert str(EXIT_MISCONFIGURED) in unit["Service"]["RestartPreventExitStatus"].split()
    assert unit["Service"]["KillSignal"] == "SIGTERM"
    assert unit["Install"]["WantedBy"] == "multi-user.target"
    assert "network-online.target" in unit["Unit"]["After"]


def test_dockerfile_installs_the_package_and_serves_as_a_user() -> None:
    steps = _dockerfile()
    names = [name for name, _ in steps]
    [base] = _arguments("FROM")
    major, minor = re.fullmatch(r"python:(\d+)\.(\d+)(-[\w.-]+)?", base).groups()[:2]  # type: ignore[union-attr]
    assert (int(major), int(minor)) >= (3, 11)
    assert any("pip install ." in arguments.split("&&")[0] for arguments in _arguments("RUN"))
    assert names.index("COPY") < names.index("RUN")
    users = _arguments("USER")
    assert users
    assert users[-1] not in ("root", "0")
    assert names.index("USER") < names.index("CMD")
    assert _arguments("EXPOSE") == ["3000"]
    assert [json.loads(arguments) for arguments in _arguments("CMD")] == [["leadbot", "serve"]]


def test_healthcheck_asks_healthz_on_the_exposed_port() -> None:
    command = " ".join(_healthcheck_command())
    assert "/healthz" in command
    assert "127.0.0.1:3000" in command


async def _run_healthcheck(port: int) -> int:
    """Run the image's health check with this Python, against `port` instead of 3000."""
    command = [part.replace(":3000/", f":{port}/") for part in _healthcheck_command()]
    assert command[0] == "python"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *command[1:],
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    return await asyncio.wait_for(process.wait(), timeout=30)


async def test_healthcheck_passes_on_a_healthy_leadbot_and_fails_without_one(
    leadbot: Leadbot,
) -> None:
    assert leadbot.server is not None
    assert await _run_healthcheck(leadbot.server.port or 0) == 0
    assert await _run_healthcheck(free_port()) != 0


def test_secrets_and_local_state_stay_out_of_the_image() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".env", ".venv", "*.db", ".git"} <= set(ignored)


@pytest.mark.parametrize(
    "needed",
    [
        "Channel ID",
        "Copy member ID",
        "deploy/leadbot.service",
        "Dockerfile",
        "nginx",
        "Socket Mode",
        "SLACK_APP_TOKEN",
        "postgresql+asyncpg://",
        'sqlite3 /var/lib/leadbot/leadbot.db ".backup',
        "pg_dump",
        "leadbot migrate",
    ],
)
def test_deploy_guide_covers(needed: str) -> None:
    assert needed in DEPLOY_DOC.read_text(encoding="utf-8")


def test_nginx_example_proxies_to_where_the_unit_listens() -> None:
    options = _exec_start()[2:]
    host = options[options.index("--host") + 1]
    port = options[options.index("--port") + 1]
    assert f"proxy_pass http://{host}:{port};" in DEPLOY_DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize("document", ["README.md", "docs/deploy.md"])
def test_relative_links_point_at_files_that_exist(document: str) -> None:
    path = ROOT / document
    targets = LINK.findall(path.read_text(encoding="utf-8"))
    local = [target for target in targets if "://" not in target]
    assert local
    assert [target for target in local if not (path.parent / target).exists()] == []


def test_readme_links_the_deploy_guide() -> None:
    assert "(docs/deploy.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
