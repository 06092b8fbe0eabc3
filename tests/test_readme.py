"""Docs that run: every ``sh`` block and the Python example in the README work as written.

The ``sh`` blocks are the tour, and run as a reader runs them: one after another, in order, in one
fresh folder (so later blocks see what earlier ones made), with no carevoice settings in the
environment. ``text`` and ``bash`` blocks are illustrations (the two make commands, a real
Twilio account).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def run(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAREVOICE_", "TWILIO_"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        ["bash", "-c", f"set -euo pipefail\n{script}"],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def workdir(tmp_path: Path) -> Path:
    # Relative paths in the README resolve against the repository; data lands in tmp.
    for name in ("examples", "flows"):
        (tmp_path / name).symlink_to(ROOT / name)
    return tmp_path


SH_BLOCKS = blocks("sh")


def test_the_tour_runs_in_order_in_one_folder(tmp_path: Path) -> None:
    folder = workdir(tmp_path)
    assert len(SH_BLOCKS) >= 5
    for number, script in enumerate(SH_BLOCKS, start=1):
        result = run(script, folder)
        assert result.returncode == 0, (
            f"block {number} of the tour failed:\n{script}\n{result.stdout}\n{result.stderr}"
        )


def test_the_two_commands_come_first() -> None:
    first = re.search(r"```\w*\n(.*?)```", README, flags=re.DOTALL)
    assert first is not None
    assert [line.split()[:2] for line in first.group(1).splitlines()] == [
        ["make", "run"],
        ["make", "test"],
    ]


def test_piped_chat_prints_what_the_readme_says(tmp_path: Path) -> None:
    command = next(
        line for block in SH_BLOCKS for line in block.splitlines() if "--answers-json" in line
    )
    promised = re.search(r"prints `(\{.*?\})`", README)
    assert promised is not None
    assert run(command, workdir(tmp_path)).stdout.strip() == promised.group(1)


def test_python_example_runs() -> None:
    (code,) = blocks("python")
    expected = re.search(r"print\((.*)\)\s+#\s*(.*)", code)
    assert expected is not None
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected.group(2).strip()
