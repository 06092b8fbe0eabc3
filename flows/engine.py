"""The conversation engine: ``start`` and ``resume`` return a new session and typed events.

Pure: no I/O, no clock, no randomness. The same inputs always give the same events, which is what
makes golden transcripts possible. Every input ends in one of a bounded number of turns:
each question allows ``max_attempts`` misunderstandings and two HELPs per visit, each question is
visited at most ``max_visits`` times, and a conversation restarts at most ``max_restarts`` times.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from flows.asking import Speaker, reask_hint, value_polarity
from flows.compiled import CompiledFlow, compiled
from flows.definition import END, Flow, FreeText, Info, Question
from flows.errors import FlowMismatchError
from flows.events import (
    AnswerRecorded,
    Ended,
    Event,
    Expired,
    Flagged,
    OptedOut,
    QuestionReasked,
    Restarted,
    Revised,
)
from flows.parsing import match_command, normalise
from flows.resumes import AnswerInput, MessageInput, Resume, StartContext, TimeoutInput
from flows.session import AnswerValue, Session, Status
from flows.understanding import chosen_option, understand, understand_values

MAX_HELPS = 2
SAFEGUARDING = "safeguarding"


class Step(NamedTuple):
    session: Session
    events: list[Event]


def choose_language(flow: Flow, wanted: str | None) -> str:
    """The person's language if the flow has it, else its base language, else the default."""
    if wanted:
        for candidate in (wanted, wanted.split("-")[0]):
            for language in flow.all_languages:
                if language.lower() == candidate.lower():
                    return language
    return flow.language


def max_turns(flow: Flow) -> int:
    """An upper bound on the messages any conversation with ``flow`` can take."""
    per_visit = flow.max_attempts + MAX_HELPS + 1
    return (flow.max_restarts + 1) * len(flow.questions) * flow.max_visits * per_visit + 1


def start(flow: Flow, context: StartContext) -> Step:
    """Begin a conversation: the intro, then the first question. How to opt out is the
    channel's to say (each words it its own way), so it is not part of the intro."""
    values = {**flow.context, **{k: v for k, v in context.values.items() if v}}
    session = Session(
        flow_id=flow.id,
        flow_version=flow.version,
        language=choose_language(flow, context.language),
        context=values,
        started_at=context.at,
        last_activity_at=context.at,
    )
    turn = _Turn(compiled(flow), session)
    turn.events.append(turn.speaker.say("intro", turn.speaker.text(flow.messages.intro).strip()))
    turn.go_to(flow.questions[0].id)
    return turn.finish()


def names_an_option(flow: Flow, session: Session, text: str) -> bool:
    """Whether ``text`` is, word for word, one of the current question's options (its label,
    value or a synonym): an answer, whatever a text model out of context makes of a word or two
    ("usually", "pain", "most of the time"). Exact words only, never a typo or a longer text."""
    if not session.active or session.current is None:
        return False
    choices = compiled(flow).choices.get((session.current, session.language), ())
    words = normalise(text)
    return bool(words) and any(words in choice.names for choice in choices)


def resume(flow: Flow, session: Session, event: Resume) -> Step:
    """Carry the conversation on with a message from the person or a timeout."""
    if (session.flow_id, session.flow_version) != (flow.id, flow.version):
        raise FlowMismatchError(
            f"session belongs to {session.flow_id} v{session.flow_version}, "
            f"not {flow.id} v{flow.version}"
        )
    if isinstance(event, AnswerInput) and event.revise:
        return _revise(flow, session, event)
    if not session.active:
        return Step(session, [])
    turn = _Turn(compiled(flow), session)
    if event.at - session.last_activity_at >= flow.expiry:
        if not isinstance(event, TimeoutInput) and event.concerns:
            # A disclosure is never lost, not even in a reply that comes too late.
            turn.flag(session.current, event.concerns, "text", event.text)
        turn.expire(notify=not isinstance(event, TimeoutInput))
    elif isinstance(event, TimeoutInput):
        turn.maybe_remind(event)
    elif isinstance(event, AnswerInput):
        turn.receive_answer(event)
    else:
        turn.receive(event)
    return turn.finish()


