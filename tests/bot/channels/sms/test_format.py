"""SMS text: GSM-7 or UCS-2, segment counts at the boundaries, plain characters, rendering."""

from __future__ import annotations

import pytest

from bot.channels.sms.format import (
    GSM7_BASIC,
    GSM7_EXTENDED,
    Segments,
    gsm_safe,
    is_gsm7,
    render,
    segments,
)
from flows.events import Message, OptionView


def test_character_tables_have_the_sizes_of_gsm_03_38() -> None:
    assert (len(GSM7_BASIC), len(GSM7_EXTENDED)) == (128, 10)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello, how are you? 1 Always", True),
        ("£5 @ 10% - é è ù ì ò Ç Ø å Δ ß É ¡ ¿ ä ö ñ ü à §", True),
        ("line one\nline two\r", True),
        ("€ [ ] { } ^ ~ | \\", True),
        ("", True),
        ("ç", False),  # only the capital is in the table
        ("Don’t", False),
        ("“quoted”", False),
        ("a – b", False),
        ("tab\there", False),
        ("`", False),
        ("👍", False),
        ("Diolch yn fawr ŵ", False),
    ],
)
def test_is_gsm7(text: str, expected: bool) -> None:
    assert is_gsm7(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Segments("GSM-7", 0, 0)),
        ("a", Segments("GSM-7", 1, 1)),
        ("a" * 160, Segments("GSM-7", 160, 1)),
        ("a" * 161, Segments("GSM-7", 161, 2)),
        ("a" * 306, Segments("GSM-7", 306, 2)),
        ("a" * 307, Segments("GSM-7", 307, 3)),
        ("a" * 459, Segments("GSM-7", 459, 3)),
        ("a" * 460, Segments("GSM-7", 460, 4)),
        # extension characters take two septets
        ("€" * 80, Segments("GSM-7", 160, 1)),
        ("€" * 81, Segments("GSM-7", 162, 2)),
        ("a" * 159 + "€", Segments("GSM-7", 161, 2)),
        ("a" * 158 + "[]", Segments("GSM-7", 162, 2)),
        ("a" * 158 + "{", Segments("GSM-7", 160, 1)),
        # an escaped character never straddles two parts
        ("a" * 153 + "€" + "a" * 151, Segments("GSM-7", 306, 2)),
        ("a" * 152 + "€" + "a" * 152, Segments("GSM-7", 306, 3)),
        # accented letters in the basic table stay GSM-7
        ("é" * 160, Segments("GSM-7", 160, 1)),
        # one character outside GSM-7 makes the whole message UCS-2
        ("ı" * 70, Segments("UCS-2", 70, 1)),
        ("ı" * 71, Segments("UCS-2", 71, 2)),
        ("ı" * 134, Segments("UCS-2", 134, 2)),
        ("ı" * 135, Segments("UCS-2", 135, 3)),
        ("a" * 69 + "’", Segments("UCS-2", 70, 1)),
        ("a" * 70 + "’", Segments("UCS-2", 71, 2)),
        ("€" * 69 + "’", Segments("UCS-2", 70, 1)),  # € is one UTF-16 unit
        # an emoji is two UTF-16 units, and is never split between parts
        ("😀" * 35, Segments("UCS-2", 70, 1)),
        ("😀" * 36, Segments("UCS-2", 72, 2)),
        ("ı" * 65 + "😀" + "ı" * 67, Segments("UCS-2", 134, 2)),
        ("ı" * 66 + "😀" + "ı" * 66, Segments("UCS-2", 134, 3)),
    ],
)
def test_segments(text: str, expected: Segments) -> None:
    assert segments(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It’s ‘fine’", "It's 'fine'"),
        ("“Quoted” „low”", '"Quoted" "low"'),
        ("a – b — c ‒ d ― e ‐ f ‑ g", "a - b - c - d - e - f - g"),
        ("Wait…", "Wait..."),
        ("non\u00a0breaking\u2009thin\u202fnarrow", "non breaking thin narrow"),
        ("• one · two", "- one - two"),
        ("tab\there", "tab here"),
        ("back`tick", "back'tick"),
        ("plain text stays", "plain text stays"),
        ("€ and £ stay", "€ and £ stay"),
        ("👍 stays", "👍 stays"),
    ],
)
def test_gsm_safe(text: str, expected: str) -> None:
    assert gsm_safe(text) == expected


def test_gsm_safe_makes_typography_gsm7() -> None:
    assert is_gsm7(gsm_safe("Don’t “worry” – it’s fine…\tok\u00a0•"))


def options(*labels: str) -> tuple[OptionView, ...]:
    return tuple(
        OptionView(number=n, value=f"v{n}", label=label) for n, label in enumerate(labels, 1)
    )


CHOICE = Message(
    role="question",
    text="Do your carers come on time?",
    question_id="punctuality",
    input="choice",
    options=options("Always", "Usually", "Never"),
    low=1,
    high=3,
)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (CHOICE, "Do your carers come on time?\n1 Always\n2 Usually\n3 Never"),
        (
            CHOICE.model_copy(update={"notice": "Sorry, I didn’t understand.", "role": "reask"}),
            "Sorry, I didn't understand.\n\nDo your carers come on time?\n1 Always\n2 Usually\n"
            "3 Never",
        ),
        (
            CHOICE.model_copy(update={"input": "multiple", "text": "Which ones?"}),
            "Which ones?\n1 Always\n2 Usually\n3 Never",
        ),
        (
            Message(role="question", text="Happy?", input="yes_no", options=options("Yes", "No")),
            "Happy?\n1 Yes\n2 No",
        ),
        (
            Message(
                role="question",
                text="How confident do you feel?",
                input="rating",
                options=(
                    OptionView(number=1, value="1", label="Not at all"),
                    *(OptionView(number=n, value=str(n), label=str(n)) for n in (2, 3, 4)),
                    OptionView(number=5, value="5", label="Very"),
                ),
                low=1,
                high=5,
            ),
            "How confident do you feel?\n1 = Not at all\n5 = Very",
        ),
        (
            Message(
                role="question",
                text="Score out of ten?",
                input="rating",
                options=tuple(OptionView(number=n, value=str(n), label=str(n)) for n in range(11)),
                low=0,
                high=10,
            ),
            "Score out of ten?\n(0-10)",
        ),
        (
            Message(role="question", text="Why did you say that?", input="text"),
            "Why did you say that?",
        ),
        (Message(role="question", text="How many?", input="number", low=0, high=20), "How many?"),
        (Message(role="thanks", text="Thank you – bye."), "Thank you - bye."),
        (
            Message(role="reminder", text="Still there?", notice="Just a reminder…"),
            "Just a reminder...\n\nStill there?",
        ),
    ],
)
def test_render(message: Message, expected: str) -> None:
    assert render(message) == expected


def test_render_unicode_keeps_typography() -> None:
    message = CHOICE.model_copy(update={"notice": "Sorry, I didn’t understand."})
    assert render(message, unicode=True) == (
        "Sorry, I didn’t understand.\n\nDo your carers come on time?\n1 Always\n2 Usually\n3 Never"
    )


def test_rendered_question_fits_one_segment() -> None:
    assert segments(render(CHOICE)) == Segments("GSM-7", 55, 1)
