"""Rows as revision 0011 wrote them, every text column in clear: for the migration that seals
them (tests/storage/test_sealed.py) and the command that runs it (tests/bot/cli/test_admin.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import Engine, text

WORDS = "Quillonby-4471 from flat 9 is lovely"  # what a person typed, as distinctive as a name
DISCLOSURE = "my carer Zebedee-2290 hits me"
T0 = datetime(2026, 10, 14, 9, 0, tzinfo=UTC)


def store_in_clear(engine: Engine) -> None:
    """Rows as revision 0011 wrote them: every text column in clear."""
    # As each database's driver hands a time to SQLAlchemy's reader.
    at: object = T0 if engine.dialect.name != "sqlite" else "2026-10-14 09:00:00.000000"
    session = json.dumps({"answers": {"why": WORDS}})
    with engine.begin() as db:
        db.execute(
            text(
                "INSERT INTO conversation (id, channel, address_hash, flow_id, flow_version, "
                "session, status, started_at, last_activity_at, expires_at, revision) VALUES "
                "(1, 'sms', :h, 'f', 1, :session, 'completed', :at, :at, :at, 0)"
            ),
            {"h": "h" * 64, "session": session, "at": at},
        )
        db.execute(
            text(
                "INSERT INTO answer (id, conversation_id, flow_id, flow_version, question_id, "
                "question_type, status, value, raw_text, channel, answered_at, reporting_month, "
                "superseded) VALUES "
                "(1, 1, 'f', 1, 'why', 'free_text', 'answered', :words_json, :words, 'sms', :at, "
                "'2026-10', false), "
                "(2, 1, 'f', 1, 'fft', 'choice', 'answered', '\"good\"', NULL, 'sms', :at, "
                "'2026-10', false)"
            ),
            {"words_json": json.dumps(WORDS), "words": WORDS, "at": at},
        )
        db.execute(
            text(
                "INSERT INTO safeguardingflag (id, conversation_id, categories, source, status, "
                "created_at, history, text) VALUES "
                "(1, 1, '[\"abuse\"]', 'text', 'open', :at, :history, :disclosure)"
            ),
            {"at": at, "history": json.dumps([{"note": DISCLOSURE}]), "disclosure": DISCLOSURE},
        )
        db.execute(
            text(
                "INSERT INTO inboundmessage (id, channel, external_id, address_hash, "
                "received_at, outcome) VALUES (1, 'sms', 'SM1', :h, :at, :outcome)"
            ),
            {"h": "h" * 64, "at": at, "outcome": json.dumps({"replies": [WORDS]})},
        )
        db.execute(
            text(
                "INSERT INTO address (id, channel, address_hash, encrypted, created_at) "
                "VALUES (1, 'sms', :h, :e, :at)"
            ),
            {"h": "h" * 64, "e": b"x", "at": at},
        )
        db.execute(
            text(
                "INSERT INTO outbox (id, channel, address_id, kind, body, status, attempts, "
                "send_after, created_at) VALUES (1, 'sms', 1, 'reply', :body, 'sent', 1, :at, :at)"
            ),
            {"at": at, "body": json.dumps({"text": f"You said: {WORDS}"})},
        )
