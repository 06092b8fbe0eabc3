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

from sqlmodel import Session, col, delete, select

from storage.crypto import Vault
from storage.models import HandledId

MARGIN = timedelta(days=366)
_BATCH = 500


def _hashes(vault: Vault, channel: str, external_id: str) -> list[str]:
    return vault.lookup_hashes(f"handled-id:{channel}", external_id)


def seen(db: Session, vault: Vault, channel: str, external_id: str) -> bool:
    query = select(HandledId.id).where(
        HandledId.channel == channel,
        col(HandledId.id_hash).in_(_hashes(vault, channel, external_id)),
    )
    return db.exec(query).first() is not None


def remember(db: Session, vault: Vault, channel: str, external_id: str, at: datetime) -> None:
    db.add(
        HandledId(channel=channel, id_hash=_hashes(vault, channel, external_id)[0], handled_at=at)
    )


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
