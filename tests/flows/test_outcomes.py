"""Outcome declarations: the checks ``flows check`` runs, at the right line and column, and scoring.

Each case is a small flow written inline; ``HEAD`` takes lines 1-9, so the first question starts
on line 10. Line and column numbers are counted by hand from the YAML in the case.
"""

from __future__ import annotations

import textwrap

import pytest

from flows.definition import Flow
from flows.errors import FlowLoadError
from flows.loader import load, load_text
from flows.outcomes import DomainSpec, domains, score
from tests.flows.test_loader import HEAD, problems

# Lines 10-27: two 1-5 ratings in domain `confidence` and a scored choice in `routines`.
GOOD = """\
  - id: c1
    type: rating
    text: How confident?
    outcome: {domain: confidence, better: higher}
  - id: c2
    type: rating
    text: How sure?
    outcome: {domain: confidence, better: higher}
  - id: r1
    type: single_choice
    text: Bedtime?
    outcome: {domain: routines, better: higher}
    options:
      - {value: never, label: Never, score: 1}
      - {value: sometimes, label: Sometimes, score: 2}
      - {value: usually, label: Usually, score: 3}
      - {value: dont_know, label: Don't know}
  - id: why
    type: free_text
    text: Why?
"""
DOMAINS = """\
outcomes:
  - {domain: confidence, min_answered: 1, reliability: 0.8}
  - {domain: routines}
"""


def good_flow() -> Flow:
    return load_text(HEAD + GOOD + DOMAINS, "survey.yaml")


def test_domains_default_to_the_questions_that_name_them() -> None:
    found = domains(good_flow())
    assert found == {
        "confidence": DomainSpec("confidence", ("c1", "c2"), 1, "higher", 1, 5, 0.8),
        "routines": DomainSpec("routines", ("r1",), 1, "higher", 1, 3, None),
    }


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"c1": 2, "c2": 5}, 3.5),
        ({"c1": 4, "c2": None}, 4.0),  # min_answered 1: one item is enough
        ({"c1": None, "c2": None}, None),
        ({}, None),
    ],
)
def test_score_is_the_mean_of_answered_items(
    answers: dict[str, int | None], expected: float | None
) -> None:
    flow = good_flow()
    assert score(flow, domains(flow)["confidence"], answers) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [("usually", 3.0), ("never", 1.0), ("dont_know", None), (None, None)]
)
def test_a_choice_scores_by_its_option_and_an_unscored_option_counts_as_unanswered(
    value: str | None, expected: float | None
) -> None:
    flow = good_flow()
    assert score(flow, domains(flow)["routines"], {"r1": value}) == expected


def test_by_default_every_item_must_be_answered() -> None:
    flow = load_text(HEAD + GOOD + "outcomes: [{domain: confidence}, {domain: routines}]\n")
    assert score(flow, domains(flow)["confidence"], {"c1": 4}) is None
    assert score(flow, domains(flow)["confidence"], {"c1": 4, "c2": 3}) == 3.5


RATING = """\
  - id: q1
    type: rating
    text: How confident?
    outcome: {domain: %s, better: %s}
"""


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            RATING % ("confidnce", "higher") + "outcomes: [{domain: confidence}]\n",
            [
                "13:23: unknown outcome domain 'confidnce'; the flow's outcomes declare confidence",
                "14:21: domain 'confidence' has no items: no question's outcome names it",
            ],
        ),
        (
            RATING % ("confidence", "higher"),
            ["13:23: unknown outcome domain 'confidence'; the flow's outcomes declare none"],
        ),
        (
            RATING % ("confidence", "higher")
            + "outcomes: [{domain: confidence, min_answered: 2}]\n",
            ["14:47: min_answered is 2, but domain 'confidence' has only 1 item(s)"],
        ),
        (
            RATING % ("confidence", "higher")
            + "outcomes: [{domain: confidence}, {domain: confidence}]\n",
            ["14:43: domain 'confidence' is declared twice"],
        ),
        (
            RATING % ("confidence", "higher")
            + "outcomes: [{domain: confidence, reliability: 1.2}]\n",
            ["14:46: Input should be less than 1"],
        ),
        (
            RATING % ("confidence", "sideways") + "outcomes: [{domain: confidence}]\n",
            ["13:43: Input should be 'higher' or 'lower'"],
        ),
    ],
)
def test_domain_declaration_errors(source: str, expected: list[str]) -> None:
    assert problems(HEAD + source) == expected


