"""Right to erasure: a person's identity and their own words removed; what remains cannot be
linked back to them. The caller owns the transaction, and after it commits calls
``storage.db.reclaim(engine, TABLES)`` so that the words leave the disk too.

Always: addresses deleted (with the messages queued or sent to them and the inbound message log,
which exist only to deliver and de-duplicate); the name and who answers for them removed; free
text removed from answers and from the stored conversation state; conversations cut loose from
the keyed pseudonyms (of the address, and of the person, which pairs their outcome waves). Kept
by default: the structured answers (ratings, choices), anonymous, for the statistics.
``everything=True`` deletes answers and conversations as well.

Kept in every case:
- an active opt-out: the suppression list holds only a keyed hash, and must outlive erasure so
  that the number is never texted again;
- the keyed hash of each erased address (``erasedaddress``), so that importing the same contacts
  file again does not quietly bring the person back: like the suppression list it names nobody,
  and matches only someone who holds the number already;
- safeguarding flags: a record of a safeguarding concern is kept under a legal duty (UK GDPR
  Art. 17(3)(b)). A person with an *open* flag cannot be erased until it has been triaged, so
  that a disclosure is never deleted before someone has read it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from storage import handled, people
from storage import repository as repo
from storage.crypto import Vault
from storage.models import (
    Address,
    Answer,
    CampaignRun,
    Contact,
    Conversation,
    ErasedAddress,
    Invitation,
    OptOut,
    SafeguardingFlag,
)
from storage.scrub import ERASED_HASH, scrub_answer, scrub_conversation

# Tables of ``people.HOLDINGS`` whose rows erasure treats one by one (below); every other table
# there is ``DELETE`` and is emptied of the person's rows by ``_delete_rows``.
HANDLED_HERE = frozenset(
    {
        Contact,
        OptOut,
        Conversation,
        Answer,
        SafeguardingFlag,
        Invitation,
        ErasedAddress,
        CampaignRun,
    }
)

# The tables an erasure writes to: ``storage.db.reclaim`` clears their old contents from disk.
TABLES = (
    "address", "outbox", "inboundmessage", "answer", "conversation", "invitation", "optout",
    "contact", "safeguardingflag", "erasedaddress", "campaignrun",
)  # fmt: skip


class ErasureBlocked(RuntimeError):
    """Erasing now would destroy something that must be looked at first."""


@dataclass(frozen=True)
class ErasureReport:
    addresses: int
    messages: int
    answers: int  # scrubbed of free text, or deleted with everything=True
    conversations: int
    opt_out_kept: bool
    everything: bool

    @property
    def summary(self) -> str:
        verb = "deleted" if self.everything else "anonymised"
        text = (
            f"erased: {self.addresses} addresses, {self.messages} messages; "
            f"{self.conversations} conversations and {self.answers} answers {verb}"
        )
        if self.opt_out_kept:
            text += "; kept on the suppression list (as a keyed hash) so it is never messaged"
        return text


def erase_person(
    session: Session,
    person: people.Person,
    at: datetime,
    everything: bool = False,
    actor: str = "cli",
    *,
    vault: Vault,
) -> ErasureReport:
    talks = people.conversations(session, person)
    talk_ids = people.ids(talks)
    open_flags = [f for f in people.flags(session, talk_ids, person) if f.status == "open"]
    if open_flags:
        raise ErasureBlocked(
            f"{len(open_flags)} safeguarding flag(s) about this person are still open: "
            "triage them before erasing, so that no disclosure is deleted unread"
        )
    messages = _delete_rows(session, vault, person, talk_ids)
    if everything:
        answers = _delete_conversations(session, person, talks)
    else:
        answers = _scrub_conversations(session, person, talks)
    opt_out_kept = _keep_suppression(session, person)
    for address in person.addresses:
        _remember_erased(session, address, at)
        session.delete(address)
    session.flush()
    _forget_contacts(session, person, at, everything)
    report = ErasureReport(
        len(person.addresses), messages, answers, len(talks), opt_out_kept, everything
    )
    repo.audit(session, actor, "erase", person.subject, asdict(report), at)
    return report


def _delete_rows(session: Session, vault: Vault, person: people.Person, talk_ids: list[int]) -> int:
    """The person's rows in every table that exists only to reach them or de-duplicate their
    messages; their addresses go last, once nothing points at them."""
    inbound = people.inbound_messages(session, person, talk_ids)
    # The ids stay as keyed hashes, which say nothing about whose they were: a replay of one
    # of these messages must not bring the person's words back.
    handled.remember_all(
        session, vault, [(m.channel, m.external_id, m.received_at) for m in inbound]
    )
    rows = [
        row
        for holding in people.HOLDINGS
        if holding.on_erasure == people.OnErasure.DELETE and holding.model is not Address
        for row in holding.rows(session, person, talk_ids)
    ]
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)


def _scrub_conversations(session: Session, person: people.Person, talks: list[Conversation]) -> int:
    answers = people.answers(session, people.ids(talks))
    for answer in answers:
        scrub_answer(answer)
        session.add(answer)
    for talk in talks:
        scrub_conversation(talk)
        talk.address_hash = ERASED_HASH
        talk.person_key = None  # the waves stay as anonymous answers but no longer pair
        if talk.status == "active":
            # Nobody is left to answer it, and its answers are gone from the session.
            talk.status = "expired"
            talk.session = {**talk.session, "status": "expired"}
        session.add(talk)
    for invitation in people.invitations(session, person, people.ids(talks)):
        # Kept for response rates (invited vs answered); the web-link token goes.
        invitation.token_hash = None
        session.add(invitation)
    for run in people.campaign_runs(session, person):
        run.link_encrypted = None  # the link kept for a reminder names them to whoever opens it
        run.person_key = None  # as their waves: no longer linked to them
        session.add(run)
    return len(answers)


def _delete_conversations(
    session: Session, person: people.Person, talks: list[Conversation]
) -> int:
    talk_ids = people.ids(talks)
    for run in people.campaign_runs(session, person):
        session.delete(run)  # they point at the conversation, invitation and contact
    for flag in people.flags(session, talk_ids, person):
        flag.conversation_id, flag.answer_id = None, None
        session.add(flag)
    answers = people.answers(session, talk_ids)
    for row in [*answers, *people.invitations(session, person, talk_ids)]:
        session.delete(row)
    session.flush()  # rows that point at the conversations go first
    for talk in talks:
        session.delete(talk)
    session.flush()
    return len(answers)


def _remember_erased(session: Session, address: Address, at: datetime) -> None:
    held = session.exec(
        select(ErasedAddress).where(
            col(ErasedAddress.channel) == address.channel,
            col(ErasedAddress.address_hash) == address.address_hash,
        )
    ).first()
    if held is None:
        session.add(
            ErasedAddress(channel=address.channel, address_hash=address.address_hash, erased_at=at)
        )


def _keep_suppression(session: Session, person: people.Person) -> bool:
    """Delete opt-ins (they only record history); keep active opt-outs."""
    kept = False
    for row in people.opt_outs(session, person):
        if row.active:
            kept = True
        else:
            session.delete(row)
    return kept


def _forget_contacts(
    session: Session, person: people.Person, at: datetime, everything: bool
) -> None:
    for contact in person.contacts:
        if everything:
            session.delete(contact)
            continue
        # The row stays, empty, so that kept answers still count once per person.
        contact.name_encrypted = None
        contact.answers_on_behalf = None
        contact.preferred_channel = None
        contact.started_on = None
        contact.easy_read = contact.large_print = False
        contact.erased_at = at
        session.add(contact)
    session.flush()
