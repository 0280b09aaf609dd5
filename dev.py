"""Developer entry point that needs only Python: `python3 dev.py test` or `python3 dev.py serve`.

It creates `.venv` beside this file on first use, installs leadbot with its test tools into
it, and then runs the checks (ruff, mypy, pytest) or the bot.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".leadbot-installed"


def ensure_environment() -> None:
    """Create the virtualenv and (re)install the project when pyproject.toml changed."""
    if not (BIN / "python").exists() and not (BIN / "python.exe").exists():
        print("creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    if STAMP.exists() and STAMP.read_text(encoding="utf-8") == wanted:
        return
    print("installing leadbot and its test tools into .venv ...", flush=True)
    run([str(BIN / "python"), "-m", "pip", "install", "-q", "--upgrade", "pip"])
    run([str(BIN / "python"), "-m", "pip", "install", "-q", "-e", f"{ROOT}[test]"])
    STAMP.write_text(wanted, encoding="utf-8")


def run(command: list[str]) -> None:
    """Run a command in the project root; stop with its exit status if it fails."""
    completed = subprocess.run(command, cwd=ROOT, check=False)
    if completed.returncode != 0:
        raise SystemExit(completed.returncode)


def test(extra: list[str]) -> None:
    """Lint, type-check, then run the whole pytest suite."""
    run([str(BIN / "ruff"), "check", "."])
    run([str(BIN / "ruff"), "format", "--check", "."])
    run([str(BIN / "mypy")])
    if not os.environ.get("TEST_DATABASE_URL"):
        print("note: TEST_DATABASE_URL is not set, so the PostgreSQL half of the suite is skipped")
    run([str(BIN / "python"), "-m", "pytest", *extra])


def main() -> None:
    """Dispatch `test [pytest args]` or any leadbot subcommand (`serve`, `migrate`, ...)."""
    args = sys.argv[1:] or ["--help"]
    if args[0] in ("-h", "--help"):
        print(__doc__)
        return
    ensure_environment()
    if args[0] == "test":
        test(args[1:])
    else:
        run([str(BIN / "leadbot"), *args])


if __name__ == "__main__":
    main()
