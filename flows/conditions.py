"""A small, safe expression language for ``when:`` conditions.

Written here rather than borrowed: it must evaluate nothing but comparisons of earlier answers, and
it must tell the loader which question ids it names so that mistakes are load errors. Grammar::

    expr     := and ("or" and)*
    and      := not ("and" not)*
    not      := "not" not | compare
    compare  := operand (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not" "in") operand)?
    operand  := NAME | STRING | NUMBER | "true" | "false" | "null" | "[" literals "]"
              | "answered" "(" NAME ")" | "(" expr ")"

A NAME is a question id and stands for that question's answer (``null`` if not answered). Comparing
values of different kinds is false rather than an error: people skip questions, and a condition on
a skipped question should simply not hold.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeAlias

from flows.errors import ConditionSyntaxError

AnswerValue: TypeAlias = str | int | float | bool | list[str] | None

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>-?\d+(?:\.\d+)?) |
        (?P<string>'[^']*'|"[^"]*") |
        (?P<op>==|!=|<=|>=|<|>|\(|\)|\[|\]|,) |
        (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)
_NUMERIC = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_KEYWORDS = {"and", "or", "not", "in", "true", "false", "null", "answered"}


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    offset: int


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(source):
        if source[position:].strip() == "":
            break
        match = _TOKEN.match(source, position)
        if match is None or match.end() == position:
            where = len(source) - len(source[position:].lstrip())
            raise ConditionSyntaxError(f"unexpected character {source[where]!r}", where)
        kind = match.lastgroup or "op"
        text = match.group(kind)
        offset = match.start(kind)
        if kind == "name" and text in _KEYWORDS:
            kind = "keyword"
        tokens.append(_Token(kind, text, offset))
        position = match.end()
    tokens.append(_Token("eof", "", len(source)))
    return tokens


# The syntax tree: small frozen nodes, each able to evaluate itself against answers.
@dataclass(frozen=True)
class Name:
    name: str
    offset: int


@dataclass(frozen=True)
class Literal:
    value: AnswerValue


@dataclass(frozen=True)
class Answered:
    name: Name


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class BoolOp:
    op: str
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Compare:
    op: str
    left: Node
    right: Node


Node: TypeAlias = Name | Literal | Answered | Not | BoolOp | Compare


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = _tokenize(source)
        self.index = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def take(self, text: str | None = None, kind: str | None = None) -> _Token | None:
        token = self.current
        if (text is None or token.text == text) and (kind is None or token.kind == kind):
            if token.kind == "eof":
                return None
            self.index += 1
            return token
        return None

    def expect(self, text: str) -> _Token:
        token = self.take(text)
        if token is None:
            found = self.current.text or "end of condition"
            raise ConditionSyntaxError(f"expected {text!r}, found {found!r}", self.current.offset)
        return token

    def parse(self) -> Node:
        node = self.expr()
        if self.current.kind != "eof":
            raise ConditionSyntaxError(f"unexpected {self.current.text!r}", self.current.offset)
        return node

    def expr(self) -> Node:
        return self._chain("or", self.conjunction)

    def conjunction(self) -> Node:
        return self._chain("and", self.negation)

    def _chain(self, op: str, part: Callable[[], Node]) -> Node:
        operands: list[Node] = [part()]
        while self.take(op, "keyword"):
            operands.append(part())
        return operands[0] if len(operands) == 1 else BoolOp(op, tuple(operands))

    def negation(self) -> Node:
        if self.current.text == "not" and self.tokens[self.index + 1].text != "in":
            self.index += 1
            return Not(self.negation())
        return self.compare()

    def compare(self) -> Node:
        left = self.operand()
        token = self.current
        if token.text in {"==", "!=", "<", "<=", ">", ">=", "in"}:
            self.index += 1
            return Compare(token.text, left, self.operand())
        if token.text == "not" and self.tokens[self.index + 1].text == "in":
            self.index += 2
            return Compare("not in", left, self.operand())
        return left

    def operand(self) -> Node:
        token = self.current
        if token.kind == "eof":
            raise ConditionSyntaxError("condition ends too soon", token.offset)
        self.index += 1
        if token.kind == "number":
            if len(token.text) > 30:
                raise ConditionSyntaxError("number too long", token.offset)
            return Literal(float(token.text) if "." in token.text else int(token.text))
        if token.kind == "string":
            return Literal(token.text[1:-1])
        if token.kind == "name":
            return Name(token.text, token.offset)
        if token.text in {"true", "false", "null"}:
            return Literal({"true": True, "false": False, "null": None}[token.text])
        if token.text == "answered":
            self.expect("(")
            name = self.take(kind="name")
            if name is None:
                raise ConditionSyntaxError("answered() takes a question id", self.current.offset)
            self.expect(")")
            return Answered(Name(name.text, name.offset))
        if token.text == "(":
            node = self.expr()
            self.expect(")")
            return node
        if token.text == "[":
            return self.literal_list()
        raise ConditionSyntaxError(f"unexpected {token.text!r}", token.offset)

    def literal_list(self) -> Node:
        items: list[str] = []
        while not self.take("]"):
            token = self.current
            if token.kind not in {"string", "number"}:
                raise ConditionSyntaxError("a list holds only strings and numbers", token.offset)
            self.index += 1
            items.append(token.text[1:-1] if token.kind == "string" else token.text)
            if not self.take(","):
                self.expect("]")
                break
        return Literal(items)


@dataclass(frozen=True)
class Condition:
    """A parsed ``when:`` condition."""

    source: str
    tree: Node

    def names(self) -> list[Name]:
        """Every question id the condition refers to, with its position."""
        found: list[Name] = []
        _walk_names(self.tree, found)
        return found

    def literals_compared_with(self) -> list[tuple[Name, AnswerValue]]:
        """(question, literal) pairs compared directly, so the loader can check option values."""
        pairs: list[tuple[Name, AnswerValue]] = []
        _walk_pairs(self.tree, pairs)
        return pairs

    def evaluate(self, answers: Mapping[str, AnswerValue]) -> bool:
        return bool(_evaluate(self.tree, answers))


def compile_condition(source: str) -> Condition:
    """Parse a condition; raises ``ConditionSyntaxError`` with the offending position."""
    return Condition(source, _Parser(source).parse())


def _walk_names(node: Node, found: list[Name]) -> None:
    match node:
        case Name():
            found.append(node)
        case Answered(name):
            found.append(name)
        case Not(operand):
            _walk_names(operand, found)
        case BoolOp(_, operands):
            for operand in operands:
                _walk_names(operand, found)
        case Compare(_, left, right):
            _walk_names(left, found)
            _walk_names(right, found)


def _walk_pairs(node: Node, pairs: list[tuple[Name, AnswerValue]]) -> None:
    match node:
        case Compare(_, Name() as name, Literal(value)) | Compare(
            _, Literal(value), Name() as name
        ):
            pairs.append((name, value))
        case Not(operand):
            _walk_pairs(operand, pairs)
        case BoolOp(_, operands):
            for operand in operands:
                _walk_pairs(operand, pairs)


def _evaluate(node: Node, answers: Mapping[str, AnswerValue]) -> AnswerValue:
    match node:
        case Name(name):
            return answers.get(name)
        case Literal(value):
            return value
        case Answered(Name(name)):
            return answers.get(name) is not None
        case Not(operand):
            return not _evaluate(operand, answers)
        case BoolOp("and", operands):
            return all(_evaluate(operand, answers) for operand in operands)
        case BoolOp(_, operands):
            return any(_evaluate(operand, answers) for operand in operands)
        case Compare(op, left, right):
            a, b = _evaluate(left, answers), _evaluate(right, answers)
            if (a is None or b is None) and not (_is_null(left) or _is_null(right)):
                return False  # an unanswered question satisfies no comparison, not even !=
            return _compare(op, a, b)
    raise AssertionError(f"unknown node {node!r}")  # pragma: no cover - the parser makes no other


def _is_null(node: Node) -> bool:
    return isinstance(node, Literal) and node.value is None


def _compare(op: str, left: AnswerValue, right: AnswerValue) -> bool:
    if op in {"in", "not in"}:
        found = _contains(left, right)
        return found if op == "in" else not found
    if op == "==":
        return _same(left, right)
    if op == "!=":
        return not _same(left, right)
    a, b = _as_number(left), _as_number(right)
    if a is None or b is None:
        return False
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def _same(left: AnswerValue, right: AnswerValue) -> bool:
    a, b = _as_number(left), _as_number(right)
    if a is not None and b is not None:
        return a == b
    if isinstance(left, bool) != isinstance(right, bool):
        return False  # true is not 1: different kinds are never equal
    return left == right


def _contains(left: AnswerValue, right: AnswerValue) -> bool:
    """``x in [..]``; with a multiple-choice answer on either side, any overlap counts."""
    if left is None or right is None:
        return False
    lefts = [str(v) for v in left] if isinstance(left, list) else [str(left)]
    rights = [str(v) for v in right] if isinstance(right, list) else [str(right)]
    return any(item in rights for item in lefts)


def _as_number(value: AnswerValue) -> int | float | None:
    """A number, or a string written as one (``"4"``, ``"-2.5"``; not ``"nan"`` or ``"1_0"``)."""
    if isinstance(value, bool) or value is None or isinstance(value, list):
        return None
    if isinstance(value, int | float):
        return value  # ints stay exact: a huge one must not overflow float()
    if _NUMERIC.fullmatch(value.strip()):
        return float(value)
    return None
