"""The operators' commands, run in-process as a person would type them, on a real database."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from cryptography.fernet import Fernet
from sqlalchemy import text
from sqlmodel import Session, select
from typer.testing import CliRunner

from bot.cli.admin import Category, contacts_app, db_app, providers_app, purge
from bot.config.database import DatabaseNotReady, open_database
from bot.config.settings import Settings
from storage import migrate, sealed
from storage.crypto import Vault, generate_key
from storage.db import make_engine, scratch_schema
from storage.models import CATEGORIES, SafeguardingFlag
from tests.conftest import postgres_url
from tests.storage.clear_rows import DISCLOSURE, WORDS, store_in_clear
from tests.storage.raw_dump import raw_dump

app = typer.Typer()
app.add_typer(db_app, name="db")
app.add_typer(providers_app, name="providers")
app.add_typer(contacts_app, name="contacts")
app.command("purge")(purge)

CSV = (
    "name,phone,language,email,easy_read\n"
    "Ann Smith,07700 900123,en,,yes\n"
    "Bob Jones,0770,en,,\n"
    "Ann Smith,+44 7700 900123,en,ann@example.org,\n"
    "Cy Evans,(0)7700-900-124,cy,,\n"
    "Di Brown,,en,,maybe\n"
)


class Cli:
    def __init__(self, tmp_path: Path) -> None:
        self.url = f"sqlite:///{tmp_path / 'carevoice.db'}"
        self.env = {"CAREVOICE_DATABASE_URL": self.url, "CAREVOICE_SECRET_KEY": generate_key()}
        self.tmp = tmp_path

    def __call__(self, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
        result = CliRunner().invoke(app, list(args), env=self.env, input=stdin)
        return result.exit_code, result.stdout, result.stderr

    def csv(self, content: str | bytes, name: str = "contacts.csv") -> str:
        path = self.tmp / name
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
        return str(path)

    def count(self, table: str) -> int:
        engine = make_engine(self.url)
        with engine.connect() as connection:
            found = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
        engine.dispose()
        return int(found)


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    cli = Cli(tmp_path)
    assert cli("providers", "add", "Sunrise Care", "--commissioner", "Leeds City Council")[0] == 0
    return cli


def test_every_command_has_help() -> None:
    for args in [[], ["db"], ["providers"], ["contacts"]]:
        assert CliRunner().invoke(app, [*args, "--help"]).exit_code == 0
    erase_help = CliRunner().invoke(app, ["contacts", "erase", "--help"]).stdout
    assert "suppression list" in erase_help


def test_categories_match_the_model() -> None:
    assert tuple(Category) == CATEGORIES


def test_db_upgrade_seals_words_stored_in_clear_with_the_configured_key(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    engine = make_engine(cli.url)
    migrate.upgrade(engine, "0011_flag_layer")
    store_in_clear(engine)  # as an older version left them
    code, out, err = cli("db", "upgrade")
    assert (code, err) == (0, "")
    assert out.strip().endswith("(was 0011_flag_layer)")
    assert WORDS not in raw_dump(engine)
    sealed.bind(engine, Vault.from_setting(cli.env["CAREVOICE_SECRET_KEY"]))
    with Session(engine) as db:
        assert db.exec(select(SafeguardingFlag.text)).one() == DISCLOSURE
    engine.dispose()


def test_db_upgrade_and_new_key(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    code, out, _ = cli("db", "upgrade")
    assert code == 0
    assert out.strip().endswith("(was empty)")
    assert cli("db", "upgrade")[1].strip().endswith(f"(was {migrate.head()})")
    key = cli("db", "new-key")[1].strip()
    Fernet(key)  # a usable key


def test_sqlite_default_upgrades_itself(tmp_path: Path) -> None:
    code, out, _ = Cli(tmp_path)("providers", "list")
    assert code == 0
    assert "no providers yet" in out


def test_providers(cli: Cli) -> None:
    code, out, _ = cli("providers", "add", "Little Stars", "--category", "childrens_service",
                       "--commissioner", "ICB", "--commissioner", "Council")  # fmt: skip
    assert (code, out) == (0, "added provider 'Little Stars' (childrens_service)\n")
    code, _, err = cli("providers", "add", "  sunrise   CARE ")
    assert (code, err) == (1, "a provider called 'sunrise CARE' already exists\n")
    assert cli("providers", "add", "X", "--category", "hospital")[0] == 2
    table = cli("providers", "list")[1].splitlines()
    assert table[0].split() == ["NAME", "CATEGORY", "CONTACTS", "COMMISSIONERS"]
    assert table[1].split() == ["Little", "Stars", "childrens_service", "0", "ICB,", "Council"]
    listed = json.loads(cli("providers", "list", "--format", "json")[1])
    assert [(p["name"], p["commissioners"]) for p in listed] == [
        ("Little Stars", ["ICB", "Council"]), ("Sunrise Care", ["Leeds City Council"]),
    ]  # fmt: skip


def test_import_reports_each_bad_row_and_imports_the_rest(cli: Cli) -> None:
    path = cli.csv(CSV)
    code, out, err = cli("contacts", "import", path, "--provider", "sunrise care")
    assert code == 1  # some rows need fixing
    assert out == "2 imported, 1 merged, 2 rejected\n"
    assert err.splitlines() == [
        f"{path}:3: phone '0770' is too short (no area code?)",
        f"{path}:4: note: same person as line 2: merged",
        f"{path}:6: no phone, telegram or email: there is no way to reach this person",
    ]
    assert (cli.count("contact"), cli.count("address")) == (2, 3)
    dump = raw_dump(make_engine(cli.url))
    for secret in ["Ann Smith", "Cy Evans", "7700900123", "7700900124", "ann@example.org"]:
        assert secret not in dump
    fixed = cli.csv("name,phone,language\nAnn Smith,07700900123,en\nBob Jones,07700 900126,en\n")
    code, out, _ = cli("contacts", "import", fixed, "--provider", "Sunrise Care")
    assert (code, out) == (0, "1 imported, 1 merged, 0 rejected\n")


def test_dry_run_writes_nothing(cli: Cli) -> None:
    code, out, _ = cli(
        "contacts", "import", cli.csv(CSV), "--provider", "Sunrise Care", "--dry-run"
    )
    assert out == "dry run, nothing written: 2 imported, 1 merged, 2 rejected\n"
    assert code == 1
    assert cli.count("contact") == cli.count("address") == 0


def test_a_file_that_breaks_part_way_imports_nothing(cli: Cli) -> None:
    rows = "".join(f"Person {n},07700 900{n:03d},en\n" for n in range(600))
    content = ("name,phone,language\n" + rows).encode() + b"Zo\xeb,07700 900999,en\n"
    code, _, err = cli("contacts", "import", cli.csv(content), "--provider", "Sunrise Care")
    assert code == 1
    assert "not UTF-8 text; nothing was imported" in err
    assert cli.count("contact") == 0


def test_unknown_provider(cli: Cli) -> None:
    code, _, err = cli("contacts", "import", cli.csv(CSV), "--provider", "Nobody")
    assert code == 1
    assert err.startswith("no provider called 'Nobody': see `carevoice providers list`")


def test_unusable_header(cli: Cli) -> None:
    path = cli.csv("Name,Mobile\nAnn,07700 900123\n")
    code, _, err = cli("contacts", "import", path, "--provider", "Sunrise Care")
    assert code == 1
    assert err.startswith(f"{path}:line 1: the header is missing language (found: Name, Mobile)")


def test_every_missing_column_is_named_and_a_semicolon_file_gets_a_hint(cli: Cli) -> None:
    path = cli.csv("name;mobile;lang\nAnn;07700 900123;en\n")
    code, _, err = cli("contacts", "import", path, "--provider", "Sunrise Care")
    assert code == 1
    assert ";" in err
    assert "separat" in err


def test_an_erased_person_is_not_brought_back_by_a_reimport(cli: Cli) -> None:
    path = cli.csv("name,phone,language\nAnn Smith,07700 900123,en\nCy Evans,07700 900124,cy\n")
    assert cli("contacts", "import", path, "--provider", "Sunrise Care")[0] == 0
    assert cli("contacts", "erase", "07700 900123", "--yes")[0] == 0
    code, out, _ = cli("contacts", "import", path, "--provider", "Sunrise Care")
    assert code == 0
    assert "1 skipped because they were erased earlier (--include-erased adds them again)" in out
    code, out, _ = cli("contacts", "import", path, "--provider", "Sunrise Care", "--include-erased")
    assert code == 0
    assert "skipped because they were erased" not in out


def test_export_and_erase(cli: Cli) -> None:
    cli("contacts", "import", cli.csv(CSV), "--provider", "Sunrise Care")
    code, out, _ = cli("contacts", "export", "07700 900123")
    assert code == 0
    data = json.loads(out)
    assert data["contacts"][0]["name"] == "Ann Smith"
    assert {a["address"] for a in data["addresses"]} == {"+447700900123", "ann@example.org"}
    target = cli.tmp / "sar.json"
    assert cli("contacts", "export", "ann@example.org", "--out", str(target))[0] == 0
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert json.loads(target.read_text())["addresses"] == data["addresses"]
    code, _, err = cli("contacts", "erase", "07700 900123", stdin="n\n")
    assert code == 1  # not confirmed: nothing happens
    assert cli.count("address") == 3
    code, out, _ = cli("contacts", "erase", "+447700900123", "--yes")
    assert (code, out) == (
        0,
        "erased: 2 addresses, 0 messages; 0 conversations and 0 answers anonymised\n"
        "on disk: write-ahead log emptied\n",
    )
    code, _, err = cli("contacts", "export", "07700 900123")
    assert (code, err) == (1, "nothing is held about that person (check the number)\n")
    code, _, err = cli("contacts", "erase", "0770", "--all", "--yes")
    assert code == 1
    assert "phone '0770' is too short" in err


def test_purge(cli: Cli) -> None:
    code, out, _ = cli("purge", "--older-than", "24m", "--yes")
    assert code == 0
    assert "deleted 0 inbound and 0 outbox messages" in out
    assert "on disk: write-ahead log emptied" in out
    code, _, err = cli("purge", "--older-than", "24 months", "--yes")
    assert (code, err) == (1, "'24 months' is not an age such as 90d, 24m or 2y\n")


def test_rotate_keys_then_drop_the_old_key(cli: Cli) -> None:
    cli("contacts", "import", cli.csv(CSV), "--provider", "Sunrise Care")
    old, new = cli.env["CAREVOICE_SECRET_KEY"], generate_key()
    cli.env["CAREVOICE_SECRET_KEY"] = f"{new},{old}"
    code, out, _ = cli("db", "rotate-keys")
    expected = "re-encrypted 3 addresses, 2 names and 0 stored texts; re-keyed 0 rows\n"
    assert (code, out) == (0, expected)
    cli.env["CAREVOICE_SECRET_KEY"] = new
    code, out, _ = cli("contacts", "export", "07700 900123")
    assert code == 0
    assert json.loads(out)["contacts"][0]["name"] == "Ann Smith"


@pytest.fixture
def unmigrated_postgres() -> Iterator[str]:
    url = postgres_url()
    if not url:
        pytest.skip("set CAREVOICE_TEST_POSTGRES_URL to run on PostgreSQL")
    with scratch_schema(url) as schema:
        yield f"{url}?options=-csearch_path%3D{schema}"


def test_postgres_is_never_migrated_behind_the_operators_back(unmigrated_postgres: str) -> None:
    settings = Settings(database_url=unmigrated_postgres, secret_key=generate_key())
    with pytest.raises(DatabaseNotReady, match="needs migrating: run `carevoice db upgrade`"):
        open_database(settings)
    env = {"CAREVOICE_DATABASE_URL": unmigrated_postgres, "CAREVOICE_SECRET_KEY": generate_key()}
    result = CliRunner().invoke(app, ["providers", "list"], env=env)
    assert result.exit_code == 1
    assert "run `carevoice db upgrade`" in result.stderr
    assert CliRunner().invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    open_database(settings).dispose()


def test_unreachable_database_is_a_clear_error() -> None:
    settings = Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none")
    with pytest.raises(DatabaseNotReady, match="cannot use the database at"):
        open_database(settings)