def _revise(flow: Flow, session: Session, given: AnswerInput) -> Step:
    """A changed earlier answer; a complete survey may be reopened by it, an ended one not."""
    late = given.at - session.last_activity_at >= flow.expiry
    if late or session.status not in (Status.ACTIVE, Status.COMPLETED):
        return Step(session, [])
    turn = _Turn(compiled(flow), session)
    turn.revise(given)
    return turn.finish()


def prompt_again(flow: Flow, session: Session, notice: str) -> list[Event]:
    """The current question again with ``notice`` before it, costing the person no try.

    For input a channel cannot pass on as text (a picture message, an empty message)."""
    if not session.active or session.current is None:
        return []
    turn = _Turn(compiled(flow), session)
    question = turn.compiled.question(session.current)
    return [turn.speaker.ask(question, role="reask", notice=notice)]


class _Turn:
    """One call's worth of work: a mutable copy of the session plus the events emitted."""

    def __init__(self, flow: CompiledFlow, session: Session) -> None:
        self.compiled = flow
        self.flow = flow.flow
        self.state: dict[str, Any] = session.model_dump()
        self.state["answers"] = dict(session.answers)
        self.state["visits"] = dict(session.visits)
        self.events: list[Event] = []
        self.speaker = Speaker(flow, session)
        self.pending_notice: str | None = None

    def finish(self) -> Step:
        return Step(Session.model_validate(self.state), self.events)

    def _refresh_speaker(self) -> None:
        self.speaker = Speaker(self.compiled, Session.model_validate(self.state))

    # --- moving through the flow -------------------------------------------------------------
    def go_to(self, target: str) -> None:
        """Ask ``target`` or the first question after it whose condition holds; or end."""
        while target != END:
            question = self.compiled.question(target)
            visits = self.state["visits"].get(target, 0)
            if visits >= self.flow.max_visits:
                self.end("loop_limit")
                return
            condition = self.compiled.conditions.get(target)
            if condition is not None and not condition.evaluate(self.state["answers"]):
                target = self.flow.default_next(target)
                continue
            self.state["visits"][target] = visits + 1
            self._refresh_speaker()
            self.events.append(self.speaker.ask(question, notice=self._take_notice()))
            if isinstance(question, Info):
                target = self.flow.default_next(target)
                continue
            self.state.update(current=target, attempts=0, helps=0)
            return
        self.end("completed")

    def end(self, reason: str) -> None:
        self._refresh_speaker()
        thanks = self.speaker.text(self.flow.messages.thanks)
        self.events.append(self.speaker.say("thanks", thanks, notice=self._take_notice()))
        self.state.update(status=Status.COMPLETED, current=None)
        self.events.append(Ended(reason="loop_limit" if reason == "loop_limit" else "completed"))

    def _take_notice(self) -> str | None:
        notice, self.pending_notice = self.pending_notice, None
        return notice

    def current_question(self) -> Question | None:
        current = self.state["current"]
        return None if current is None else self.compiled.question(current)

    # --- inputs ------------------------------------------------------------------------------
    def expire(self, *, notify: bool) -> None:
        self.events.append(Expired())
        if notify:
            self.events.append(self.speaker.say("expired", self.speaker.system("expired")))
        self.state.update(status=Status.EXPIRED, current=None)
        self.events.append(Ended(reason="expired"))

    def maybe_remind(self, event: TimeoutInput) -> None:
        after = self.flow.reminder_after
        question = self.current_question()
        if after is None or self.state["reminded"] or question is None:
            return
        if event.at - self.state["last_activity_at"] < after:
            return
        self.state["reminded"] = True
        notice = self.speaker.system("reminder")
        self.events.append(self.speaker.ask(question, role="reminder", notice=notice))
        self.events.append(QuestionReasked(question_id=question.id, reason="reminder", attempt=0))

    def receive(self, message: MessageInput) -> None:
        self.state.update(last_activity_at=message.at, turns=self.state["turns"] + 1)
        question = self.current_question()
        if question is None:  # pragma: no cover - an active session always awaits a question
            return
        if message.concerns:
            self.flag(question.id, message.concerns, "text", message.text)
        keywords = self.compiled.commands[self.state["language"]]
        command = match_command(message.text, keywords)
        if command == "stop":
            self.opt_out(message.text)
        elif command == "help":
            self.help(question, message.text)
        elif command == "skip":
            self.skip(question, message.text)
        elif command == "restart" and self.state["restarts"] < self.flow.max_restarts:
            self.restart()
        else:
            self.answer(question, message.text)

    def receive_answer(self, given: AnswerInput) -> None:
        """A structured answer: checked against the question, never read as a command."""
        self.state.update(last_activity_at=given.at, turns=self.state["turns"] + 1)
        question = self.current_question()
        if question is None:  # pragma: no cover - an active session always awaits a question
            return
        if given.concerns:
            self.flag(question.id, given.concerns, "text", given.text)
        if given.question_id != question.id:
            # A stale page or a back button: show where the person really is, at no cost.
            self.events.append(self.speaker.ask(question, role="reask"))
            self.events.append(
                QuestionReasked(
                    question_id=question.id, reason="stale", attempt=self.state["attempts"]
                )
            )
            return
        if not any(value.strip() for value in given.values):
            self.skip(question, given.text)
            return
        value = understand_values(question, given.values)
        if value is None:
            self.misunderstood(
                question, given.text, reask_hint(self.speaker, question), "not_understood"
            )
            return
        self.accept(question, value, given.text)

    def revise(self, given: AnswerInput) -> None:
        """Replace one earlier answer, then follow the flow from the start through the answers
        there are: answers now off the path, or after the first question it still needs, are
        void, and that question (if any) is asked next. A question not answered before, or a
        value that is not valid, changes nothing."""
        answers = self.state["answers"]
        if given.question_id not in answers:
            return
        question = self.compiled.question(given.question_id)
        blank = not any(value.strip() for value in given.values)
        value = None if blank else understand_values(question, given.values)
        if (blank and not getattr(question, "optional", False)) or (value is None and not blank):
            return
        self.state.update(last_activity_at=given.at, turns=self.state["turns"] + 1)
        if given.concerns:
            self.flag(question.id, given.concerns, "text", given.text)
        answers[question.id] = value
        path, target = self._answered_path()
        dropped = [qid for qid in answers if qid not in path and qid != question.id]
        for qid in dropped:
            del answers[qid]
        self.events.append(Revised(question_ids=(question.id, *dropped)))
        self.record(question, "skipped" if blank else "answered", value, given.text)
        option = chosen_option(question, value)
        if option is not None and option.flag:
            self.flag(question.id, (option.flag,), "option", given.text)
        self._carry_on_at(target)

    def _answered_path(self) -> tuple[list[str], str]:
        """The questions answered on the way through the flow now, and where that way stops."""
        answers: dict[str, AnswerValue] = self.state["answers"]
        path: list[str] = []
        target = self.flow.questions[0].id
        for _ in range(len(self.flow.questions) * self.flow.max_visits):
            if target == END or target in path:
                break
            question = self.compiled.question(target)
            condition = self.compiled.conditions.get(target)
            on_path = {qid: answers[qid] for qid in path}
            if isinstance(question, Info) or (
                condition is not None and not condition.evaluate(on_path)
            ):
                target = self.flow.default_next(target)
                continue
            if target not in answers:
                break
            path.append(target)
            option = chosen_option(question, answers[target])
            chosen_next = option.next if option is not None else None
            target = chosen_next or self.flow.default_next(target)
        return path, target

    def _carry_on_at(self, target: str) -> None:
        was_active = self.state["status"] == Status.ACTIVE
        if target == END:
            if was_active:
                self.end("completed")
            return
        self.state["status"] = Status.ACTIVE
        if was_active and target == self.state["current"]:
            # The way on is unchanged: ask the same question again without counting a visit.
            self.events.append(self.speaker.ask(self.compiled.question(target)))
            return
        self.go_to(target)

    def flag(
        self, question_id: str | None, reasons: tuple[str, ...], source: str, text: str | None
    ) -> None:
        self.events.append(
            Flagged(question_id=question_id, reasons=reasons, source=source, raw_text=text)
        )
        if (SAFEGUARDING in reasons or source == "text") and not self.state["signposted"]:
            signpost = self.speaker.text(self.flow.messages.safeguarding)
            self.events.append(self.speaker.say("safeguarding", signpost))
            self.state["signposted"] = True

    def opt_out(self, keyword: str) -> None:
        self.events.append(OptedOut(keyword=keyword.strip()))
        self.events.append(self.speaker.say("opted_out", self.speaker.system("opted_out")))
        self.state.update(status=Status.OPTED_OUT, current=None)
        self.events.append(Ended(reason="opted_out"))

    def help(self, question: Question, text: str) -> None:
        own_help = question.help
        notice = self.speaker.text(own_help) if own_help else self.speaker.system("help")
        if self.state["helps"] >= MAX_HELPS:
            # Still helpful, but now it costs a try, so asking for HELP forever cannot trap anyone.
            self.misunderstood(question, text, notice, "help")
            return
        self.state["helps"] += 1
        self.events.append(self.speaker.ask(question, role="help", notice=notice))
        self.events.append(
            QuestionReasked(question_id=question.id, reason="help", attempt=self.state["attempts"])
        )

    def skip(self, question: Question, text: str) -> None:
        if getattr(question, "optional", False):
            self.record(question, "skipped", None, text)
            self.go_to(self.flow.default_next(question.id))
        else:
            self.misunderstood(question, text, self.speaker.system("skip_refused"), "skip_refused")

    def restart(self) -> None:
        self.state.update(restarts=self.state["restarts"] + 1, answers={}, visits={})
        self.events.append(Restarted())
        self.pending_notice = self.speaker.system("restarted")
        self.go_to(self.flow.questions[0].id)

    def answer(self, question: Question, text: str) -> None:
        value = understand(self.compiled, self.state["language"], question, text)
        if value is None:
            self.misunderstood(question, text, reask_hint(self.speaker, question), "not_understood")
            return
        self.accept(question, value, text)

    def accept(self, question: Question, value: AnswerValue, text: str) -> None:
        self.record(question, "answered", value, text)
        option = chosen_option(question, value)
        if option is not None and option.flag:
            self.flag(question.id, (option.flag,), "option", text)
        target = option.next if option is not None and option.next else None
        self.go_to(target or self.flow.default_next(question.id))

    def misunderstood(self, question: Question, text: str, hint: str, reason: str) -> None:
        attempts = self.state["attempts"] + 1
        if attempts >= self.flow.max_attempts:
            self.record(question, "unanswered", None, text)
            self.pending_notice = self.speaker.system("moving_on")
            self.go_to(self.flow.default_next(question.id))
            return
        self.state["attempts"] = attempts
        self.events.append(self.speaker.ask(question, role="reask", notice=hint))
        self.events.append(
            QuestionReasked(question_id=question.id, reason=reason, attempt=attempts)
        )

    def record(self, question: Question, status: str, value: AnswerValue, text: str) -> None:
        self.state["answers"][question.id] = value
        indicator = getattr(question, "indicator", None)
        self.events.append(
            AnswerRecorded(
                question_id=question.id,
                question_type=question.type,
                status=status,
                value=value,
                raw_text=text,
                indicator=indicator.name if indicator else None,
                polarity=value_polarity(question, value),
                purpose=question.purpose if isinstance(question, FreeText) else None,
            )
        )
