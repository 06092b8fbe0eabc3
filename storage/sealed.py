"""Free text encrypted at rest, by its column's type.

What people type (a free-text answer, the words that raised a safeguarding flag, the engine's
session with its copy of the answers, replies that may quote them) is special category data and
often holds names and numbers. Columns of the two types here encrypt every value on the way in
and decrypt it on the way out with the key ring of the engine they are used on, so no writer can
forget to, and every reader (reports, triage, exports, subject access) gets the words back in
memory only. SQL can still ask whether such a column IS NULL; it can never compare, search or
group by one, because a Fernet token differs every time the same words are encrypted.

The key ring belongs to the engine: the composition root (and the runner, which writes these
columns) ``bind`` it. An engine with none refuses to read or write such a column rather than
store words in clear. Rotation (``storage.key_rotation``) finds every sealed column through
``sealed_columns``, so a column given one of these types later is rotated too.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Column, Engine, MetaData, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel.sql.sqltypes import AutoString

from storage.crypto import SecretKeyError, Vault

# Per engine (its dialect is what a column type is handed); weak, so a disposed test engine goes.
_rings: weakref.WeakKeyDictionary[Dialect, Vault] = weakref.WeakKeyDictionary()


def bind(engine: Engine, vault: Vault) -> None:
    """Seal and open this engine's free-text columns with ``vault`` (the latest binding wins:
    a process serves one database with one configured key ring)."""
    _rings[engine.dialect] = vault


def migration_ring(dialect: Dialect, what: str) -> Vault:
    """The key ring for a migration that encrypts ``what``; asked for only when there is
    something to encrypt, since an empty database needs no key."""
    vault = _rings.get(dialect)
    if vault is None:
        raise RuntimeError(
            f"this migration encrypts {what}: set CAREVOICE_SECRET_KEY "
            "(or run it through `carevoice db upgrade`, which uses the configured key)"
        )
    return vault


def _ring(dialect: Dialect) -> Vault:
    vault = _rings.get(dialect)
    if vault is None:
        raise SecretKeyError(
            "free text is encrypted at rest: this database connection has no key ring "
            "(set CAREVOICE_SECRET_KEY)"
        )
    return vault


def seal(vault: Vault, plain: str) -> str:
    """A Fernet token as text: ASCII, so the columns keep their text types on both databases."""
    return vault.encrypt(plain).decode("ascii")


def unseal(vault: Vault, token: str) -> str:
    return vault.decrypt(token.encode("ascii"))


class SealedText(TypeDecorator[str]):
    """Text encrypted at rest."""

    impl = AutoString
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else seal(_ring(dialect), value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else unseal(_ring(dialect), value)


class SealedJSON(TypeDecorator[Any]):
    """JSON encrypted at rest."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        plain = json.dumps(value, ensure_ascii=False, sort_keys=True)
        return seal(_ring(dialect), plain)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else json.loads(unseal(_ring(dialect), value))


def sealed_columns(metadata: MetaData) -> Iterator[Column[Any]]:
    """Every column stored encrypted, table by table."""
    for table in metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, SealedText | SealedJSON):
                yield column


def free_text_answer(value: Any, typed: str | None) -> tuple[None, str | None]:
    """A free-text answer's ``value`` and ``raw_text``: the words go only in the sealed
    ``raw_text`` (the engine's cleaned value when it has one), since ``value`` stays in clear for
    the structured answers that reports count in SQL."""
    return None, value if isinstance(value, str) else typed
