"""`carevoice invite` and `carevoice worker --once`, run as a person would, against fake Twilio."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.cli_harness import fake_twilio_cli, import_examples
from tests.fakes.cli_harness import run as cli  # these tests check exit codes, failures too
from tests.fakes.twilio_api import FakeTwilio

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def twilio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTwilio]:
    with fake_twilio_cli(
        tmp_path, monkeypatch, quiet_hours="", public_url="https://carevoice.example.org"
    ) as fake:
        yield fake


def test_dry_run_sends_nothing(twilio: FakeTwilio) -> None:
    import_examples()
    code, out = cli(
        "invite", "--flow", "homecare_monthly", "--provider", "Sunrise Care", "--dry-run"
    )
    assert code == 0, out
    assert "4 to invite" in out
    assert "would text +447••••••101" in out
    assert "Do your care workers arrive on time?" in out
    assert cli("worker", "--once")[0] == 0
    assert twilio.sent == []


def test_invite_then_worker_sends_once_per_month(twilio: FakeTwilio) -> None:
    import_examples()
    code, out = cli("invite", "--flow", "homecare_monthly", "--provider", "Sunrise Care")
    assert code == 0, out
    assert "queued 4 invitations" in out
    code, out = cli("worker", "--once")
    assert code == 0, out
    assert "sent 8" in out
    assert sorted({s.to for s in twilio.sent}) == [f"+4477009001{n:02d}" for n in range(1, 5)]
    assert "Leeds" not in twilio.sent[0].body  # no commissioner was given for this provider
    code, out = cli("invite", "--flow", "homecare_monthly", "--provider", "Sunrise Care")
    assert "0 to invite" in out
    assert "4 already invited this month" in out


def test_unknown_provider_and_flow(twilio: FakeTwilio) -> None:
    code, out = cli("invite", "--flow", "homecare_monthly", "--provider", "Nobody")
    assert code == 1
    assert "no provider called 'Nobody'" in out
    import_examples()
    code, out = cli("invite", "--flow", "nope", "--provider", "Sunrise Care")
    assert code == 1
    assert "no flow 'nope'" in out


def test_worker_without_twilio_settings_says_what_to_set(
    twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TWILIO_AUTH_TOKEN")
    code, out = cli("worker", "--once")
    assert code == 1
    assert "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN" in out


def test_invite_takes_a_flow_file_too(twilio: FakeTwilio) -> None:
    import_examples()
    flow_file = str(ROOT / "examples/meals_survey.yaml")
    code, out = cli("invite", "--flow", flow_file, "--provider", "Sunrise Care", "--dry-run")
    assert code == 0, out
    assert "Three quick questions about Sunrise Care" in out
    code, out = cli("chat", "no_such_flow", "--record", "--provider", "Sunrise Care")
    assert code == 1
    assert "no flow 'no_such_flow'" in out


def test_dry_run_shows_the_stored_provider_name_and_its_commissioner(twilio: FakeTwilio) -> None:
    assert cli("providers", "add", "Sunrise Care", "--commissioner", "Leeds City Council")[0] == 0
    code, out = cli(
        "contacts", "import", str(ROOT / "examples/contacts.csv"), "--provider", "Sunrise Care"
    )
    assert code == 0, out
    code, out = cli(
        "invite", "--flow", "homecare_monthly", "--provider", "SUNRISE CARE", "--dry-run"
    )
    assert code == 0, out
    assert "Hello, this is Leeds City Council." in out
    assert "from Sunrise Care." in out
    assert "SUNRISE CARE" not in out.split("first texts:")[1]
