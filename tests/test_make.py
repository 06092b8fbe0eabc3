"""The two commands: `make run` installs only what running needs, `make test` adds the tools."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEV_TOOLS = ("pytest", "mypy", "ruff", "playwright", "hypothesis", "import-linter")


def planned(target: str) -> str:
    if shutil.which("make") is None:
        pytest.fail("make is needed: it is one of the two commands")
    # Run under `make test`, the flags of the outer make (MAKEFLAGS, MAKELEVEL) would be
    # inherited and add "Entering directory" lines: plan it as a person at a shell would.
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MAKELEVEL", "MFLAGS"}}
    done = subprocess.run(
        ["make", "-n", "-B", "--no-print-directory", target],
        cwd=ROOT, capture_output=True, text=True, check=True, env=env,
    )  # fmt: skip
    return done.stdout


def test_make_run_installs_no_development_tools() -> None:
    commands = planned("run")
    assert "pip install --quiet -e .\n" in commands
    assert "[dev]" not in commands
    assert commands.rstrip().endswith("carevoice serve")


def test_make_test_installs_the_tools_and_checks_the_browser_first() -> None:
    commands = planned("test")
    assert "-e '.[dev]'" in commands
    assert "chromium" in commands
    assert "lint-imports" in commands


def test_development_tools_are_not_runtime_dependencies() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = " ".join(project["dependencies"])
    assert not [tool for tool in DEV_TOOLS if tool in runtime]
    dev = " ".join(project["optional-dependencies"]["dev"])
    assert all(tool in dev for tool in DEV_TOOLS)
