"""Understanding answers as people type them: numbers, labels, typos, yes/no, several choices."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.parsing import (
    Choice,
    match_command,
    normalise,
    parse_choice,
    parse_free_text,
    parse_integer,
    parse_multiple,
    parse_number,
    parse_rating,
    parse_yes_no,
)

# The home-care frequency scale, as choice_names() builds it (already normalised).
FREQUENCY = (
    Choice("always", ("always", "all the time", "every time")),
    Choice("usually", ("usually", "mostly", "most of the time", "generally")),
    Choice("sometimes", ("sometimes", "occasionally", "now and then")),
    Choice("rarely", ("rarely", "hardly ever", "not often")),
    Choice("never", ("never", "not at all")),
)
FFT = (
    Choice("very_good", ("very_good", "very good")),
    Choice("good", ("good",)),
    Choice("neither", ("neither", "neither good nor poor")),
    Choice("poor", ("poor",)),
    Choice("very_poor", ("very_poor", "very poor")),
    Choice("dont_know", ("dont_know", "dont know")),
)
ACTIVITIES = (
    Choice("walking", ("walking", "walk")),
    Choice("talking", ("talking",)),
    Choice("cooking", ("cooking",)),
    Choice("friends", ("friends and family",)),
)
YES_NO = (Choice("yes", ("yes",)), Choice("no", ("no",)))


CHOICES = [
    # by number, however it is written
    ("1", "always"),
    ("1.", "always"),
    (" 1 ", "always"),
    ("(1)", "always"),
    ("one", "always"),
    ("One!", "always"),
    ("first", "always"),
    ("#2", "usually"),
    ("no. 2", "usually"),
    ("number 3", "sometimes"),
    ("option 3", "sometimes"),
    ("2nd", "usually"),
    ("fifth", "never"),
    ("5", "never"),
    ("6", None),
    ("0", None),
    ("-1", None),
    ("six", None),
    # by label or synonym, in any case, with spaces and punctuation
    ("always", "always"),
    ("ALWAYS", "always"),
    ("Always!!", "always"),
    ("always?", "always"),
    ("  sometimes  ", "sometimes"),
    ("Never.", "never"),
    ("mostly", "usually"),
    ("Most   of the time", "usually"),
    ("hardly ever", "rarely"),
    ("not often", "rarely"),
    ("not at all", "never"),
    # small typos
    ("alwys", "always"),
    ("allways", "always"),
    ("usualy", "usually"),
    ("nevr", "never"),
    ("rarly", "rarely"),
    ("sometime", "sometimes"),
    ("occasionaly", "sometimes"),
    ("all the tim", "always"),
    ("not oftne", "rarely"),
    # not an answer: negations, other words, too short to guess
    ("not always", None),
    ("not alwys", None),
    ("no always", None),
    ("not sometimes", None),
    ("not usually", None),
    ("not generally", None),
    ("never ever", None),
    ("always late", None),
    ("almost never", None),
    ("some", None),
    ("al", None),
    ("1 2", None),
    ("1 or 2", None),
    ("🙂", None),
    ("", None),
    ("   ", None),
]


@pytest.mark.parametrize(("text", "expected"), CHOICES)
def test_parse_choice(text: str, expected: str | None) -> None:
    assert parse_choice(text, FREQUENCY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Don’t know", "dont_know"),
        ("Don't know", "dont_know"),
        ("don‘t know", "dont_know"),
        ("DONT KNOW", "dont_know"),
        ("I don’t know", "dont_know"),
        ("Very Good!", "very_good"),
        ("verry good", "very_good"),
        ("very   poor", "very_poor"),
        ("Neither good nor poor", "neither"),
        ("neither good nor por", "neither"),
        ("6", "dont_know"),
        ("not good", None),
        ("no good", None),
    ],
)
def test_parse_choice_fft(text: str, expected: str | None) -> None:
    assert parse_choice(text, FFT) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 and 3", ["walking", "cooking"]),
        ("1,3", ["walking", "cooking"]),
        ("1, 3", ["walking", "cooking"]),
        ("1 3", ["walking", "cooking"]),
        ("1 & 3", ["walking", "cooking"]),
        ("1;3", ["walking", "cooking"]),
        ("1+3", ["walking", "cooking"]),
        ("1 , 3.", ["walking", "cooking"]),
        ("1,,3", ["walking", "cooking"]),
        ("3 1", ["cooking", "walking"]),
        ("1 and 1", ["walking"]),
        ("one and three", ["walking", "cooking"]),
        ("first and third", ["walking", "cooking"]),
        ("walking and cooking", ["walking", "cooking"]),
        ("Walking, Talking", ["walking", "talking"]),
        ("walk & talking & cooking", ["walking", "talking", "cooking"]),
        ("Friends and family", ["friends"]),  # one label with "and" in it
        ("2", ["talking"]),
        ("1 and 5", None),
        ("1-3", None),
        ("13", None),
        ("and", None),
        ("", None),
    ],
)
def test_parse_multiple(text: str, expected: list[str] | None) -> None:
    assert parse_multiple(text, ACTIVITIES) == expected


@pytest.mark.parametrize(
    ("text", "at_least", "at_most", "expected"),
    [
        ("1 and 3", 2, 2, ["walking", "cooking"]),
        ("1", 2, None, None),
        ("1 and 1", 2, None, None),
        ("1 2 3", 1, 2, None),
        ("1 2 3 4", 1, None, ["walking", "talking", "cooking", "friends"]),
        ("friends and family", 2, None, None),
    ],
)
def test_parse_multiple_limits(
    text: str, at_least: int, at_most: int | None, expected: list[str] | None
) -> None:
    assert parse_multiple(text, ACTIVITIES, at_least, at_most) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        *[(word, "yes") for word in ["yes", "Yes!", "YES.", "yeah", "yep", "y", "Y", "ok"]],
        *[(word, "yes") for word in ["👍", "👍🏽", "👍🏿", "✔️", "yes please", "1"]],
        *[(word, "no") for word in ["no", "No.", "nope", "n", "N", "nah", "not really"]],
        *[(word, "no") for word in ["👎", "👎🏻", "no thanks", "2"]],
        ("yess", "yes"),
        ("maybe", None),
        ("yes i do", None),
        ("3", None),
        ("", None),
    ],
)
def test_parse_yes_no(text: str, expected: str | None) -> None:
    assert parse_yes_no(text, YES_NO) == expected


@pytest.mark.parametrize(
    ("text", "low", "high", "expected"),
    [
        ("5", 0, 10, 5),
        ("0", 0, 10, 0),
        ("10", 0, 10, 10),
        ("11", 0, 10, None),
        ("-1", 0, 10, None),
        ("-3", -5, 5, -3),
        ("−3", -5, 5, -3),
        ("three", 0, 10, 3),
        ("twenty one", 0, 100, 21),
        ("twenty-one", 0, 100, 21),
        ("Twenty One", 0, 100, 21),
        ("forty two", 0, 100, 42),
        ("ninety nine", 0, 100, 99),
        ("one hundred", 0, 100, 100),
        ("three hundred", 0, 1000, 300),
        ("one two", 0, 100, None),
        ("twenty twenty", 0, 10000, None),
        ("none", 0, 10, 0),
        ("nobody", 0, 10, 0),
        ("no one", 0, 10, 0),
        ("3rd", 0, 10, 3),
        ("about 3 carers", 0, 10, 3),
        ("5 carers", 0, 10, 5),
        ("3 or 4", 0, 10, None),
        ("3-4", 0, 10, None),
        ("3 to 4", 0, 10, None),
        ("3.5", 0, 10, None),
        ("1000", 0, 2000, 1000),
        ("a few", 0, 10, None),
        ("", 0, 10, None),
    ],
)
def test_parse_number(text: str, low: int, high: int, expected: int | None) -> None:
    assert parse_number(text, low, high) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Excellent", 5),
        ("poor!", 1),
        ("3", 3),
        ("three", 3),
        ("6", None),
        ("0", None),
        ("ok", None),
    ],
)
def test_parse_rating(text: str, expected: int | None) -> None:
    assert parse_rating(text, 1, 5, [(1, "Poor"), (5, "Excellent")]) == expected


@pytest.mark.parametrize(
    ("text", "expected"), [("  Lovely staff  ", "Lovely staff"), ("", None), (" \n\t ", None)]
)
def test_parse_free_text(text: str, expected: str | None) -> None:
    assert parse_free_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Don’t Know", "dont know"),
        ("  Hello,   World!! ", "hello, world"),
        ("ＳＴＯＰ", "stop"),
        ("«yes»", "«yes»"),
        ("👍🏽", "👍"),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


KEYWORDS = {
    "stop": frozenset({"stop", "opt out"}),
    "help": frozenset({"help"}),
    "skip": frozenset({"skip"}),
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("stop", "stop"),
        ("STOP", "stop"),
        ("Stop.", "stop"),
        (" STOP ", "stop"),
        ("STOP!", "stop"),
        ("‘stop’", "stop"),
        ("opt out", "stop"),
        ("Help?", "help"),
        ("skip", "skip"),
        ("stop being late", None),
        ("please stop", None),
        ("stop stop", None),
        ("help me", None),
        ("st op", None),
        ("", None),
    ],
)
def test_match_command_whole_message_only(text: str, expected: str | None) -> None:
    assert match_command(text, KEYWORDS) == expected


@settings(max_examples=400, deadline=None)
@given(text=st.text(max_size=40))
def test_no_parse_function_raises(text: str) -> None:
    assert isinstance(normalise(text), str)
    assert parse_integer(text) is None or isinstance(parse_integer(text), int)
    assert parse_choice(text, FREQUENCY) in {None, *(c.value for c in FREQUENCY)}
    assert parse_choice(text, FFT) in {None, *(c.value for c in FFT)}
    multiple = parse_multiple(text, ACTIVITIES)
    assert multiple is None or set(multiple) <= {c.value for c in ACTIVITIES}
    assert parse_yes_no(text, YES_NO) in {None, "yes", "no"}
    rating = parse_rating(text, 1, 5, [(1, "Poor"), (5, "Excellent")])
    assert rating is None or 1 <= rating <= 5
    number = parse_number(text, -10, 10)
    assert number is None or -10 <= number <= 10
    assert parse_free_text(text) in {None, text.strip()}
    assert match_command(text, KEYWORDS) in {None, "stop", "help", "skip"}


# pcf_consultation's "Did the repair fix it?": one option named yes, one named no.
FIXED = (
    Choice("yes_fully", ("yes_fully", "yes fully", "yes", "fully", "completely")),
    Choice("partly", ("partly", "a bit", "sort of", "somewhat")),
    Choice("not_at_all", ("not_at_all", "not at all", "no", "not really")),
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("👍", "yes_fully"),
        ("👍🏽", "yes_fully"),
        ("✅", "yes_fully"),
        ("✔️", "yes_fully"),
        ("yep", "yes_fully"),
        ("👎", "not_at_all"),
        ("❌", "not_at_all"),
        ("nope", "not_at_all"),
        ("2️⃣", "partly"),  # keycap digits are numbers
        ("🙂", None),
    ],
)
def test_emoji_and_yes_words_on_single_choice(text: str, expected: str | None) -> None:
    assert parse_choice(text, FIXED) == expected


def test_thumbs_up_without_a_yes_option_is_not_guessed() -> None:
    # On FFT "very good" and "good" are both positive: which one 👍 means is a guess.
    assert parse_choice("👍", FFT) is None
    assert parse_choice("👍", FREQUENCY) is None


def test_thumbs_up_with_two_yes_options_is_a_reask() -> None:
    both = (
        Choice("yes_always", ("yes always", "yes")),
        Choice("yes_sometimes", ("yes sometimes", "yes")),
        Choice("no", ("no",)),
    )
    assert parse_choice("👍", both) is None
    assert parse_choice("👎", both) == "no"


def test_keycap_ten_is_ten() -> None:
    assert parse_integer("🔟") == 10
    assert parse_choice("5️⃣", FREQUENCY) == "never"


def test_no_words_still_reach_a_typo_match_when_no_option_is_a_no() -> None:
    # "not often" is a name of rarely; "not really" is a NO word but no option here is a no.
    assert parse_choice("not oftn", FREQUENCY) == "rarely"
