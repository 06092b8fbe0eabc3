"""Load errors: every problem as ``file:line:col: message``, at the right line and column.

Each case is a small flow written inline. ``HEAD`` takes lines 1-9, so the first question starts
on line 10; line and column numbers below are counted by hand from the YAML in the case.
"""

from __future__ import annotations

import textwrap
from datetime import timedelta

import pytest

from flows.errors import FlowLoadError, FlowNotFoundError
from flows.loader import bundled_ids, load, load_text, resolve

HEAD = """\
id: demo
version: 1
title: Demo
messages:
  intro: Hello
  thanks: Thanks
  opt_out_footer: Reply STOP to opt out.
  safeguarding: Call 999.
questions:
"""

TWO_QUESTIONS = """\
  - id: q1
    type: single_choice
    text: How often?
    options:
      - value: always
        label: Always
      - value: never
        label: Never
  - id: q2
    type: free_text
    text: Why?
"""


def problems(source: str) -> list[str]:
    """Every problem the loader reports, as ``line:col: message`` (the file name checked once)."""
    with pytest.raises(FlowLoadError) as caught:
        load_text(textwrap.dedent(source), "survey.yaml")
    found = caught.value.problems
    assert {p.file for p in found} == {"survey.yaml"}
    assert str(caught.value) == "\n".join(str(p) for p in found)
    return [f"{p.line}:{p.col}: {p.message}" for p in found]


def test_the_two_question_flow_loads() -> None:
    flow = load_text(HEAD + TWO_QUESTIONS, "survey.yaml")
    assert [q.id for q in flow.questions] == ["q1", "q2"]
    assert flow.expiry == timedelta(days=7)
    assert flow.all_languages == ("en",)


def test_problem_prints_as_file_line_col_message() -> None:
    with pytest.raises(FlowLoadError) as caught:
        load_text(HEAD.replace("title: Demo\n", "titel: Demo\n") + TWO_QUESTIONS, "s/x.yaml")
    assert str(caught.value).splitlines() == [
        "s/x.yaml:1:1: missing required field 'title'",
        "s/x.yaml:3:1: unknown field 'titel'",
    ]


YAML_AND_SHAPE = [
    pytest.param(
        "id: demo\nversion: 1\n  title: x\n",
        [
            "3:8: this line is read as part of the value above it: line its key up with the keys"
            " above (same number of spaces), and put a space after each key's colon"
        ],
        id="yaml-syntax-mapping-in-scalar",
    ),
    pytest.param(
        "id: demo\n\tversion: 1\n",
        ["2:1: a tab is used here: tabs are not allowed for indenting, use spaces"],
        id="yaml-syntax-tab",
    ),
    pytest.param(
        "id: demo\nversion: 1\nid: other\n",
        ["3:1: the key 'id' appears twice here: remove or rename one of them"],
        id="duplicate-yaml-key",
    ),
    pytest.param("- a\n- b\n", ["1:1: a flow must be a mapping of keys to values"], id="a-list"),
    pytest.param("just words\n", ["1:1: a flow must be a mapping of keys to values"], id="text"),
    pytest.param("", ["1:1: a flow must be a mapping of keys to values"], id="empty-file"),
    pytest.param(
        HEAD.replace("title: Demo\n", "") + TWO_QUESTIONS,
        ["1:1: missing required field 'title'"],
        id="missing-top-level-field",
    ),
    pytest.param(
        HEAD + TWO_QUESTIONS.replace("    text: Why?\n", ""),
        ["18:5: missing required field 'text'"],
        id="missing-question-field",
    ),
    pytest.param(
        HEAD + TWO_QUESTIONS.replace("    type: free_text\n", ""),
        ["18:5: missing required field 'type'"],
        id="missing-question-type",
    ),
    pytest.param(
        HEAD + TWO_QUESTIONS + "    colour: red\n    extras:\n      - 1\n",
        ["21:5: unknown field 'colour'", "22:5: unknown field 'extras'"],
        id="unknown-field-points-at-its-key",
    ),
    pytest.param(
        HEAD + TWO_QUESTIONS.replace("type: free_text", "type: essay"),
        [
            "19:11: unknown question type 'essay'; expected one of 'single_choice', "
            "'multiple_choice', 'yes_no', 'fft', 'rating', 'number', 'free_text', 'info'"
        ],
        id="unknown-question-type",
    ),
    pytest.param(
        HEAD + TWO_QUESTIONS.replace("id: q2", "id: Q2"),
        ["18:9: String should match pattern '^[a-z][a-z0-9_]*$'"],
        id="bad-question-id",
    ),
    pytest.param(
        HEAD.replace("id: demo", "id: my-survey") + TWO_QUESTIONS,
        ["1:5: String should match pattern '^[a-z][a-z0-9_]*$'"],
        id="bad-flow-id",
    ),
    pytest.param(
        HEAD.replace("version: 1", "version: one") + TWO_QUESTIONS,
        ["2:10: Input should be a valid integer, unable to parse string as an integer"],
        id="version-not-a-number",
    ),
]


