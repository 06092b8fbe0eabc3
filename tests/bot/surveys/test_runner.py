"""The runner on a real database (SQLite and PostgreSQL): answers stored exactly once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.channels.registry import build_registry
from bot.config.settings import Settings
from bot.surveys.catalog import FlowCatalog
from bot.surveys.runner import NO_SURVEY_TEXT, Runner
from storage.crypto import Vault, generate_key
from storage.models import Answer, Conversation, InboundMessage, OptOut, Outbox, SafeguardingFlag

T0 = datetime(2026, 10, 14, 9, 0, tzinfo=UTC)
PHONE = "+447700900123"
CATALOG = FlowCatalog.load()


@pytest.fixture
def runner(db_engine: Engine) -> Runner:
    channels = build_registry(Settings())  # for SMS's own opt-out line
    return Runner(db_engine, Vault.from_setting(generate_key()), CATALOG, channels=channels)


class Person:
    """Sends messages with increasing ids and times, as a carrier would."""

    def __init__(self, runner: Runner, address: str = PHONE, channel: str = "sms") -> None:
        self.runner, self.address, self.channel = runner, address, channel
        self.count = 0

    def send(self, text: str, gap: timedelta = timedelta(minutes=1)) -> list[str]:
        self.count += 1
        at = T0 + gap * self.count
        message_id = f"{self.channel}-{id(self)}-{self.count}"  # carriers' ids never hold numbers
        outcome = self.runner.handle(self.channel, self.address, text, message_id, at)
        return [m.text for m in outcome.replies]


def rows(engine: Engine, model: type) -> list:
    with Session(engine) as session:
        return list(session.exec(select(model).order_by(col(model.id))))


def answers(engine: Engine) -> dict[str, object]:
    return {a.question_id: a.given for a in rows(engine, Answer) if not a.superseded}


def test_whole_survey_by_text(runner: Runner, db_engine: Engine) -> None:
    person = Person(runner)
    first = person.send("FEEDBACK")
    assert first[0].endswith("Reply STOP to opt out.")
    assert first[1] == "Do your care workers arrive on time?"
    for reply in ["1", "usualy", "never", "2", "Kind staff", "Ring if late"]:
        person.send(reply)
    assert answers(db_engine) == {
        "punctuality": "always", "continuity": "usually", "attitude": "never", "fft": "good",
        "fft_why": "Kind staff", "improve": "Ring if late",
    }  # fmt: skip
    stored = rows(db_engine, Answer)
    assert {a.channel for a in stored} == {"sms"}
    assert {a.reporting_month for a in stored} == {"2026-10"}
    assert [a.indicator for a in stored][:4] == ["punctuality", "continuity", "attitude", "fft"]
    (conversation,) = rows(db_engine, Conversation)
    assert conversation.status == "completed"
    assert len(rows(db_engine, InboundMessage)) == 7
    assert len(rows(db_engine, Outbox)) == 8  # intro, six questions, thanks


def test_repeated_message_id_changes_nothing(runner: Runner, db_engine: Engine) -> None:
    runner.handle("sms", PHONE, "FEEDBACK", "SM1", T0)
    first = runner.handle("sms", PHONE, "3", "SM2", T0 + timedelta(minutes=1))
    again = runner.handle("sms", PHONE, "3", "SM2", T0 + timedelta(minutes=2))
    assert again.duplicate
    assert [m.text for m in again.replies] == [m.text for m in first.replies]
    assert len(rows(db_engine, Answer)) == 1
    assert len(rows(db_engine, InboundMessage)) == 2


def test_stop_mid_survey_is_honoured_forever(runner: Runner, db_engine: Engine) -> None:
    person = Person(runner)
    person.send("FEEDBACK")
    person.send("1")
    assert person.send("STOP") == ["You will not get any more messages from us."]
    assert person.send("2") == []
    assert person.send("FEEDBACK") == []
    (opt_out,) = rows(db_engine, OptOut)
    assert opt_out.active
    assert rows(db_engine, Conversation)[0].status == "opted_out"
    assert runner.start_for("sms", PHONE, "fft", T0 + timedelta(days=1)).replies == []


def test_stop_without_a_conversation_and_start_again(runner: Runner, db_engine: Engine) -> None:
    person = Person(runner)
    assert person.send("stop") == ["You will not get any more messages from us."]
    assert person.send("hello") == []
    assert person.send("START")[0].startswith("You will get messages from us again")
    assert not rows(db_engine, OptOut)[0].active
    assert person.send("FFT")[1] == "Overall, how was your experience of our service?"


def test_words_that_start_nothing_get_a_polite_reply(runner: Runner) -> None:
    assert Person(runner).send("hello?") == [NO_SURVEY_TEXT]


def test_stop_is_per_channel_address(runner: Runner) -> None:
    Person(runner).send("STOP")
    telegram = Person(runner, address="123456789", channel="telegram")
    assert telegram.send("FFT")[1].startswith("Overall")


def test_disclosure_is_flagged_and_signposted(runner: Runner, db_engine: Engine) -> None:
    person = Person(runner)
    person.send("FEEDBACK")
    for reply in ["5", "5", "5", "5"]:
        person.send(reply)
    replies = person.send("I am scared of my carer, he hits me")
    assert any("call 999" in text for text in replies)
    (flag,) = rows(db_engine, SafeguardingFlag)
    assert flag.status == "open"
    assert "physical" in flag.categories
    # The rules fired, so the flag is a likely disclosure whatever the model scored.
    assert flag.layer in ("rules", "both")
    assert flag.band == "likely"
    assert flag.model_score is not None
    why = next(a for a in rows(db_engine, Answer) if a.question_id == "fft_why")
    assert why.flags
    assert "physical" in why.flags


def test_restart_supersedes_earlier_answers(runner: Runner, db_engine: Engine) -> None:
    person = Person(runner)
    person.send("FEEDBACK")
    person.send("1")
    person.send("restart")
    person.send("4")
    assert answers(db_engine)["punctuality"] == "rarely"
    assert [a.superseded for a in rows(db_engine, Answer)] == [True, False]


def test_tick_reminds_once_then_expires(runner: Runner, db_engine: Engine) -> None:
    person = Person(runner)
    person.send("FEEDBACK")
    person.send("1")
    assert runner.tick(T0 + timedelta(days=1)) == 0
    assert runner.tick(T0 + timedelta(days=3)) == 1
    reminders = [o for o in rows(db_engine, Outbox) if o.kind == "reminder"]
    assert len(reminders) == 1
    assert runner.tick(T0 + timedelta(days=4)) == 0
    assert runner.tick(T0 + timedelta(days=8)) == 1
    assert rows(db_engine, Conversation)[0].status == "expired"
    assert answers(db_engine) == {"punctuality": "always"}


def test_late_reply_after_expiry_then_a_new_survey(runner: Runner, db_engine: Engine) -> None:
    person = Person(runner)
    person.send("FEEDBACK")
    assert person.send("1", gap=timedelta(days=8))[0].startswith(
        "Sorry, this survey has now closed"
    )
    replies = person.send("FEEDBACK", gap=timedelta(days=8))
    assert replies[1] == "Do your care workers arrive on time?"
    assert [c.status for c in rows(db_engine, Conversation)] == ["expired", "active"]


def test_no_phone_number_in_clear_text(runner: Runner, db_engine: Engine) -> None:
    Person(runner).send("FEEDBACK")
    dump = []
    with db_engine.connect() as connection:
        for table in ["address", "conversation", "inboundmessage", "outbox", "auditlog", "optout"]:
            for row in connection.exec_driver_sql(f"SELECT * FROM {table}"):
                dump.append(repr(tuple(row)))
    text = "\n".join(dump)
    assert "7700900123" not in text
    assert "447700900123" not in text


def test_disclosure_outside_any_survey_is_flagged_and_signposted(
    runner: Runner, db_engine: Engine
) -> None:
    replies = Person(runner).send("please help me, my son hits me")
    assert len(replies) == 1
    assert "call 999" in replies[0]
    (flag,) = rows(db_engine, SafeguardingFlag)
    assert flag.conversation_id is None
    assert flag.text == "please help me, my son hits me"
    assert flag.address_hash is not None
    assert "physical" in flag.categories
    assert (flag.layer in ("rules", "both"), flag.band) == (True, "likely")


def test_disclosure_from_someone_opted_out_is_flagged_without_a_reply(
    runner: Runner, db_engine: Engine
) -> None:
    person = Person(runner)
    person.send("STOP")
    assert person.send("nobody came and I couldnt get out of bed") == []
    (flag,) = rows(db_engine, SafeguardingFlag)
    assert "neglect" in flag.categories


def test_disclosure_to_a_choice_question_keeps_its_words(runner: Runner, db_engine: Engine) -> None:
    person = Person(runner)
    person.send("FEEDBACK")
    replies = person.send("he shouts at me")
    assert any("call 999" in text for text in replies)
    (flag,) = rows(db_engine, SafeguardingFlag)
    assert flag.text == "he shouts at me"
    assert flag.conversation_id is not None
    assert rows(db_engine, Answer) == []  # not understood as an answer, yet not lost


def test_disclosure_in_a_late_reply_is_flagged(runner: Runner, db_engine: Engine) -> None:
    person = Person(runner)
    person.send("FEEDBACK")
    person.send("my carer hits me", gap=timedelta(days=9))
    (flag,) = rows(db_engine, SafeguardingFlag)
    assert flag.text == "my carer hits me"
    assert rows(db_engine, Conversation)[0].status == "expired"


def test_the_channel_adds_its_own_opt_out_line_in_the_persons_language(
    runner: Runner, db_engine: Engine
) -> None:
    easy = runner.start_for("sms", PHONE, "homecare_monthly", T0, language="en-easy")
    assert easy.replies[0].text.endswith("\nText STOP if you want no more texts.")
    assert "STOP" not in easy.replies[1].text  # the first message only
    staff = runner.start_for("telephone", PHONE, "homecare_monthly", T0, inline=True)
    assert "STOP" not in staff.replies[0].text  # read out by staff: no line to add
    queued = rows(db_engine, Outbox)
    assert queued[0].body["text"] == easy.replies[0].text  # what is stored is what is sent
    assert {o.kind for o in queued} == {"invitation"}
