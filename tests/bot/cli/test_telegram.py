"""``carevoice telegram set-webhook | poll | link`` and ``flows preview --channel telegram``,
in-process, against the fake Bot API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from storage.crypto import generate_key
from storage.db import make_engine
from storage.migrate import upgrade
from tests.bot.channels.telegram.harness import SECRET, update
from tests.fakes.telegram_api import TOKEN, FakeTelegram, FakeTelegramServer

runner = CliRunner()


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeTelegram]:
    server = FakeTelegramServer().start()
    url = f"sqlite:///{tmp_path / 'carevoice.db'}"
    upgrade(make_engine(url))
    for name, value in {
        "TELEGRAM_BOT_TOKEN": TOKEN, "CAREVOICE_TELEGRAM_API_URL": server.url,
        "CAREVOICE_TELEGRAM_SECRET": SECRET, "CAREVOICE_PUBLIC_URL": "https://cv.example.org/",
        "CAREVOICE_DATABASE_URL": url, "CAREVOICE_SECRET_KEY": generate_key(),
    }.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)  # no .env from the working tree
    try:
        yield server.fake
    finally:
        server.stop()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_set_webhook_registers_our_url_with_the_secret(api: FakeTelegram) -> None:
    code, out, _ = invoke("telegram", "set-webhook")
    assert code == 0
    assert out.strip() == "Telegram will send updates to https://cv.example.org/telegram/webhook"
    assert api.webhook["url"] == "https://cv.example.org/telegram/webhook"
    assert api.webhook["secret_token"] == SECRET
    assert json.loads(api.webhook["allowed_updates"]) == ["message", "edited_message"]


def test_set_webhook_needs_a_secret_and_https(
    api: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAREVOICE_PUBLIC_URL", "http://localhost:8000")
    code, _, err = invoke("telegram", "set-webhook")
    assert code == 1
    assert "Telegram only calls https:// webhooks" in err
    monkeypatch.setenv("CAREVOICE_TELEGRAM_SECRET", "")
    code, _, err = invoke("telegram", "set-webhook")
    assert code == 1
    assert "set CAREVOICE_TELEGRAM_SECRET" in err
    assert api.webhook == {}


def test_a_wrong_token_is_a_clear_error(api: FakeTelegram, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "999:wrong")
    code, _, err = invoke("telegram", "link", "--flow", "fft")
    assert code == 1
    assert "Telegram rejected TELEGRAM_BOT_TOKEN" in err
    assert "wrong" not in err  # a token is a secret, even a wrong one


@pytest.mark.parametrize(("suffix", "magic"), [(".png", b"\x89PNG\r\n"), (".svg", b"<?xml")])
def test_link_prints_a_deep_link_and_writes_a_qr_code(
    api: FakeTelegram, tmp_path: Path, suffix: str, magic: bytes
) -> None:
    qr = tmp_path / f"poster{suffix}"
    code, out, _ = invoke("telegram", "link", "--flow", "homecare_monthly", "--qr", str(qr))
    assert code == 0
    assert out.strip() == "https://t.me/carevoice_test_bot?start=homecare_monthly"
    assert qr.read_bytes().startswith(magic)


def test_link_refuses_an_unknown_flow_or_qr_format(api: FakeTelegram, tmp_path: Path) -> None:
    code, _, err = invoke("telegram", "link", "--flow", "nope", "--bot", "b")
    assert code == 1
    assert "no flow 'nope'" in err
    code, _, err = invoke("telegram", "link", "--flow", "fft", "--bot", "b", "--qr", "x.gif")
    assert code == 1
    assert "must end in .png or .svg" in err


def test_poll_once_answers_what_is_waiting(api: FakeTelegram) -> None:
    api.push(update(9001, "FEEDBACK"))
    code, out, _ = invoke("telegram", "poll", "--once")
    assert code == 0
    assert out.strip() == "1 updates (1 answered)"
    assert api.texts("9001")[-1] == "Do your care workers arrive on time?"


def test_preview_shows_each_question_with_its_keyboard() -> None:
    result = runner.invoke(app, ["flows", "preview", "fft", "--channel", "telegram"])
    assert result.exit_code == 0
    assert '"keyboard": [[{"text": "Very good"}], [{"text": "Good"}]' in result.stdout
    assert '[reply_markup: {"remove_keyboard": true}]' in result.stdout