@pytest.mark.parametrize(("source", "expected"), YAML_AND_SHAPE)
def test_yaml_and_shape_errors(source: str, expected: list[str]) -> None:
    assert problems(source) == expected


REFERENCES_AND_GRAPH = [
    pytest.param(
        TWO_QUESTIONS + "    next: q9\n",
        ["21:11: next refers to unknown question 'q9'"],
        id="next-unknown",
    ),
    pytest.param(
        TWO_QUESTIONS.replace(
            "        label: Never\n", "        label: Never\n        next: nowhere\n"
        ),
        ["18:15: next refers to unknown question 'nowhere'"],
        id="option-next-unknown",
    ),
    pytest.param(
        TWO_QUESTIONS.replace("        label: Never\n", "        label: Never\n    next: end\n"),
        ["19:9: question 'q2' can never be reached"],
        id="unreachable",
    ),
    pytest.param(
        TWO_QUESTIONS.replace("id: q2", "id: q1"),
        ["18:9: duplicate question id 'q1'"],
        id="duplicate-question-id",
    ),
    pytest.param(
        TWO_QUESTIONS.replace("    text: Why?\n", "    text: Why?\n    next: end\n").replace(
            "id: q2", "id: end"
        ),
        ["18:9: 'end' is reserved for the end of the flow"],
        id="id-end-reserved",
    ),
    pytest.param(
        """\
  - id: a
    type: free_text
    text: A
    next: b
  - id: b
    type: free_text
    text: B
    next: a
""",
        [
            "10:9: question 'a' is in a cycle that cannot end: no path from it reaches the end "
            "of the flow",
            "14:9: question 'b' is in a cycle that cannot end: no path from it reaches the end "
            "of the flow",
        ],
        id="cycle-that-cannot-end",
    ),
    pytest.param(
        """\
  - id: a
    type: multiple_choice
    text: A
    options:
      - {value: x, label: X, next: a}
      - {value: y, label: Y}
""",
        [
            "14:36: options of a multiple_choice question cannot branch; use `when` on a later "
            "question instead"
        ],
        id="option-next-on-multiple-choice",
    ),
]


@pytest.mark.parametrize(("questions", "expected"), REFERENCES_AND_GRAPH)
def test_reference_and_graph_errors(questions: str, expected: list[str]) -> None:
    assert problems(HEAD + questions) == expected


def test_a_cycle_that_can_end_is_accepted() -> None:
    flow = load_text(
        HEAD
        + """\
  - id: again
    type: yes_no
    text: Another go?
    options:
      - {value: "yes", label: "Yes", next: again}
      - {value: "no", label: "No"}
  - id: done
    type: info
    text: Bye
""",
        "survey.yaml",
    )
    assert [q.id for q in flow.questions] == ["again", "done"]


OPTIONS_AND_INDICATORS = [
    pytest.param(
        TWO_QUESTIONS.replace("value: never", "value: always"),
        ["16:16: option value 'always' is used twice in 'q1'"],
        id="option-value-twice",
    ),
    pytest.param(
        TWO_QUESTIONS.replace(
            "        label: Never\n", "        label: Never\n        synonyms: [not ever, always]\n"
        ),
        ["16:9: 'always' (en) names both 'always' and 'never'"],
        id="ambiguous-synonym",
    ),
    pytest.param(
        TWO_QUESTIONS.replace("label: Never", "label: Stop"),
        ["16:9: 'stop' (en) is also the STOP keyword, so nobody could give this answer"],
        id="label-is-a-command",
    ),
    pytest.param(
        """\
  - id: a
    type: single_choice
    text: A
    options:
      - {value: good, label: Good}
      - {value: bad, label: Bad}
    indicator:
      name: a
      positive: [good, great]
      negative: [bad, good]
""",
        [
            "16:5: ['good'] counted as both positive and negative",
            "18:24: 'great' is not an answer of 'a'",
        ],
        id="indicator-values",
    ),
    pytest.param(
        """\
  - id: a
    type: multiple_choice
    text: A
    options:
      - {value: x, label: X}
      - {value: y, label: Y}
    indicator: {name: b, positive: [x]}
""",
        ["16:5: an indicator needs one answer per person: not allowed on multiple_choice"],
        id="indicator-on-multiple-choice",
    ),
    pytest.param(
        "  - id: r\n    type: rating\n    text: R\n    min: 5\n    max: 5\n",
        ["14:10: a rating scale needs max above min, and at most 11 points"],
        id="rating-min-equals-max",
    ),
    pytest.param(
        "  - id: r\n    type: rating\n    text: R\n    min: 6\n    max: 5\n",
        ["14:10: a rating scale needs max above min, and at most 11 points"],
        id="rating-min-above-max",
    ),
    pytest.param(
        "  - id: r\n    type: rating\n    text: R\n    min: 0\n    max: 11\n",
        ["14:10: a rating scale needs max above min, and at most 11 points"],
        id="rating-twelve-points",
    ),
    pytest.param(
        """\
  - id: d
    type: fft
    indicator: {name: fft, positive: [very_good]}
    options:
      - {value: very_good, label: Very good}
      - {value: good, label: Good}
""",
        [
            "13:5: fft options must have exactly the values very_good, good, neither, poor, "
            "very_poor, dont_know, in order"
        ],
        id="fft-options-not-the-six",
    ),
]


