"""``carevoice report`` run in-process, on a real database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from bot.cli.reports import answers_app, report
from storage import sealed
from storage.crypto import Vault, generate_key
from storage.db import make_engine
from storage.migrate import upgrade
from tests.reports.data import load_fixture

runner = CliRunner()


def cli() -> typer.Typer:
    # Mounted the way bot/cli.py mounts them.
    app = typer.Typer()
    app.command("report")(report)
    app.add_typer(answers_app, name="answers")
    return app


@pytest.fixture
def sqlite_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The commands open the configured database themselves (SQLite here; the report queries
    run on PostgreSQL in tests/reports)."""
    path = tmp_path / "carevoice.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    key = generate_key()
    sealed.bind(engine, Vault.from_setting(key))
    load_fixture(engine)
    engine.dispose()
    monkeypatch.setenv("CAREVOICE_SECRET_KEY", key)  # the key the commands read the text with
    monkeypatch.setenv("CAREVOICE_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("CAREVOICE_VAR_DIR", str(tmp_path / "var"))
    return path


def test_json_to_stdout(sqlite_database: Path) -> None:
    result = runner.invoke(
        cli(), ["report", "--provider", "Sunrise Care", "--month", "2026-10", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["provider"] == "Sunrise Care"


def test_unknown_provider_is_one_line_and_exit_1(sqlite_database: Path) -> None:
    result = runner.invoke(cli(), ["report", "--provider", "Nobody", "--month", "2026-10"])
    assert result.exit_code == 1
    assert result.stderr == "no provider called 'Nobody'\n"


def test_month_without_data_is_exit_1(sqlite_database: Path) -> None:
    result = runner.invoke(cli(), ["report", "--all-providers", "--month", "2030-01"])
    assert result.exit_code == 1
    assert result.stderr == "no answers for any provider in 2030-01\n"


def test_provider_or_all_is_a_usage_error(sqlite_database: Path) -> None:
    result = runner.invoke(cli(), ["report", "--month", "2026-10"])
    assert result.exit_code == 2


def test_binary_format_gets_a_default_file(
    sqlite_database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        cli(), ["report", "--all-providers", "--month", "2026-10", "--format", "xlsx"]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "report-all-providers-2026-10.xlsx").stat().st_size > 0


def test_csv_to_a_file(sqlite_database: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    args = ["report", "--provider", "sunrise care", "--month", "2026-10", "--format", "csv"]
    result = runner.invoke(cli(), [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("scope,provider,month,")


def test_answers_import_reports_lines_and_is_idempotent(
    sqlite_database: Path, tmp_path: Path
) -> None:
    csv_file = tmp_path / "paper.csv"
    csv_file.write_text(
        "provider,date,channel,flow,question,value,text\n"
        "Paper Care,2026-10-05,paper,fft,fft,very_good,\n"
        "Paper Care,2026-10-05,paper,fft,fft,brilliant,\n"
    )
    first = runner.invoke(cli(), ["answers", "import", str(csv_file), "--create-providers"])
    assert first.exit_code == 1
    assert first.stderr == (
        f"{csv_file}:3: value 'brilliant' is not an option of 'fft': "
        "very_good, good, neither, poor, very_poor, dont_know\n"
    )
    assert first.stdout.startswith("imported 1 answers, 0 already imported, 1 bad rows")
    again = runner.invoke(cli(), ["answers", "import", str(csv_file), "--create-providers"])
    assert again.stdout.startswith("imported 0 answers, 1 already imported, 1 bad rows")


def test_answers_for_a_near_miss_provider_are_not_imported_without_asking(
    sqlite_database: Path, tmp_path: Path
) -> None:
    csv_file = tmp_path / "paper.csv"
    csv_file.write_text(
        "provider,date,channel,flow,question,value,text\n"
        "Sunrise Care Ltd,2026-10-05,paper,fft,fft,very_good,\n"
    )
    dry = runner.invoke(cli(), ["answers", "import", str(csv_file), "--dry-run"])
    assert dry.exit_code == 1
    assert "did you mean 'Sunrise Care'?" in dry.stderr
    assert "add --create-providers" in dry.stderr
    assert "dry run: nothing kept" in dry.stdout
    made = runner.invoke(
        cli(), ["answers", "import", str(csv_file), "--create-providers", "--dry-run"]
    )
    assert made.exit_code == 0, made.output
    assert made.stdout.startswith("would import 1 answers")
    real = runner.invoke(cli(), ["answers", "import", str(csv_file), "--create-providers"])
    assert real.stdout.startswith("imported 1 answers")  # the dry run kept nothing


def test_a_near_miss_provider_name_gets_a_suggestion(sqlite_database: Path) -> None:
    result = runner.invoke(cli(), ["report", "--provider", "Sunrize Care", "--month", "2026-10"])
    assert result.exit_code == 1
    assert result.stderr == "no provider called 'Sunrize Care': did you mean 'Sunrise Care'?\n"


def test_report_alone_names_everything_it_needs_at_once(sqlite_database: Path) -> None:
    result = runner.invoke(cli(), ["report"])
    assert result.exit_code == 2
    assert "needs --month YYYY-MM and --provider NAME (or --all-providers)" in result.stderr
    both = runner.invoke(
        cli(), ["report", "--month", "2026-10", "--provider", "X", "--all-providers"]
    )
    assert both.exit_code == 2


def test_outcomes_report_names_what_it_needs_and_runs(sqlite_database: Path) -> None:
    missing = runner.invoke(cli(), ["report", "--outcomes"])
    assert missing.exit_code == 2
    assert "needs --provider NAME and --from YYYY-MM and --to YYYY-MM" in missing.stderr
    args = ["report", "--outcomes", "--provider", "Sunrise Care", "--from", "2026-04"]
    result = runner.invoke(cli(), [*args, "--to", "2027-03", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["provider"] == "Sunrise Care"
    backwards = runner.invoke(cli(), [*args, "--to", "2026-01"])
    assert backwards.exit_code == 1
    assert "starts (2026-04) after it ends (2026-01)" in backwards.stderr
