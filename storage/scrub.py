"""Removing free text from stored rows, shared by erasure and retention.

Free text is where people write names, addresses and details of their lives; the structured
answers (a rating, a choice) stay useful for statistics once it has gone.
"""

from __future__ import annotations

from storage.models import Answer, Conversation

ERASED_HASH = "erased"  # replaces a conversation's keyed pseudonym: nothing can link it again
_SESSION_TEXT = ("answers", "context")  # a session's copy of the answers, and piped values


def scrub_answer(answer: Answer) -> bool:
    """Drop the person's own words; returns whether anything changed."""
    had_text = answer.raw_text is not None or (
        answer.question_type == "free_text" and answer.value is not None
    )
    answer.raw_text = None
    if answer.question_type == "free_text":
        answer.value = None
    return had_text


def scrub_conversation(conversation: Conversation) -> bool:
    """Empty the serialised session's answers and piped values; returns whether it changed."""
    session = dict(conversation.session or {})
    if not any(session.get(key) for key in _SESSION_TEXT):
        return False
    for key in _SESSION_TEXT:
        if key in session:
            session[key] = {}
    conversation.session = session
    conversation.revision += 1
    return True
