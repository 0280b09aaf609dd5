"""Developer entry point that needs only Python: `python3 dev.py demo` (the whole bot in your
browser against a local Slack workspace, offline), `python3 dev.py test` or `python3 dev.py serve`.

It creates `.venv` beside this file on first use (and again when the one there was made by
a Python older than 3.11, or its Python no longer runs), installs leadbot with its test tools
into it, and then runs the checks (ruff, mypy, pytest), the bot, the demo, or any leadbot
command.
`python3 dev.py venv` only prepares `.venv`. Signals reach the command it runs.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import venv
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".leadbot-installed"
MIN_PYTHON = (3, 11)
EXIT_INTERRUPTED = 130
VERSION_PROBE = "import sys; print('%d.%d' % sys.version_info[:2])"


def require_python(version: tuple[int, int]) -> None:
    """Stop with one line when dev.py itself runs on a Python older than 3.11."""
    if version < MIN_PYTHON:
        raise SystemExit(
            f"dev.py: leadbot needs Python {_dotted(MIN_PYTHON)} or newer, and this is"
            f" {_dotted(version)}; run it with python3.11 (or newer) instead"
        )


def venv_problem() -> str | None:
    """Why the existing .venv cannot be used, or None when it can (or there is none)."""
    if not VENV.exists():
        return None
    if not PYTHON.exists():
        return "its Python is missing (moved or deleted)"
    try:
        probe = subprocess.run(
            [str(PYTHON), "-c", VERSION_PROBE],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"its Python does not run ({error})"
    if probe.returncode != 0:
        return f"its Python does not run (exit status {probe.returncode})"
    version = _parse_version(probe.stdout)
    if version is None:
        return f"its Python does not say its version ({probe.stdout.strip()[:40]!r})"
    if version < MIN_PYTHON:
        return (
            f"it was made with Python {_dotted(version)} and leadbot needs {_dotted(MIN_PYTHON)}+"
        )
    return None


def ensure_environment() -> None:
    """Create (or rebuild) the virtualenv and reinstall when pyproject.toml changed."""
    problem = venv_problem()
    if problem is not None:
        print(f"rebuilding .venv: {problem} ...", flush=True)
        shutil.rmtree(VENV)
    if not PYTHON.exists():
        print("creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    if STAMP.exists() and STAMP.read_text(encoding="utf-8") == wanted:
        return
    print("installing leadbot and its test tools into .venv ...", flush=True)
    run([str(PYTHON), "-m", "pip", "install", "-q", "--upgrade", "pip"])
    run([str(PYTHON), "-m", "pip", "install", "-q", "-e", f"{ROOT}[test]"])
    STAMP.write_text(wanted, encoding="utf-8")


def run(command: list[str]) -> None:
    """Run a command in the project root, passing SIGTERM and SIGINT on to it; stop with its
    exit status if it fails."""
    child = subprocess.Popen(command, cwd=ROOT)
    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}

    def pass_on(signum: int, _frame: FrameType | None) -> None:
        if not _whole_group_got_it(signum):
            child.send_signal(signum)

    for signum in previous:
        signal.signal(signum, pass_on)
    try:
        code = child.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if code != 0:
        raise SystemExit(128 - code if code < 0 else code)  # -N: ended by signal N


def _whole_group_got_it(signum: int) -> bool:
    """Whether a Ctrl-C in the terminal already reached the child (same foreground group)."""
    if signum != signal.SIGINT or not hasattr(os, "tcgetpgrp"):
        return False
    try:
        return os.tcgetpgrp(sys.stdin.fileno()) == os.getpgrp()
    except (OSError, ValueError):  # no terminal: the signal was sent to dev.py alone
        return False


def test(extra: list[str]) -> None:
    """Lint, type-check, then run the whole pytest suite."""
    run([str(BIN / "ruff"), "check", "."])
    run([str(BIN / "ruff"), "format", "--check", "."])
    run([str(BIN / "mypy")])
    if not os.environ.get("TEST_DATABASE_URL"):
        print("note: TEST_DATABASE_URL is not set, so the PostgreSQL half of the suite is skipped")
    run([str(PYTHON), "-m", "pytest", *extra])


def main() -> None:
    """Dispatch `test [pytest args]`, `venv`, or any leadbot subcommand (`demo`, `serve`, ...)."""
    args = sys.argv[1:] or ["--help"]
    if args[0] in ("-h", "--help"):
        print(__doc__)
        return
    require_python(sys.version_info[:2])
    ensure_environment()
    if args[0] == "test":
        test(args[1:])
    elif args[0] != "venv":
        run([str(BIN / "leadbot"), *args])


def _parse_version(text: str) -> tuple[int, int] | None:
    major, _, minor = text.strip().partition(".")
    return (int(major), int(minor)) if major.isdigit() and minor.isdigit() else None


def _dotted(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # Ctrl-C while dev.py itself was busy (creating .venv, ...)
        print("interrupted", file=sys.stderr)
        raise SystemExit(EXIT_INTERRUPTED) from None
