"""The SQLite files are private to the service's user."""

from __future__ import annotations

import stat
from pathlib import Path

from sqlalchemy import text

from storage.db import make_engine


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_folder_is_0700_and_its_files_0600(tmp_path: Path) -> None:
    database = tmp_path / "var" / "carevoice.db"
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x TEXT)"))
        connection.execute(text("INSERT INTO t VALUES ('private')"))
        assert mode(database.parent) == 0o700
        for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
            assert mode(path) == 0o600, path
    engine.dispose()


def test_an_existing_readable_database_is_made_private(tmp_path: Path) -> None:
    database = tmp_path / "old.db"
    database.touch(mode=0o644)
    database.chmod(0o644)
    make_engine(f"sqlite:///{database}").dispose()
    assert mode(database) == 0o600