@pytest.mark.parametrize(
    ("questions", "expected"),
    [
        (
            """\
  - id: q1
    type: free_text
    text: Tell us
    outcome: {domain: confidence, better: higher}
outcomes: [{domain: confidence}]
""",
            [
                "13:5: an outcome item must be a rating, single_choice or yes_no question, "
                "not free_text"
            ],
        ),
        (
            """\
  - id: q1
    type: multiple_choice
    text: Which?
    outcome: {domain: confidence, better: higher}
    options: [{value: a, label: A, score: 1}, {value: b, label: B, score: 2}]
outcomes: [{domain: confidence}]
""",
            [
                "13:5: an outcome item must be a rating, single_choice or yes_no question, "
                "not multiple_choice"
            ],
        ),
        (
            """\
  - id: q1
    type: fft
    outcome: {domain: confidence, better: lower}
outcomes: [{domain: confidence}]
""",
            ["12:5: an outcome item must be a rating, single_choice or yes_no question, not fft"],
        ),
        (
            """\
  - id: q1
    type: single_choice
    text: Which?
    outcome: {domain: confidence, better: higher}
    options: [{value: a, label: A, score: 1}, {value: b, label: B, score: 1}]
outcomes: [{domain: confidence}]
""",
            ["14:5: outcome item 'q1' needs a score on at least two options with different scores"],
        ),
        (
            """\
  - id: q1
    type: single_choice
    text: Which?
    options: [{value: a, label: A, score: 1}, {value: b, label: B}]
""",
            ["13:43: a score counts only in an outcome item, and 'q1' declares no outcome"],
        ),
    ],
)
def test_item_type_errors(questions: str, expected: list[str]) -> None:
    assert problems(HEAD + questions) == expected


LISTED = """\
  - id: q1
    type: rating
    text: How confident?
    outcome: {domain: confidence, better: higher}
  - id: q2
    type: rating
    text: How sure?
    outcome: {domain: confidence, better: lower}
  - id: q3
    type: rating
    max: 3
    text: How calm?
    outcome: {domain: confidence, better: higher}
  - id: note
    type: free_text
    text: Anything else?
outcomes:
  - domain: confidence
    items: [q1, q2, q3, note, nothing]
"""


def test_items_listed_by_the_domain_are_checked_and_must_agree() -> None:
    assert problems(HEAD + LISTED) == [
        "27:5: items of domain 'confidence' disagree on which way is better: q1 (higher is "
        "better), q2 (lower is better), q3 (higher is better). A score averages its items, so a "
        "rise in one would cancel a fall in another: word them the same way, or give the "
        "reversed item scores that run the other way",
        "27:5: items of domain 'confidence' use different scales (q1 1–5, q2 1–5, q3 1–3): a "
        "score averages its items, so they must share one",
        "28:25: item 'note' is a free_text question; items must be rating, single_choice or yes_no",
        "28:31: domain 'confidence' lists unknown question 'nothing'",
    ]


def test_a_question_naming_a_domain_must_be_in_its_listed_items() -> None:
    second = (RATING % ("confidence", "higher")).replace("q1", "q2")
    source = HEAD + RATING % ("confidence", "higher") + second
    assert problems(source + "outcomes: [{domain: confidence, items: [q1]}]\n") == [
        "18:33: question 'q2' names domain 'confidence' but is not in its items",
    ]


def test_a_listed_item_must_declare_the_domain() -> None:
    source = HEAD + textwrap.dedent("""\
          - id: q1
            type: rating
            text: How confident?
        outcomes:
          - {domain: confidence, items: [q1]}
        """)
    assert problems(source) == [
        "14:34: item 'q1' must say `outcome: {domain: confidence, better: ...}`",
    ]


def test_a_domain_label_needs_every_translation() -> None:
    source = HEAD.replace("version: 1\n", "version: 1\nlanguages: [en-easy]\n")
    assert "outcomes" not in source
    with pytest.raises(FlowLoadError, match=r"31:40: missing translation for 'en-easy'"):
        load_text(source + GOOD + "outcomes: [{domain: confidence, label: Confidence}]\n")


@pytest.mark.parametrize("flow_id", ["day_service_outcomes", "early_help_outcomes"])
def test_bundled_outcome_flows_declare_their_domains(flow_id: str) -> None:
    flow = load(flow_id)
    found = domains(flow)
    assert len(found) >= 3
    for spec in found.values():
        assert spec.better == "higher"
        assert spec.low < spec.high
        assert 1 <= spec.min_answered <= len(spec.items)


def test_a_yes_no_item_scores_by_the_scores_given_to_its_options() -> None:
    source = HEAD + textwrap.dedent("""\
          - id: has_friend
            type: yes_no
            text: Is there someone you can call?
            outcome: {domain: support, better: higher}
            options:
              - {value: "yes", label: "Yes", score: 1}
              - {value: "no", label: "No", score: 0}
        outcomes: [{domain: support}]
        """)
    flow = load_text(source)
    spec = domains(flow)["support"]
    assert (spec.low, spec.high) == (0, 1)
    assert score(flow, spec, {"has_friend": "no"}) == 0
    assert score(flow, spec, {"has_friend": "yes"}) == 1
