"""Key rotation: re-encrypt every identity and all stored free text with the newest key, and
re-key every pseudonym.

After ``CAREVOICE_SECRET_KEY`` gains a new key (first in the list), lookups already work under
both keys; this moves all stored data onto the new one. The caller owns the transaction, so a
rotation is all or nothing.

One thing cannot move: an opt-out whose address has been erased holds only a keyed hash, and a
hash cannot be re-keyed without the number. Such entries keep matching only while the old key
stays configured, so the report counts them and the old key must not be removed while any remain.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Integer, Text, column, exists, table
from sqlmodel import Session, col, select, update

from storage import people
from storage import repository as repo
from storage.crypto import Vault
from storage.models import Address, CampaignRun, Contact, Conversation, OptOut, metadata
from storage.sealed import sealed_columns

_CHUNK = 500  # sealed values re-encrypted at a time, so a large table never sits in memory

# Every table of the one list of tables that hold a person (storage.people) that refers to an
# address by its keyed hash, so a new channel's table is re-keyed too.
_HASHED = tuple(
    holding.model
    for holding in people.HOLDINGS
    if holding.model is not Address and "address_hash" in holding.model.__table__.columns
)


@dataclass(frozen=True)
class RotationReport:
    addresses: int
    names: int
    rekeyed_rows: int
    stranded_opt_outs: int  # erased people's opt-outs, still under an older key
    texts: int = 0  # sealed free-text values (storage.sealed)

    @property
    def summary(self) -> str:
        text = (
            f"re-encrypted {self.addresses} addresses, {self.names} names and "
            f"{self.texts} stored texts; re-keyed {self.rekeyed_rows} rows"
        )
        if self.stranded_opt_outs:
            text += (
                f". {self.stranded_opt_outs} opt-outs of erased people can only be re-keyed with "
                "their number, which is gone: keep the older keys configured"
            )
        return text


def rotate_keys(session: Session, vault: Vault, at: datetime, actor: str = "cli") -> RotationReport:
    rekeyed = 0
    addresses = list(session.exec(select(Address).order_by(col(Address.id))))
    for address in addresses:
        rekeyed += _rotate_address(session, vault, address)
    contacts = session.exec(select(Contact).where(col(Contact.name_encrypted).is_not(None)))
    names = 0
    for contact in contacts:
        assert contact.name_encrypted is not None
        contact.name_encrypted = vault.rotate(contact.name_encrypted)
        session.add(contact)
        names += 1
    links = session.exec(select(CampaignRun).where(col(CampaignRun.link_encrypted).is_not(None)))
    for run in links:  # a personal link kept for its reminder must still open after rotation
        assert run.link_encrypted is not None
        run.link_encrypted = vault.rotate(run.link_encrypted)
        session.add(run)
    rekeyed += _rekey_waves(session, vault)
    texts = _reseal(session, vault)
    report = RotationReport(len(addresses), names, rekeyed, _stranded(session, vault), texts)
    repo.audit(session, actor, "rotate_keys", None, asdict(report), at)
    return report


def _rotate_address(session: Session, vault: Vault, address: Address) -> int:
    plain = vault.decrypt(address.encrypted)
    newest, *older = vault.lookup_hashes(address.channel, plain)
    stale = {*older, address.address_hash} - {newest}
    address.encrypted = vault.rotate(address.encrypted)
    address.address_hash = newest
    session.add(address)
    if not stale:
        return 0
    session.flush()
    changed = 0
    for model in _HASHED:
        # Hashes are keyed by channel as well, so where a table keeps no channel (a flag raised
        # outside any survey) the hash alone names the address.
        mine = (
            people.matches(model.channel, model.address_hash, _keys(address, stale))
            if "channel" in model.__table__.columns
            else col(model.address_hash).in_(stale)
        )
        statement = update(model).where(mine).values(address_hash=newest)
        changed += session.exec(statement).rowcount
    return changed


def _rekey_waves(session: Session, vault: Vault) -> int:
    """Outcome waves pair by pseudonym, so every wave (and every wave's run, which says who was
    asked one) must move to the newest key together."""
    changed = 0
    marked = select(Conversation).where(
        col(Conversation.person_key).is_not(None), col(Conversation.contact_id).is_not(None)
    )
    runs = select(CampaignRun).where(col(CampaignRun.person_key).is_not(None))
    for row in [*session.exec(marked), *session.exec(runs)]:
        assert row.contact_id is not None
        newest = vault.person_keys(row.contact_id)[0]
        if row.person_key != newest:
            row.person_key = newest
            session.add(row)
            changed += 1
    return changed


def _reseal(session: Session, vault: Vault) -> int:
    """Every sealed value onto the newest key, token to token: the words are never decoded."""
    session.flush()
    connection = session.connection()
    done = 0
    for sealed in sealed_columns(metadata):
        # The raw token, as text: the column's own type would decrypt it on the way out.
        raw = table(sealed.table.name, column("id", Integer), column(sealed.name, Text))
        token = raw.c[sealed.name]
        last = 0
        while rows := connection.execute(
            select(raw.c.id, token)
            .where(raw.c.id > last, token.is_not(None))
            .order_by(raw.c.id)
            .limit(_CHUNK)
        ).all():
            for row_id, stored in rows:
                fresh = vault.rotate(stored.encode("ascii")).decode("ascii")
                connection.execute(
                    raw.update().where(raw.c.id == row_id).values({sealed.name: fresh})
                )
            done += len(rows)
            last = rows[-1][0]
    return done


def _keys(address: Address, hashes: set[str]) -> set[tuple[str, str]]:
    return {(address.channel, h) for h in hashes}


def _stranded(session: Session, vault: Vault) -> int:
    """Opt-outs with no stored address: erased people's, whose hash cannot be re-keyed."""
    if len(vault.keys) == 1:
        return 0  # nothing older to keep configured
    session.flush()
    held = exists().where(
        col(Address.channel) == col(OptOut.channel),
        col(Address.address_hash) == col(OptOut.address_hash),
    )
    return len(list(session.exec(select(OptOut.id).where(~held))))
