"""Outcome waves: which round of an outcome survey a conversation answers, and whose.

Outcomes compare one person's answers at the start of a service (the baseline) with their answers
months later (follow-ups). The waves are paired by a keyed pseudonym of the contact, never by a
name, number or the contact's id, so that outcome data can be analysed or handed to an evaluator
without anything that leads back to the identity store. Erasure clears the pseudonym
(``storage.erasure``): the person's answers stay in the statistics, but their waves no longer pair.
Key rotation moves every wave to the newest key together (``storage.key_rotation``).

Whoever starts an outcome conversation (a per-person campaign, or staff entering a paper form)
calls ``mark_wave`` in the same transaction.
"""

from __future__ import annotations

from sqlmodel import Session

from storage.crypto import Vault
from storage.models import Conversation

BASELINE = "baseline"
MAX_WAVE = 40  # the column's length


class WaveError(ValueError):
    """A conversation cannot be marked as this wave."""


def mark_wave(session: Session, vault: Vault, conversation: Conversation, wave: str) -> None:
    """Record that ``conversation`` answers ``wave`` (e.g. ``baseline``, ``3 months``)."""
    label = " ".join(wave.split())
    if not label or len(label) > MAX_WAVE:
        raise WaveError(f"a wave is named in 1 to {MAX_WAVE} characters, not {wave!r}")
    if conversation.contact_id is None:
        raise WaveError("only a known contact's conversation can be a wave: nothing would pair it")
    conversation.wave = label
    conversation.person_key = vault.person_keys(conversation.contact_id)[0]
    session.add(conversation)
