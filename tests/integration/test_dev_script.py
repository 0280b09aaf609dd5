"""dev.py, run as a real process on a copy of the project: its .venv, and signals."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from aiohttp import ClientSession

from tests.environment import clean_environ
from tests.processes import LEADBOT, free_port, serve_env, wait_healthy
from workspace.fake_slack import FakeSlack

ROOT = Path(__file__).resolve().parents[2]
OLD_PYTHONS = sorted((Path.home() / ".pyenv" / "versions").glob("3.[6-9].*/bin/python3"))
# A project that builds offline: an in-tree PEP 517 backend that needs nothing installed.
TINY_PYPROJECT = """\
[project]
name = "tiny"
version = "0"

[build-system]
requires = []
build-backend = "backend"
backend-path = ["."]
"""
TINY_BACKEND = '''\
"""A build backend writing a wheel with nothing in it but its metadata."""

import base64
import hashlib
import os
import zipfile

DIST = "tiny-0.dist-info"
FILES = {
    f"{DIST}/METADATA": "Metadata-Version: 2.1\\nName: tiny\\nVersion: 0\\n",
    f"{DIST}/WHEEL": (
        "Wheel-Version: 1.0\\nGenerator: tiny\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"
    ),
}


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = "tiny-0-py3-none-any.whl"
    record = []
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as wheel:
        for path, text in FILES.items():
            data = text.encode()
            wheel.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record.append(f"{path},sha256={digest.decode()},{len(data)}")
        wheel.writestr(f"{DIST}/RECORD", "\\n".join([*record, f"{DIST}/RECORD,,"]) + "\\n")
    return name


build_editable = build_wheel
'''


def _project(folder: Path, pyproject: str) -> Path:
    """A project folder holding a copy of dev.py and the given pyproject.toml."""
    folder.mkdir()
    shutil.copy2(ROOT / "dev.py", folder / "dev.py")
    (folder / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    return folder


def _offline_env() -> dict[str, str]:
    return clean_environ(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")


def _dev(
    project: Path, *args: str, python: str = sys.executable
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [python, "dev.py", *args],
        cwd=project,
        env=_offline_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _python_version(python: Path) -> tuple[int, int]:
    printed = subprocess.run(
        [str(python), "-c", "import sys; print(*sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    major, minor = printed.split()
    return int(major), int(minor)


def _old_python_script(path: Path) -> None:
    path.write_text("#!/bin/sh\necho 3.9\n", encoding="utf-8")
    path.chmod(0o755)


def _failing_python_script(path: Path) -> None:
    path.write_text("#!/bin/sh\nexit 127\n", encoding="utf-8")
    path.chmod(0o755)


def _moved_python(path: Path) -> None:
    path.symlink_to("/nonexistent/python3.9")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("break_python", "reason"),
    [
        (_old_python_script, "it was made with Python 3.9 and leadbot needs 3.11+"),
        (_failing_python_script, "its Python does not run (exit status 127)"),
        (_moved_python, "its Python is missing (moved or deleted)"),
    ],
    ids=["older-than-3.11", "does-not-run", "moved"],
)
def test_a_venv_of_the_wrong_python_is_rebuilt(
    tmp_path: Path, break_python: Callable[[Path], None], reason: str
) -> None:
    project = _project(tmp_path / "project", TINY_PYPROJECT)
    (project / "backend.py").write_text(TINY_BACKEND, encoding="utf-8")
    broken = project / ".venv" / "bin"
    broken.mkdir(parents=True)
    break_python(broken / "python")
    (project / ".venv" / ".leadbot-installed").write_text(TINY_PYPROJECT, encoding="utf-8")

    finished = _dev(project, "venv")

    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert f"rebuilding .venv: {reason} ..." in finished.stdout
    assert _python_version(project / ".venv" / "bin" / "python") >= (3, 11)
    assert (project / ".venv" / ".leadbot-installed").read_text() == TINY_PYPROJECT


@pytest.mark.skipif(not OLD_PYTHONS, reason="no Python older than 3.11 on this machine")
def test_dev_py_itself_on_an_old_python_says_so_in_one_line(tmp_path: Path) -> None:
    project = _project(tmp_path / "project", TINY_PYPROJECT)
    finished = _dev(project, "venv", python=str(OLD_PYTHONS[-1]))
    assert finished.returncode == 1
    [line] = finished.stderr.splitlines()
    assert line.startswith("dev.py: leadbot needs Python 3.11 or newer, and this is 3.")
    assert not (project / ".venv").exists()


@pytest.fixture
def linked_project(tmp_path: Path) -> Path:
    """A copy of dev.py whose .venv is a working one: it borrows this test run's leadbot."""
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    project = _project(tmp_path / "project", pyproject)
    bin_folder = project / ".venv" / "bin"
    bin_folder.mkdir(parents=True)
    (bin_folder / "python").symlink_to(sys.executable)
    (bin_folder / "leadbot").symlink_to(LEADBOT)
    (project / ".venv" / ".leadbot-installed").write_text(pyproject, encoding="utf-8")
    return project


def _children(pid: int) -> list[int]:
    """Process ids whose parent is `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@contextlib.contextmanager
def _no_orphans(pids: list[int]) -> Iterator[None]:
    """Kill whatever is left of `pids` at the end, so a failing test leaves nothing behind."""
    try:
        yield
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs Linux /proc")
@pytest.mark.parametrize(
    ("signum", "whole_group"),
    [(signal.SIGTERM, False), (signal.SIGINT, False), (signal.SIGINT, True)],
    ids=["sigterm", "sigint-to-dev.py", "ctrl-c-to-the-group"],
)
async def test_signals_stop_the_bot_and_dev_py_without_orphans_or_tracebacks(
    linked_project: Path, slack: FakeSlack, signum: int, whole_group: bool
) -> None:
    port = free_port()
    env = serve_env(f"sqlite+aiosqlite:///{linked_project / 'leadbot.db'}", slack)
    dev = await asyncio.create_subprocess_exec(
        sys.executable,
        "dev.py",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        cwd=linked_project,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )
    bot: list[int] = []
    with _no_orphans(bot):
        async with ClientSession() as http:
            await wait_healthy(http, f"http://127.0.0.1:{port}/healthz")
        bot.extend(_children(dev.pid))
        assert bot, "dev.py started no child"
        if whole_group:
            os.killpg(dev.pid, signum)
        else:
            dev.send_signal(signum)
        _, err = await asyncio.wait_for(dev.communicate(), timeout=60)
        assert [pid for pid in bot if _alive(pid)] == []
    assert dev.returncode == 0, err.decode()
    assert "Traceback" not in err.decode()
    assert "KeyboardInterrupt" not in err.decode()
