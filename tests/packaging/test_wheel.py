"""The wheel: built without warnings, installing exactly the documented top-level packages."""

from __future__ import annotations

import email
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The one list of top-level packages leadbot installs (README, Design). A folder is only
# built once it exists, so the list may name a package that is still on its way.
TOP_LEVEL_PACKAGES = (
    "bot",
    "handlers",
    "scheduler",
    "storage",
    "blocks",
    "leads",
    "leadloop",
    "workspace",
)
NOT_INSTALLED = frozenset({"tests", "bench"})
WARNING_WORDS = ("deprecat", "warning")


def _pyproject() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _present_packages() -> set[str]:
    return {name for name in TOP_LEVEL_PACKAGES if (ROOT / name / "__init__.py").is_file()}


def _pip(*args: str, cwd: Path) -> str:
    """Run this interpreter's pip offline; return everything it printed."""
    completed = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        cwd=cwd,
        env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    return output


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Build the wheel from a copy of the sources; return it and pip's verbose output."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    for name in _present_packages():
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    out = tmp_path_factory.mktemp("wheel")
    offline = ("--no-deps", "--no-index", "--no-build-isolation")
    output = _pip("wheel", "-v", *offline, "--wheel-dir", str(out), ".", cwd=source)
    [wheel] = out.glob("leadbot-*.whl")
    return wheel, output


def test_every_package_folder_is_in_the_list() -> None:
    folders = {path.parent.name for path in ROOT.glob("*/__init__.py")} - NOT_INSTALLED
    assert folders <= set(TOP_LEVEL_PACKAGES)


def test_setuptools_finds_exactly_the_listed_packages() -> None:
    find = _pyproject()["tool"]["setuptools"]["packages"]["find"]  # type: ignore[index]
    assert sorted(find["include"]) == sorted(f"{name}*" for name in TOP_LEVEL_PACKAGES)


def test_build_needs_a_setuptools_that_knows_license_expressions() -> None:
    project = _pyproject()["project"]
    assert _pyproject()["build-system"]["requires"] == ["setuptools>=77"]  # type: ignore[index]
    assert project["license"] == "LicenseRef-Proprietary"  # type: ignore[index]
    assert project["license-files"] == ["LICENSE"]  # type: ignore[index]


def test_test_tools_have_upper_bounds() -> None:
    extras = _pyproject()["project"]["optional-dependencies"]["test"]  # type: ignore[index]
    assert extras
    assert all("<" in requirement for requirement in extras), extras


def test_wheel_builds_without_warnings(build: tuple[Path, str]) -> None:
    _, output = build
    noisy = [line for line in output.splitlines() if any(w in line.lower() for w in WARNING_WORDS)]
    assert noisy == []


def test_wheel_installs_exactly_the_documented_packages(
    build: tuple[Path, str], tmp_path: Path
) -> None:
    wheel, _ = build
    target = tmp_path / "site"
    _pip("install", "--no-deps", "--no-index", "--target", str(target), str(wheel), cwd=tmp_path)
    installed = {path.name for path in target.iterdir() if path.is_dir() and path.name != "bin"} - {
        path.name for path in target.glob("*.dist-info")
    }
    assert installed == _present_packages()
    assert (target / "storage" / "migrations" / "script.py.mako").is_file()
    assert list((target / "storage" / "migrations" / "versions").glob("*.py"))
    static = target / "workspace" / "static"
    assert {path.name for path in static.iterdir()} >= {"index.html", "app.css", "app.js"}


def test_wheel_metadata(build: tuple[Path, str]) -> None:
    wheel, _ = build
    with zipfile.ZipFile(wheel) as archive:
        info = next(name.split("/")[0] for name in archive.namelist() if ".dist-info/" in name)
        metadata = email.message_from_bytes(archive.read(f"{info}/METADATA"))
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
        licence = archive.read(f"{info}/licenses/LICENSE").decode()
    assert metadata["License-Expression"] == "LicenseRef-Proprietary"
    assert metadata["Requires-Python"] == ">=3.11"
    assert "leadbot = bot.cli:main" in entry_points
    assert "All rights reserved" in licence