@pytest.mark.parametrize(("questions", "expected"), OPTIONS_AND_INDICATORS)
def test_option_and_indicator_errors(questions: str, expected: list[str]) -> None:
    assert problems(HEAD + questions) == expected


CONDITION_FLOW = """\
  - id: a
    type: yes_no
    text: A
  - id: b
    type: free_text
    text: B
    when: {when}
"""

CONDITIONS = [
    ("a == 'yes' and", "16:11: bad condition at character 15: condition ends too soon"),
    ("a = 'yes'", "16:11: bad condition at character 3: unexpected character '='"),
    ("zz == 'yes'", "16:11: condition refers to unknown question 'zz'"),
    ("b == 'yes'", "16:11: condition refers to 'b', which is never asked before 'b'"),
    ("a == 'maybe'", "16:11: 'maybe' is not an option of 'a'"),
    ("a in ['yes', 'perhaps']", "16:11: 'perhaps' is not an option of 'a'"),
]


@pytest.mark.parametrize(("when", "expected"), CONDITIONS)
def test_condition_errors(when: str, expected: str) -> None:
    assert problems(HEAD + CONDITION_FLOW.replace("{when}", f'"{when}"')) == [expected]


def test_condition_on_a_later_question() -> None:
    source = HEAD + (
        "  - id: a\n    type: free_text\n    text: A\n    when: b == 'yes'\n"
        "  - id: b\n    type: yes_no\n    text: B\n"
    )
    assert problems(source) == ["13:11: condition refers to 'b', which is never asked before 'a'"]


def test_good_conditions_load() -> None:
    source = HEAD + CONDITION_FLOW.replace("{when}", "\"a == 'yes' or not answered(a)\"")
    assert load_text(source, "survey.yaml").questions[1].when == "a == 'yes' or not answered(a)"


PLACEHOLDERS = [
    ("Hi {x}", ["12:11: {x}: unknown placeholder; the flow's context declares nothing"]),
    ("You said {answer.q2}", ["12:11: {answer.q2}: 'q2' is never answered before 'q1'"]),
    ("You said {answer.zz}", ["12:11: {answer.zz}: no question 'zz' to take the answer from"]),
    (
        "You said {answer}",
        ["12:11: {answer}: say which question's answer, e.g. {answer.question_id}"],
    ),
    ("Stray } here", ["12:11: stray brace at character 7: write {{ or }} for a brace"]),
    ("{provider.__class__}", ["12:11: stray brace at character 1: write {{ or }} for a brace"]),
    ("Literal {{braces}} are fine", []),
]


@pytest.mark.parametrize(("text", "expected"), PLACEHOLDERS)
def test_placeholder_errors(text: str, expected: list[str]) -> None:
    source = HEAD + TWO_QUESTIONS.replace("text: How often?", f'text: "{text}"')
    if expected:
        assert problems(source) == expected
    else:
        load_text(source, "survey.yaml")


def test_placeholders_from_context_and_earlier_answers_load() -> None:
    source = HEAD.replace("questions:", "context:\n  provider: your provider\nquestions:")
    source += TWO_QUESTIONS.replace("text: Why?", 'text: "Why {answer.q1|that}, {provider}?"')
    flow = load_text(source, "survey.yaml")
    assert flow.context == {"provider": "your provider"}


WELSH = """\
id: demo
version: 1
title: Demo
languages: [cy]
messages:
  intro: Hello
  thanks: {en: Thanks, cy: Diolch}
  opt_out_footer: {en: Reply STOP, cy: Anfonwch STOP, fr: Arretez}
  safeguarding: {en: Call 999., cy: Ffoniwch 999.}
questions:
  - id: q1
    type: fft
"""


