"""The ``when:`` expression language: grammar, evaluation, names, syntax errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.conditions import BoolOp, Compare, Literal, Name, Not, compile_condition
from flows.errors import ConditionSyntaxError


def holds(source: str, **answers: object) -> bool:
    return compile_condition(source).evaluate(answers)  # type: ignore[arg-type]


GRAMMAR = [
    # precedence: not binds tighter than and, and tighter than or
    ("a == 'x' or b == 'y' and c == 'z'", {"a": "x"}, True),
    ("a == 'x' or b == 'y' and c == 'z'", {"b": "y"}, False),
    ("a == 'x' or b == 'y' and c == 'z'", {"b": "y", "c": "z"}, True),
    ("(a == 'x' or b == 'y') and c == 'z'", {"a": "x"}, False),
    ("(a == 'x' or b == 'y') and c == 'z'", {"a": "x", "c": "z"}, True),
    ("not a == 'x' and b == 'y'", {"a": "q", "b": "y"}, True),
    ("not a == 'x' and b == 'y'", {"a": "x", "b": "y"}, False),
    ("not (a == 'x' and b == 'y')", {"a": "x", "b": "q"}, True),
    ("not not a == 'x'", {"a": "x"}, True),
    ("not a in ['x']", {"a": "x"}, False),
    ("a or b", {"b": "y"}, True),
    # in / not in, lists
    ("a in ['x', 'y']", {"a": "y"}, True),
    ("a in ['x', 'y']", {"a": "z"}, False),
    ("a not in ['x', 'y']", {"a": "z"}, True),
    ("a not in ['x', 'y']", {"a": "x"}, False),
    ("a in []", {"a": "x"}, False),
    ("a in [1, 2]", {"a": 2}, True),
    ("a in [1, 2]", {"a": 3}, False),
    ("a in [1.5]", {"a": 1.5}, True),
    ("a in 'xy'", {"a": "x"}, False),  # a string is one value, not a set of characters
    # numbers
    ("a > 3", {"a": 4}, True),
    ("a > 3", {"a": 3}, False),
    ("a >= 3", {"a": 3}, True),
    ("a < 3", {"a": 2}, True),
    ("a <= 2.5", {"a": 2}, True),
    ("a >= -1", {"a": -1}, True),
    ("a == 3", {"a": "3"}, True),
    ("a == 3", {"a": 3.0}, True),
    ("a > 3", {"a": "4"}, True),
    ("a != 3", {"a": 4}, True),
    # strings in both quotes
    ("a == 'x'", {"a": "x"}, True),
    ('a == "x"', {"a": "x"}, True),
    ('a == "it\'s"', {"a": "it's"}, True),
    ("a == 'say \"hi\"'", {"a": 'say "hi"'}, True),
    ("a == 'é'", {"a": "é"}, True),
    ("a != 'x'", {"a": "y"}, True),
    ("a != 'x'", {"a": "x"}, False),
    # true / false / null
    ("true", {}, True),
    ("false", {}, False),
    ("a == true", {"a": True}, True),
    ("a == false", {"a": True}, False),
    ("a == null", {}, True),
    ("a == null", {"a": "x"}, False),
    ("a != null", {"a": "x"}, True),
    ("a != null", {}, False),
    # answered(q)
    ("answered(a)", {"a": "x"}, True),
    ("answered(a)", {"a": None}, False),
    ("answered(a)", {}, False),
    ("answered(a) and not answered(b)", {"a": "1"}, True),
    ("answered( a )", {"a": 0}, True),
]


@pytest.mark.parametrize(("source", "answers", "expected"), GRAMMAR)
def test_grammar(source: str, answers: dict[str, object], expected: bool) -> None:
    assert holds(source, **answers) is expected


def test_tree_shows_precedence() -> None:
    tree = compile_condition("not a == 'x' or b in [1, 'y'] and c").tree
    assert tree == BoolOp(
        "or",
        (
            Not(Compare("==", Name("a", 4), Literal("x"))),
            BoolOp("and", (Compare("in", Name("b", 16), Literal(["1", "y"])), Name("c", 34))),
        ),
    )


SEMANTICS = [
    # an unanswered question satisfies no comparison — not even != or not in
    ("a == 'x'", {}, False),
    ("a != 'x'", {}, False),
    ("a != 'x'", {"a": None}, False),
    ("a < 3", {}, False),
    ("a >= 3", {}, False),
    ("a in ['x']", {}, False),
    ("a not in ['x']", {}, False),
    ("'x' in a", {}, False),
    ("a == b", {}, False),
    ("a != b", {"a": "x"}, False),
    ("not a == 'x'", {}, True),  # explicit negation of a comparison that does not hold
    # comparing different kinds is false, not an error
    ("a > 3", {"a": "four"}, False),
    ("a < 3", {"a": "four"}, False),
    ("a > 3", {"a": ["4"]}, False),
    ("a > 'b'", {"a": "c"}, False),
    ("a == 1", {"a": True}, False),
    ("a == true", {"a": 1}, False),
    ("a == 'x'", {"a": ["x"]}, False),
    ("a > 1", {"a": "nan"}, False),
    ("a > 1", {"a": "inf"}, False),
    ("a == 10", {"a": "1_0"}, False),
    ("a == 'nan'", {"a": "nan"}, True),  # "nan" is a word here (a grandmother), not a number
    ("a == 'inf'", {"a": "infinity"}, False),
    ("a > 1", {"a": 10**400}, True),
    # multiple-choice answers: `in` means any overlap
    ("a in ['x']", {"a": ["x", "y"]}, True),
    ("a in ['x', 'z']", {"a": ["y", "z"]}, True),
    ("a in ['x']", {"a": ["y"]}, False),
    ("a in ['x']", {"a": []}, False),
    ("a not in ['x']", {"a": ["y", "z"]}, True),
    ("a not in ['x']", {"a": ["x", "y"]}, False),
    ("'x' in a", {"a": ["x", "y"]}, True),
    ("'q' in a", {"a": ["x", "y"]}, False),
]


@pytest.mark.parametrize(("source", "answers", "expected"), SEMANTICS)
def test_semantics(source: str, answers: dict[str, object], expected: bool) -> None:
    assert holds(source, **answers) is expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("true", []),
        ("a == 'x'", [("a", 0)]),
        ("  a == b", [("a", 2), ("b", 7)]),
        ("answered(q1) and not q2 in ['x'] or (q3 > 2)", [("q1", 9), ("q2", 21), ("q3", 37)]),
        ("q1 == 1 or q1 == 2", [("q1", 0), ("q1", 11)]),
    ],
)
def test_names(source: str, expected: list[tuple[str, int]]) -> None:
    assert [(n.name, n.offset) for n in compile_condition(source).names()] == expected


def test_literals_compared_with() -> None:
    condition = compile_condition("a == 'x' or 'y' != b and not c in ['p', 2] or d > e")
    pairs = [(name.name, value) for name, value in condition.literals_compared_with()]
    assert pairs == [("a", "x"), ("b", "y"), ("c", ["p", "2"])]


SYNTAX_ERRORS = [
    ("", "condition ends too soon", 0),
    ("   ", "condition ends too soon", 3),
    ("a ==", "condition ends too soon", 4),
    ("not", "condition ends too soon", 3),
    ("a == 'x", 'unexpected character "\'"', 5),
    ("(a == 'x'", "expected ')', found 'end of condition'", 9),
    ("a == 'x')", "unexpected ')'", 8),
    ("a = 'x'", "unexpected character '='", 2),
    ("a === b", "unexpected character '='", 4),
    ("a ==== b", "unexpected '=='", 4),
    ("a == @", "unexpected character '@'", 5),
    ("answered(1)", "answered() takes a question id", 9),
    ("answered a", "expected '(', found 'a'", 9),
    ("answered(a", "expected ')', found 'end of condition'", 10),
    ("a in [b]", "a list holds only strings and numbers", 6),
    ("a in [1 2]", "expected ']', found '2'", 8),
    ("a in [1,", "a list holds only strings and numbers", 8),
    ("a and or b", "unexpected 'or'", 6),
    ("a == 'x' b", "unexpected 'b'", 9),
    ("a == 1.2.3", "unexpected character '.'", 8),
    ("a.b == 1", "unexpected character '.'", 1),
    ("é == 'x'", "unexpected character 'é'", 0),
    ("a == " + "9" * 40, "number too long", 5),
    ("a && b", "unexpected character '&'", 2),
    ("__import__('os')", "unexpected '('", 10),
]


@pytest.mark.parametrize(("source", "message", "offset"), SYNTAX_ERRORS)
def test_syntax_errors(source: str, message: str, offset: int) -> None:
    with pytest.raises(ConditionSyntaxError) as caught:
        compile_condition(source)
    assert (str(caught.value), caught.value.offset) == (message, offset)


ANSWERS = st.one_of(
    st.none(),
    st.text(max_size=10),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.lists(st.text(max_size=5), max_size=3),
)
SOURCES = st.one_of(
    st.text(max_size=40),
    st.lists(
        st.sampled_from(
            [
                *["a", "b", "==", "!=", "<", ">=", "in", "not", "and", "or", "(", ")", "[", "]"],
                *[",", "'x'", '"y"', "1", "-2.5", "true", "null", "answered", "@", "'", "9" * 50],
            ]
        ),
        max_size=12,
    ).map(" ".join),
)


@settings(max_examples=300, deadline=None)
@given(source=SOURCES)
def test_any_text_compiles_or_raises_a_syntax_error(source: str) -> None:
    offset: int | None = None
    try:
        condition = compile_condition(source)
    except ConditionSyntaxError as error:
        offset = error.offset
    else:
        assert condition.source == source
    assert offset is None or 0 <= offset <= len(source)


@settings(max_examples=300, deadline=None)
@given(
    source=st.sampled_from([s for s, _, _ in GRAMMAR + SEMANTICS]),
    answers=st.dictionaries(st.sampled_from(["a", "b", "c"]), ANSWERS, max_size=3),
)
def test_compiled_conditions_never_raise(source: str, answers: dict[str, object]) -> None:
    assert holds(source, **answers) in {True, False}
