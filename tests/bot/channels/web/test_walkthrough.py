"""The forum organiser's walk-through in the README, step by step: copy a bundled
consultation, check it, start the service, make the link and QR code, answer it as a phone
browser without JavaScript would, and download the results as CSV and PDF."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import flows
from bot.app import create_app
from bot.cli.main import app
from bot.config.settings import Settings
from storage.crypto import generate_key
from tests.bot.channels.web.harness import FormWorld
from tests.bot.dashboard.conftest import csrf_of
from tests.fakes.live_service import LiveService

ROOT = Path(__file__).resolve().parents[4]
runner = CliRunner()
TODAY = datetime.now(UTC).date()


def cli(*args: str, stdin: str | None = None) -> str:
    result = runner.invoke(app, list(args), input=stdin)
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout


def test_the_readme_walk_through(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "carevoice web link --flow wheelchair_2027" in (ROOT / "README.md").read_text()
    monkeypatch.chdir(tmp_path)
    for name, value in {
        "CAREVOICE_DATABASE_URL": f"sqlite:///{tmp_path / 'carevoice.db'}",
        "CAREVOICE_SECRET_KEY": generate_key(), "CAREVOICE_FLOWS_DIR": "my-flows",
        "CAREVOICE_PUBLIC_URL": "http://survey.northshire.example",
        "CAREVOICE_WEB_ORGANISATION": "Northshire Parent Carer Forum",
    }.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    # 1. Copy a bundled consultation under a new id, with a web: section.
    source = (Path(flows.__file__).parent / "library/pcf_consultation.yaml").read_text()
    source = re.sub(r"(?m)^id: pcf_consultation", "id: wheelchair_2027", source)
    source = re.sub(r"(?m)^start_keywords: .*$", "", source)
    web = f"\nweb:\n  opens: {TODAY}\n  closes: {TODAY + timedelta(days=60)}\n"
    Path("my-flows").mkdir()
    Path("my-flows/wheelchair_2027.yaml").write_text(source + web + "  one_per_device: true\n")
    # 2. Check it.
    assert "ok (wheelchair_2027 v1" in cli("flows", "check", "my-flows/wheelchair_2027.yaml")
    # 3. Start the service.
    cli("db", "upgrade")
    service = LiveService(create_app(Settings())).start()
    try:
        # 4. Share the link and the QR code.
        out = cli("web", "link", "--flow", "wheelchair_2027", "--out", "posters")
        assert "http://survey.northshire.example/f/wheelchair_2027" in out
        assert Path("posters/wheelchair_2027-qr.png").is_file()
        # 5. Five families answer it on their phones.
        world = FormWorld(Settings(), None, service)  # type: ignore[arg-type]
        for family in range(5):
            answer(world, f"We waited {family + 3} months for the chair")
        # 7. Sign in as organiser and download the results.
        password = "a long organiser passphrase"
        cli("users", "add", "you@forum.example", "--role", "organiser", "--flow",
            "wheelchair_2027", "--password-stdin", stdin=password + "\n")  # fmt: skip
        with TestClient(create_app(Settings())) as client:
            token = csrf_of(client.get("/reports/sign-in"))
            form = {"email": "you@forum.example", "csrf_token": token, "password": password}
            client.post("/reports/sign-in", data=form)
            page = client.get("/reports/surveys/wheelchair_2027/results")
            assert "5 responses." in page.text
            csv = client.get("/reports/surveys/wheelchair_2027/results.csv")
            assert csv.status_code == 200
            assert len(csv.content.decode("utf-8-sig").strip().splitlines()) == 6
            assert client.get("/reports/surveys/wheelchair_2027/results.pdf").content[:4] == b"%PDF"
    finally:
        service.stop()


def answer(world: FormWorld, comment: str) -> None:
    visitor = world.visitor()
    visitor.get("/f/wheelchair_2027")
    visitor.submit()
    for value in ("has_chair", "partly", "no", "partly", "good", comment):
        assert visitor.submit(value).status_code == 200
    visitor.submit()
    assert visitor.title == "Your answers have been sent"
