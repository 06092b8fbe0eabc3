"""Docs that run: every shell and Python example in the README works as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent
# `make test` would run this suite inside itself, and `make run` waits for a person.
NOT_RUN_HERE = ("make test", "make run", "source ")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def shell_lines() -> list[str]:
    lines = []
    for block in blocks("sh"):
        for line in block.splitlines():
            command = re.sub(r"\s+#\s.*$", "", line).strip()
            if command and not command.startswith(NOT_RUN_HERE):
                lines.append(command)
    return lines


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    # Relative paths in the README resolve against the repository; outputs land in tmp.
    for name in ("examples", "flows"):
        (tmp_path / name).symlink_to(ROOT / name)
    return tmp_path


def run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(
        ["bash", "-c", f"set -o pipefail; {command}"],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip


@pytest.mark.parametrize("command", shell_lines())
def test_shell_example_runs(command: str, workdir: Path) -> None:
    result = run(command, workdir)
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"


def test_the_two_commands_come_first() -> None:
    first = blocks("sh")[0]
    assert "make run" in first
    assert "make test" in first


def test_piped_chat_prints_what_the_readme_says(workdir: Path) -> None:
    command = next(line for line in shell_lines() if "--answers-json" in line)
    promised = re.search(r"prints `(\{.*?\})`", README)
    assert promised is not None
    assert run(command, workdir).stdout.strip() == promised.group(1)


def test_python_example_runs() -> None:
    (code,) = blocks("python")
    expected = re.search(r"print\((.*)\)\s+#\s*(.*)", code)
    assert expected is not None
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected.group(2).strip()
