"""Turning a question (or one of the flow's texts) into a ``Message`` for one person."""

from __future__ import annotations

from flows import builtins
from flows.compiled import CompiledFlow, localise
from flows.definition import (
    Fft,
    FreeText,
    Info,
    LocalText,
    MultipleChoice,
    Number,
    Question,
    Rating,
    SingleChoice,
    YesNo,
)
from flows.events import InputKind, Message, MessageRole, OptionView
from flows.piping import fill
from flows.session import AnswerValue, Session


class Speaker:
    """Renders texts in the session's language, with its context and answers piped in."""

    def __init__(self, compiled: CompiledFlow, session: Session) -> None:
        self.compiled = compiled
        self.flow = compiled.flow
        self.session = session

    def text(self, text: LocalText, **engine_values: object) -> str:
        raw = localise(text, self.session.language, self.flow.language)
        values = {key: str(value) for key, value in engine_values.items()}

        def lookup(root: str, name: str | None) -> str | None:
            if name is None:
                return values.get(root) or self.session.context.get(root)
            if root == "answer":
                return self.answer_text(name)
            return None

        return fill(raw, lookup)

    def system(self, name: str, **engine_values: object) -> str:
        """A system message: the flow's own wording if it gives one, else the built-in one."""
        own: LocalText | None = getattr(self.flow.messages, name, None)
        text = own if own is not None else builtins.SYSTEM_MESSAGES[name]
        return self.text(text, **engine_values)

    def answer_text(self, question_id: str) -> str | None:
        value = self.session.answers.get(question_id)
        if value is None:
            return None
        question = self.compiled.question(question_id)
        labels = {}
        if isinstance(question, SingleChoice | MultipleChoice | YesNo | Fft):
            labels = {o.value: self.text(o.label) for o in question.options}
        if isinstance(value, list):
            return ", ".join(labels.get(v, v) for v in value)
        return labels.get(str(value), str(value))

    def say(self, role: MessageRole, text: str, notice: str | None = None) -> Message:
        return Message(role=role, text=text, notice=notice)

    def ask(
        self, question: Question, role: MessageRole = "question", notice: str | None = None
    ) -> Message:
        """The message that asks ``question``, with its options for the channel to render."""
        input_kind, options, low, high = self._shape(question)
        return Message(
            role="info" if isinstance(question, Info) else role,
            text=self.text(question.text),
            notice=notice,
            question_id=question.id,
            input=input_kind,
            options=options,
            optional=bool(getattr(question, "optional", False)),
            low=low,
            high=high,
        )

    def _shape(
        self, question: Question
    ) -> tuple[InputKind, tuple[OptionView, ...], int | None, int | None]:
        if isinstance(question, SingleChoice | MultipleChoice | YesNo | Fft):
            options = tuple(
                OptionView(number=i, value=o.value, label=self.text(o.label))
                for i, o in enumerate(question.options, start=1)
            )
            kind: InputKind = (
                "multiple" if isinstance(question, MultipleChoice)
                else "yes_no" if isinstance(question, YesNo)
                else "choice"
            )  # fmt: skip
            return kind, options, 1, len(options)
        if isinstance(question, Rating):
            return "rating", self._scale(question), question.min, question.max
        if isinstance(question, Number):
            return "number", (), question.min, question.max
        if isinstance(question, FreeText):
            return "text", (), None, None
        return "none", (), None, None

    def _scale(self, question: Rating) -> tuple[OptionView, ...]:
        views = []
        for value in range(question.min, question.max + 1):
            label = str(value)
            if value == question.min and question.min_label is not None:
                label = self.text(question.min_label)
            elif value == question.max and question.max_label is not None:
                label = self.text(question.max_label)
            views.append(OptionView(number=value, value=str(value), label=label))
        return tuple(views)


def reask_hint(speaker: Speaker, question: Question) -> str:
    """The polite explanation of what kind of answer is wanted."""
    if isinstance(question, YesNo):
        return speaker.system("reask_yes_no")
    if isinstance(question, MultipleChoice):
        return speaker.system("reask_multiple", count=len(question.options))
    if isinstance(question, SingleChoice | Fft):
        return speaker.system("reask_choice", count=len(question.options))
    if isinstance(question, Rating | Number):
        return speaker.system("reask_number", min=question.min, max=question.max)
    return speaker.system("reask_text")


def value_polarity(question: Question, value: AnswerValue) -> str | None:
    indicator = getattr(question, "indicator", None)
    if indicator is None or value is None or isinstance(value, list):
        return None
    if str(value) in indicator.positive:
        return "positive"
    if str(value) in indicator.negative:
        return "negative"
    return "neutral"
