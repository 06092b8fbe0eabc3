"""How the command starts: fast for what needs little (help, checking a flow), one flow catalog
for every command, and a service that says "listening" only once it is."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
HEAVY = ("sqlalchemy", "fastapi", "weasyprint", "matplotlib", "twilio", "uvicorn")


def modules_after(args: list[str], cwd: Path) -> set[str]:
    probe = (
        "import sys\nfrom typer.testing import CliRunner\nfrom bot.cli.main import app\n"
        f"result = CliRunner().invoke(app, {args!r})\n"
        "assert result.exit_code == 0, result.output\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=cwd, timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


@pytest.mark.parametrize("args", [["--help"], ["flows", "check", "fft"], ["flows", "--help"]])
def test_light_commands_do_not_load_the_service(args: list[str], tmp_path: Path) -> None:
    loaded = modules_after(args, tmp_path)
    assert loaded.isdisjoint(HEAVY), loaded & set(HEAVY)


def carevoice(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ROOT / ".venv/bin/carevoice"), *args] if (ROOT / ".venv/bin/carevoice").exists()
        else ["carevoice", *args],
        capture_output=True, text=True, cwd=cwd, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )  # fmt: skip


def test_every_flow_command_finds_flows_in_the_flows_dir(tmp_path: Path) -> None:
    mine = tmp_path / "my-flows"
    mine.mkdir()
    (mine / "meals.yaml").write_text((ROOT / "examples/meals_survey.yaml").read_text())
    env = {"CAREVOICE_FLOWS_DIR": str(mine)}
    listed = carevoice("flows", "list", cwd=tmp_path, env=env)
    assert "meals_survey" in listed.stdout
    assert "(yours)" in listed.stdout
    for args in (["flows", "check", "meals_survey"], ["flows", "graph", "meals_survey"],
                 ["flows", "preview", "meals_survey"], ["chat", "meals_survey"]):  # fmt: skip
        done = carevoice(*args, cwd=tmp_path, env=env)
        assert done.returncode == 0, (args, done.stderr)
    unknown = carevoice("flows", "check", "meals_survey", cwd=tmp_path)
    assert unknown.returncode == 1
    assert "no flow file or flow called 'meals_survey'" in unknown.stderr


def test_serve_on_a_taken_port_says_so_before_any_banner(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = carevoice("serve", "--port", str(port), cwd=tmp_path)
    assert done.returncode == 1
    assert "listening" not in done.stdout
    assert f"port {port} on 127.0.0.1 is already in use" in done.stderr
    assert f"--port {port + 1}" in done.stderr


def test_serve_answers_without_waiting_for_the_clients_delayed_ack() -> None:
    # Without TCP_NODELAY on the socket serve binds itself, a response written in two pieces
    # (uvicorn writes headers, then body) waits for the client's delayed ACK: ~40 ms each.
    from bot.cli.main import _bind

    listening = _bind("127.0.0.1", 0)
    try:
        assert listening.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        listening.close()
