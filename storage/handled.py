"""Which external message ids have been handled, for longer than the messages are kept.

The inbound message log makes a repeated delivery harmless, but retention (``purge``) and
erasure delete it, and a Twilio request carries no timestamp: a captured signed request replayed
after the purge used to be applied again. So every handled id also leaves a keyed hash here
(HMAC under the identity key ring, so the table links to nothing outside), with only the time it
was handled. Purge keeps these for the retention period plus ``MARGIN``. A hash made under a
key that is later removed from CAREVOICE_SECRET_KEY no longer matches: keep retired keys in the
setting for that long.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, delete, select

from storage.crypto import Vault
from storage.models import HandledId
from storage.prepared import Prepared

MARGIN = timedelta(days=366)
_BATCH = 500


def _hashes(vault: Vault, channel: str, external_id: str) -> list[str]:
    return vault.lookup_hashes(f"handled-id:{channel}", external_id)


_HANDLED: Table = HandledId.__table__  # type: ignore[attr-defined]
_ROW: dict[str, Any] = {
    "channel": bindparam("channel"),
    "id_hash": bindparam("id_hash"),
    "handled_at": bindparam("handled_at"),
}
# One statement records the id and says whether it was new, instead of a look-up, an ORM add
# and its flush. Built once per dialect, so the compiled form comes from SQLAlchemy's cache.
_CLAIM = {
    "postgresql": Prepared(
        postgresql.insert(_HANDLED)
        .values(_ROW)
        .on_conflict_do_nothing(index_elements=["channel", "id_hash"])
        .returning(_HANDLED.c.id)
    ),
    "sqlite": Prepared(
        sqlite.insert(_HANDLED)
        .values(_ROW)
        .on_conflict_do_nothing(index_elements=["channel", "id_hash"])
        .returning(_HANDLED.c.id)
    ),
}


def claim(db: Session, vault: Vault, channel: str, external_id: str, at: datetime) -> bool:
    """Record ``external_id`` as handled; False if it had been handled before.

    A second delivery racing the first waits on the unique key until the first commits, then
    finds it (PostgreSQL), or waits for the write lock (SQLite). A hash under a retired key is
    looked for only while one is configured."""
    hashes = _hashes(vault, channel, external_id)
    if len(hashes) > 1:
        older = select(HandledId.id).where(
            HandledId.channel == channel, col(HandledId.id_hash).in_(hashes[1:])
        )
        if db.exec(older).first() is not None:
            return False
    statement = _CLAIM[db.get_bind().dialect.name]
    row = {"channel": channel, "id_hash": hashes[0], "handled_at": at}
    return bool(statement.run(db, [row]))


def remember_all(db: Session, vault: Vault, handled: Iterable[tuple[str, str, datetime]]) -> int:
    """Hashes for (channel, external id, time) of messages about to be deleted that have none
    yet (those handled before this table existed); returns how many were added."""
    rows = list(handled)
    added = 0
    for start in range(0, len(rows), _BATCH):
        batch = rows[start : start + _BATCH]
        wanted = {(c, _hashes(vault, c, e)[0]): at for c, e, at in batch}
        query = select(HandledId.channel, HandledId.id_hash).where(
            col(HandledId.id_hash).in_([h for _, h in wanted])
        )
        present = {(c, h) for c, h in db.exec(query)}
        for (channel, id_hash), at in wanted.items():
            if (channel, id_hash) not in present:
                db.add(HandledId(channel=channel, id_hash=id_hash, handled_at=at))
                added += 1
    db.flush()
    return added


def forget_before(db: Session, before: datetime) -> int:
    """Drop hashes handled before ``before`` (a purge's cut-off minus ``MARGIN``)."""
    return db.exec(delete(HandledId).where(col(HandledId.handled_at) < before)).rowcount
