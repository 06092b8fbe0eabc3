"""The engine is pure: it imports nothing else of the project and no clock, random, network or
database module. Checked two ways: statically (every import in flows/) and at run time."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

FLOWS_DIR = Path(__file__).resolve().parents[2] / "flows"
PROJECT_PACKAGES = {"bot", "storage", "reports", "analysis", "tests"}
FORBIDDEN = {
    "time", "random", "secrets", "uuid", "socket", "ssl", "http", "urllib", "requests", "httpx",
    "aiohttp", "sqlite3", "sqlalchemy", "sqlmodel", "psycopg", "psycopg2", "asyncio", "threading",
    "subprocess", "multiprocessing", "os", "shutil", "smtplib", "twilio", "telegram", "fastapi",
}  # fmt: skip
CLOCK_CALLS = {"now", "utcnow", "today", "time", "monotonic", "perf_counter"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


SOURCES = sorted(FLOWS_DIR.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=[p.name for p in SOURCES])
def test_no_forbidden_imports(path: Path) -> None:
    modules = imported_modules(path)
    assert not modules & PROJECT_PACKAGES, f"{path.name} imports the rest of the project"
    assert not modules & FORBIDDEN, f"{path.name} imports {sorted(modules & FORBIDDEN)}"


@pytest.mark.parametrize("path", SOURCES, ids=[p.name for p in SOURCES])
def test_no_clock_reads(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = [
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    ]
    assert not set(calls) & CLOCK_CALLS


def test_importing_the_engine_loads_nothing_forbidden() -> None:
    """Run in a fresh interpreter so other tests' imports cannot hide a leak."""
    probe = (
        "import sys, flows.engine, flows.loader;"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    loaded = set(result.stdout.split())
    assert not loaded & PROJECT_PACKAGES
    assert not loaded & {
        "sqlalchemy",
        "sqlmodel",
        "psycopg",
        "twilio",
        "telegram",
        "httpx",
        "requests",
    }


def test_the_probe_would_notice_a_leak() -> None:
    # Guards the guard: the same probe does see a module that is imported.
    probe = "import sys, bot.channels.terminal.chat; print(' '.join(sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert "bot" in {m.split(".")[0] for m in result.stdout.split()}
