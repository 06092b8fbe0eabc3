"""Writing imported contacts: new people added, people already held (by any of their addresses,
in the file or in the database) merged rather than duplicated. The caller owns the transaction,
so a file is imported whole or not at all, and a dry run is the same work rolled back.

A person who was erased is not brought back by importing the same file again: their row is
skipped and counted, unless ``include_erased`` says to add them anew (after they asked to be).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from storage import repository as repo
from storage.contact_rows import ContactRow
from storage.crypto import Vault
from storage.csv_rows import RowProblem
from storage.models import Contact, ErasedAddress, Provider


@dataclass
class ImportReport:
    imported: int = 0
    merged: int = 0
    rejected: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    suppressed: int = 0  # people on the suppression list: kept, and never messaged
    skipped_erased: int = 0  # people erased earlier: not re-added without include_erased

    @property
    def summary(self) -> str:
        text = f"{self.imported} imported, {self.merged} merged, {len(self.rejected)} rejected"
        if self.skipped_erased:
            text += (
                f"; {self.skipped_erased} skipped because they were erased earlier "
                "(--include-erased adds them again)"
            )
        if self.suppressed:
            text += f"; {self.suppressed} opted out earlier and will not be messaged"
        return text


@dataclass
class _Import:
    session: Session
    vault: Vault
    provider: Provider
    at: datetime
    include_erased: bool = False
    report: ImportReport = field(default_factory=ImportReport)
    first_line: dict[int, int] = field(default_factory=dict)  # contact id → line that made it


def import_contacts(
    session: Session,
    vault: Vault,
    provider: Provider,
    rows: Iterable[ContactRow | RowProblem],
    at: datetime,
    on_row: Callable[[], None] | None = None,
    *,
    include_erased: bool = False,
) -> ImportReport:
    """Import every good row, report every bad one; names stored only encrypted. A row whose
    address belonged to an erased person is skipped unless ``include_erased``."""
    work = _Import(session, vault, provider, at, include_erased)
    for row in rows:
        if on_row is not None:
            on_row()
        if isinstance(row, RowProblem):
            work.report.rejected.append(row)
        else:
            _import_row(work, row)
    return work.report


def _import_row(work: _Import, row: ContactRow) -> None:
    owners = _owners(work, row)
    if len(owners) > 1:
        work.report.rejected.append(
            RowProblem(row.line, "its addresses belong to two different people already held")
        )
        return
    erased = [] if owners else _erased(work, row)
    if erased and not work.include_erased:
        when = min(e.erased_at for e in erased)
        work.report.skipped_erased += 1
        work.report.warnings.append(
            RowProblem(row.line, f"erased on {when.day} {when:%B %Y}: not added again")
        )
        return
    for tombstone in erased:  # asked for again: from now on an ordinary contact
        work.session.delete(tombstone)
    contact = _merge(work, row, owners.pop()) if owners else _create(work, row)
    assert contact.id is not None
    for channel, address in row.addresses:
        repo.ensure_address(work.session, work.vault, channel, address, work.at, contact.id)
    if any(
        repo.is_opted_out(work.session, channel, work.vault.lookup_hashes(channel, address))
        for channel, address in row.addresses
    ):
        work.report.suppressed += 1
    if row.landline:
        work.report.warnings.append(
            RowProblem(row.line, "phone is a landline: text messages may not reach it")
        )


def _owners(work: _Import, row: ContactRow) -> set[int]:
    """Contacts that already hold any address of this row (earlier in the file or before)."""
    owners: set[int] = set()
    for channel, address in row.addresses:
        found = repo.find_address(work.session, channel, work.vault.lookup_hashes(channel, address))
        if found is not None and found.contact_id is not None:
            owners.add(found.contact_id)
    return owners


def _erased(work: _Import, row: ContactRow) -> list[ErasedAddress]:
    found: list[ErasedAddress] = []
    for channel, address in row.addresses:
        hashes = work.vault.lookup_hashes(channel, address)
        query = select(ErasedAddress).where(
            col(ErasedAddress.channel) == channel, col(ErasedAddress.address_hash).in_(hashes)
        )
        found.extend(work.session.exec(query))
    return found


def _create(work: _Import, row: ContactRow) -> Contact:
    assert work.provider.id is not None
    contact = Contact(
        provider_id=work.provider.id,
        name_encrypted=work.vault.encrypt(row.name),
        language=row.language or "en",
        easy_read=bool(row.easy_read),
        large_print=bool(row.large_print),
        answers_on_behalf=row.answers_on_behalf,
        preferred_channel=row.preferred_channel,
        started_on=row.started_on,
        created_at=work.at,
    )
    work.session.add(contact)
    work.session.flush()
    assert contact.id is not None
    work.first_line[contact.id] = row.line
    work.report.imported += 1
    return contact


def _merge(work: _Import, row: ContactRow, contact_id: int) -> Contact:
    """Filled cells update the person's communication needs; blank cells change nothing."""
    contact = work.session.get(Contact, contact_id)
    assert contact is not None
    earlier = work.first_line.get(contact_id)
    where = f"line {earlier}" if earlier else "a contact already held"
    note = f"same person as {where}: merged"
    if contact.name_encrypted and work.vault.decrypt(contact.name_encrypted).casefold() != (
        row.name.casefold()
    ):
        # Couples often share one phone; merging them means only one of them will be asked.
        note += " (the names differ: a shared phone or e-mail reaches one person only)"
    if contact.provider_id != work.provider.id:
        note += f"; stays with {repo.provider_name(work.session, contact.provider_id)}"
    work.report.warnings.append(RowProblem(row.line, note))
    contact.language = row.language or contact.language
    contact.easy_read = contact.easy_read if row.easy_read is None else row.easy_read
    contact.large_print = contact.large_print if row.large_print is None else row.large_print
    contact.answers_on_behalf = row.answers_on_behalf or contact.answers_on_behalf
    contact.preferred_channel = row.preferred_channel or contact.preferred_channel
    contact.started_on = row.started_on or contact.started_on
    work.session.add(contact)
    work.report.merged += 1
    return contact
