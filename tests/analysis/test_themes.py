"""Themes: written examples per theme, exclusions, multi-label, commissioner extensions."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.errors import DataFileError
from analysis.themes import default_themes, load_themes, match_themes, tag

EXAMPLES: dict[str, list[str]] = {
    "punctuality": [
        "The carers are always late",
        "She turns up an hour early and wakes me",
        "Never on time in the mornings",
        "Very punctual, thank you",
    ],
    "continuity": [
        "Different carer every day, I never know who is coming",
        "I like having the same carers who know me",
        "Too many new faces, it confuses mum",
        "Lots of agency staff lately",
    ],
    "staff_attitude": [
        "The carers are so kind and patient with dad",
        "The woman in the office was rude",
        "They were dismissive and did not listen",
        "Went above and beyond for us",
    ],
    "communication": [
        "Nobody rings to say they are running late",
        "Could never get through on the phone",
        "They explained everything clearly",
        "I was not told the visit was cancelled",
    ],
    "competence": [
        "The new carer didn't know how to use the hoist",
        "Very professional and well trained",
        "They made a mistake with the paperwork",
        "Needs more training on dementia",
    ],
    "medication": [
        "They forgot my tablets again",
        "Always checks I've had my medication",
        "The pharmacy sent the wrong prescription",
        "Insulin was given late",
    ],
    "food_drink": [
        "Food was cold and tasteless",
        "She always makes me a cup of tea",
        "Dad isn't eating properly",
        "They leave a drink within reach",
    ],
    "personal_care_dignity": [
        "Left in wet pads, no dignity",
        "They help me shower and get dressed",
        "They respect my privacy when washing me",
        "Personal care is rushed",
    ],
    "safety": [
        "I don't feel safe when the door is left open",
        "Mum had a fall and nobody noticed",
        "They never lock the key safe",
        "Worried about the risk of falls",
    ],
    "missed_short_visits": [
        "The carer didn't turn up on Sunday",
        "They only stay 10 minutes",
        "Visits are cut short all the time",
        "Missed visit twice this month",
        "They rush me through my wash",
    ],
    "access_waiting": [
        "Waited 6 hours for an ambulance",
        "The waiting list is months long",
        "Hard to get an appointment",
        "Came quickly when I called",
    ],
    "environment_cleanliness": [
        "The ward was filthy",
        "Clean and tidy room",
        "Very noisy at night",
        "The toilets smell",
    ],
    "cost": [
        "Too expensive for what you get",
        "The bill went up again",
        "I can't afford the contribution",
        "Good value for money",
    ],
}

NOT_THEMED: list[tuple[str, str]] = [
    ("punctuality", "My late husband was well cared for"),
    ("punctuality", "Take your time, there is no rush in my day"),
    # Rushing is about the length of a visit, not its start (issue 17's report quote).
    ("punctuality", "They listen to me and never rush"),
    ("punctuality", "They always rush me"),
    ("safety", "I fell asleep in the chair"),
    ("staff_attitude", "Patient transport brought me home"),
    ("communication", "I called an ambulance"),
    ("cost", "The nurse in charge sorted it"),
    ("cost", "I was discharged the same day"),
    ("personal_care_dignity", "The washing machine is broken"),
    ("competence", "I came by train"),
]


@pytest.mark.parametrize(
    ("theme", "text"), [(theme, text) for theme, texts in EXAMPLES.items() for text in texts]
)
def test_theme_examples(theme: str, text: str) -> None:
    assert theme in tag(text)


@pytest.mark.parametrize(("theme", "text"), NOT_THEMED)
def test_exclusions_and_false_friends(theme: str, text: str) -> None:
    assert theme not in tag(text)


def test_all_thirteen_themes_have_examples() -> None:
    assert [t.id for t in default_themes()] == list(EXAMPLES)


def test_multi_label_with_evidence_in_the_persons_words() -> None:
    matches = match_themes("Carer was LATE and rude, and forgot my Tablets")
    assert [m.theme for m in matches] == ["punctuality", "staff_attitude", "medication"]
    assert matches[2].evidence == ("Tablets",)
    assert tag("") == ()


def test_commissioner_file_extends_and_adds(tmp_path: Path) -> None:
    extra = tmp_path / "ours.yaml"
    extra.write_text(
        "version: 1\nthemes:\n"
        "  cost:\n    label: Cost\n    keywords: [dosh]\n"
        "  transport:\n    label: Transport to day centre\n    phrases: [day centre bus]\n",
        encoding="utf-8",
    )
    themes = load_themes(extra)
    assert tag("the day centre bus never comes and it costs dosh", themes) == (
        "access_waiting", "cost", "transport")  # fmt: skip
    assert "cost" in tag("too expensive", themes)
    assert [t.id for t in load_themes(extra, replace=True)] == ["cost", "transport"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("version: 1\nthemes:\n  x:\n    label: X\n    keywords: [two words]\n", "one lower-case"),
        ("version: 1\nthemes:\n  x:\n    label: X\n", "has no keywords or phrases"),
        ("version: 1\nthemes:\n  Bad-Id:\n    label: X\n    keywords: [a]\n", "lower_snake_case"),
        ("version: 1\nthemes:\n  x:\n    label: X\n    keywords: [a]\n    colour: red\n", "colour"),
        ("version: 1\nthemes:\n  x:\n    keywords: [a]\n", "themes.x.label"),
        ("themes: [\n", "not valid YAML"),
    ],
)
def test_invalid_theme_file_is_refused(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "themes.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        load_themes(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)