def test_missing_translations_in_a_two_language_flow() -> None:
    assert problems(WELSH) == [
        "1:1: no built-in HELP keywords in 'cy': give commands.help.cy",
        "1:1: no built-in RESTART keywords in 'cy': give commands.restart.cy",
        "1:1: no built-in SKIP keywords in 'cy': give commands.skip.cy",
        "1:1: no built-in STOP keywords in 'cy': give commands.stop.cy",
        "5:1: there is no built-in wording in 'cy': give messages reask_choice, reask_multiple, "
        "reask_yes_no, reask_number, reask_text, skip_refused, moving_on, help, restarted, "
        "reminder, expired, opted_out",
        "6:10: missing translation for 'cy'",  # a plain string
        "8:3: translation for 'fr', which is not one of the flow's languages",
        # the built-in FFT question and labels exist only in English and easy-read English
        "11:5: missing translation for 'cy' (in the built-in options: give your own)",
        "11:5: missing translation for 'cy' (in the built-in text: give your own)",
    ]


def test_dict_text_missing_one_language() -> None:
    source = HEAD.replace("title: Demo\n", "title: Demo\nlanguages: [en-easy]\n")
    source = source.replace("thanks: Thanks", "thanks: {en: Thanks, en-easy: Thank you}")
    source = source.replace("intro: Hello", "intro: {en: Hello}")
    source = source.replace(
        "opt_out_footer: Reply", "opt_out_footer: {en-easy: Send STOP, en: Reply"
    )
    source = source.replace("opt out.", "opt out.}").replace("Call 999.", "{en: 999, en-easy: 999}")
    source += "  - id: q1\n    type: yes_no\n    text: {en: OK?, en-easy: OK?}\n"
    assert problems(source) == ["6:3: missing translation for 'en-easy'"]


def test_several_problems_are_reported_at_once_sorted_by_position() -> None:
    source = (
        HEAD.replace("version: 1", "version: 1\nreminder_after: 9d")
        + TWO_QUESTIONS.replace("label: Never", "label: Stop")
        + "    next: q9\n"
        + "  - id: q1\n    type: info\n    text: Bye\n"
    )
    assert problems(source) == [
        "3:17: the reminder must come before the conversation expires",
        "17:9: 'stop' (en) is also the STOP keyword, so nobody could give this answer",
        "22:11: next refers to unknown question 'q9'",
        "23:9: duplicate question id 'q1'",
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            "expiry: 2d\nreminder_after: 48h",
            "5:17: the reminder must come before the conversation expires",
        ),
        (
            "expiry: 2d\nreminder_after: 3d",
            "5:17: the reminder must come before the conversation expires",
        ),
        ("start_keywords: [FEEDBACK, Help]", "4:28: 'Help' is also the HELP keyword"),
        ("start_keywords: [stop]", "4:18: 'stop' is also the STOP keyword"),
        ("languages: [en-easy, en-easy]", "4:22: language 'en-easy' is listed twice"),
    ],
)
def test_metadata_errors(change: str, expected: str) -> None:
    source = HEAD.replace("title: Demo\n", f"title: Demo\n{change}\n") + TWO_QUESTIONS
    found = problems(source)
    assert found[0] == expected
    if not change.startswith("languages"):
        assert found == [expected]


def test_reminder_before_expiry_loads() -> None:
    source = HEAD.replace("title: Demo\n", "title: Demo\nexpiry: 2d\nreminder_after: 36h\n")
    flow = load_text(source + TWO_QUESTIONS, "survey.yaml")
    assert (flow.expiry, flow.reminder_after) == (timedelta(days=2), timedelta(hours=36))


@pytest.mark.parametrize("flow_id", bundled_ids())
def test_every_bundled_flow_loads(flow_id: str) -> None:
    flow = load(flow_id)
    assert flow.id == flow_id
    assert resolve(flow_id).name == f"{flow_id}.yaml"


def test_the_bundled_flows_include_the_home_care_check_in() -> None:
    assert "homecare_monthly" in bundled_ids()
    flow = load("homecare_monthly")
    assert [q.id for q in flow.questions] == [
        "punctuality",
        "continuity",
        "attitude",
        "fft",
        "fft_why",
        "improve",
    ]


@pytest.mark.parametrize("name", ["no_such_flow", "library/homecare_monthly", ""])
def test_resolve_unknown_names(name: str) -> None:
    with pytest.raises(FlowNotFoundError, match="no flow file or bundled flow called"):
        resolve(name)
