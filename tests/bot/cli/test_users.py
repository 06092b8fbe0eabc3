"""``carevoice users add|list``, run in-process as an operator would type them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from sqlmodel import Session, select
from typer.testing import CliRunner

from bot.cli.admin import providers_app
from bot.cli.users import users_app
from bot.dashboard.auth import verify_password
from storage.crypto import generate_key
from storage.db import make_engine
from storage.models import AuditLog, User, UserSession

app = typer.Typer()
app.add_typer(users_app, name="users")
app.add_typer(providers_app, name="providers")

PASSWORD = "a long enough password"


class Cli:
    def __init__(self, tmp_path: Path) -> None:
        self.url = f"sqlite:///{tmp_path / 'carevoice.db'}"
        self.env = {"CAREVOICE_DATABASE_URL": self.url, "CAREVOICE_SECRET_KEY": generate_key()}

    def __call__(self, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
        result = CliRunner().invoke(app, list(args), env=self.env, input=stdin)
        return result.exit_code, result.stdout, result.stderr

    def users(self) -> list[User]:
        engine = make_engine(self.url)
        with Session(engine) as db:
            found = list(db.exec(select(User)))
        engine.dispose()
        return found


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    cli = Cli(tmp_path)
    assert cli("providers", "add", "Sunrise Care")[0] == 0
    return cli


def test_add_with_password_from_stdin_and_list(cli: Cli) -> None:
    code, out, err = cli(
        "users",
        "add",
        "Jo@Council.example",
        "--role",
        "commissioner",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert (code, err) == (0, "")
    assert out == "added jo@council.example (commissioner)\n"
    (user,) = cli.users()
    assert user.email == "jo@council.example"
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert verify_password(user.password_hash, PASSWORD)
    code, out, _ = cli("users", "list")
    assert code == 0
    assert "jo@council.example" in out
    assert "commissioner" in out
    assert "argon2" not in out


def test_password_is_prompted_twice(cli: Cli) -> None:
    stdin = f"{PASSWORD}\n{PASSWORD}\n"
    assert cli("users", "add", "a@b.example", "--role", "admin", stdin=stdin)[0] == 0
    mismatch = f"{PASSWORD}\nsomething else entirely\n"
    code, out, _ = cli("users", "add", "c@b.example", "--role", "admin", stdin=mismatch)
    assert code != 0
    assert "do not match" in out
    assert [u.email for u in cli.users()] == ["a@b.example"]


def test_provider_and_organiser_users(cli: Cli) -> None:
    add = ("users", "add")
    assert (
        cli(
            *add,
            "p@sunrise.example",
            "--role",
            "provider",
            "--provider",
            "sunrise care",
            "--password-stdin",
            stdin=PASSWORD,
        )[0]
        == 0
    )
    assert (
        cli(
            *add,
            "o@forum.example",
            "--role",
            "organiser",
            "--flow",
            "pcf_consultation",
            "--password-stdin",
            stdin=PASSWORD,
        )[0]
        == 0
    )
    code, out, _ = cli("users", "list", "--format", "json")
    assert code == 0
    rows = {row["email"]: row for row in json.loads(out)}
    assert rows["p@sunrise.example"]["provider"] == "Sunrise Care"
    assert rows["o@forum.example"]["flows"] == ["pcf_consultation"]
    engine = make_engine(cli.url)
    with Session(engine) as db:
        actions = [a.action for a in db.exec(select(AuditLog))]
    engine.dispose()
    assert actions.count("user.add") == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("x@y.example", "--role", "provider"), "needs --provider"),
        (("x@y.example", "--role", "provider", "--provider", "Nope"), "no provider called 'Nope'"),
        (("x@y.example", "--role", "commissioner", "--provider", "Sunrise Care"), "only for"),
        (("x@y.example", "--role", "organiser"), "needs at least one --flow"),
        (("x@y.example", "--role", "organiser", "--flow", "nope"), "no survey called nope"),
        (("not-an-email", "--role", "admin"), "is not an email address"),
    ],
)
def test_mistakes_are_exit_1_with_a_message(cli: Cli, args: tuple[str, ...], message: str) -> None:
    code, _, err = cli("users", "add", *args, "--password-stdin", stdin=PASSWORD)
    assert code == 1
    assert message in err
    assert cli.users() == []


def test_short_password_and_duplicate_email(cli: Cli) -> None:
    code, _, err = cli(
        "users", "add", "a@b.example", "--role", "admin", "--password-stdin", stdin="short"
    )
    assert code == 1
    assert "at least 12 characters" in err
    assert (
        cli("users", "add", "a@b.example", "--role", "admin", "--password-stdin", stdin=PASSWORD)[0]
        == 0
    )
    code, _, err = cli(
        "users", "add", "A@B.example", "--role", "admin", "--password-stdin", stdin=PASSWORD
    )
    assert code == 1
    assert "already a user a@b.example" in err


def test_unknown_role_is_a_usage_error(cli: Cli) -> None:
    code, _, _ = cli(
        "users", "add", "a@b.example", "--role", "king", "--password-stdin", stdin=PASSWORD
    )
    assert code == 2


def test_help(cli: Cli) -> None:
    for args in (("users", "--help"), ("users", "add", "--help"), ("users", "list", "--help")):
        assert cli(*args)[0] == 0


def _signed_in_session(cli: Cli, email: str) -> int:
    """A live session row for ``email``, as the dashboard would make at sign-in."""
    from datetime import UTC, datetime

    from storage.sessions import Timeouts, begin

    engine = make_engine(cli.url)
    with Session(engine) as db:
        user = db.exec(select(User).where(User.email == email)).one()
    begin(engine, user.id or 0, user.password_hash, datetime.now(UTC), Timeouts())
    with Session(engine) as db:
        count = len(list(db.exec(select(UserSession).where(UserSession.user_id == user.id))))
    engine.dispose()
    return count


def _add(cli: Cli, email: str) -> None:
    code, _, err = cli(
        "users", "add", email, "--role", "commissioner", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert code == 0, err


def test_sessions_lists_and_revokes(cli: Cli) -> None:
    _add(cli, "jo@council.example")
    _signed_in_session(cli, "jo@council.example")
    assert _signed_in_session(cli, "jo@council.example") == 2
    code, out, _ = cli("users", "sessions", "jo@council.example", "--format", "json")
    assert code == 0
    assert len(json.loads(out)["sessions"]) == 2
    code, out, _ = cli("users", "sessions", "jo@council.example", "--revoke")
    assert code == 0
    assert "2 live session(s)" in out
    code, out, _ = cli("users", "sessions", "jo@council.example", "--format", "json")
    assert json.loads(out)["sessions"] == []


def test_deactivate_ends_sessions_and_is_audited(cli: Cli) -> None:
    _add(cli, "jo@council.example")
    _signed_in_session(cli, "jo@council.example")
    code, out, _ = cli("users", "deactivate", "Jo@Council.example")
    assert code == 0
    assert "ended 1 session(s)" in out
    (user,) = cli.users()
    assert not user.active
    engine = make_engine(cli.url)
    with Session(engine) as db:
        assert list(db.exec(select(UserSession))) == []
        actions = [row.action for row in db.exec(select(AuditLog))]
    engine.dispose()
    assert "user.deactivate" in actions


def test_password_change_ends_sessions(cli: Cli) -> None:
    _add(cli, "jo@council.example")
    _signed_in_session(cli, "jo@council.example")
    new = "another long password"
    code, out, _ = cli("users", "password", "jo@council.example", "--password-stdin", stdin=new)
    assert code == 0
    assert "ended 1 session(s)" in out
    (user,) = cli.users()
    assert verify_password(user.password_hash, new)
    assert cli("users", "sessions", "jo@council.example")[1].startswith("0 live")


def test_unknown_user_is_exit_1(cli: Cli) -> None:
    code, _, err = cli("users", "deactivate", "nobody@council.example")
    assert code == 1
    assert "no user nobody@council.example" in err
