"""The safeguarding lexicon: its YAML schema (pydantic), validation and compiled form.

The lexicon is data a safeguarding lead can review line by line: categories of harm, each with
regular-expression rules written against normalised text (lower case, straight apostrophes,
common misspellings corrected). ``{name}`` inside a pattern expands to a shared macro, so word
lists such as "people who might cause harm" are written once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from analysis.datafiles import load_yaml_model, packaged_text, read_text_file
from analysis.errors import DataFileError

_MACRO = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


class Negation(StrEnum):
    """How a negation cue just before a match changes it."""

    FLAG = "flag"  # harm wording flags whether negated or not: recall first
    IGNORE = "ignore"  # "not neglected" is not a disclosure
    REQUIRE = "require"  # safety wording flags only when negated: "I don't feel safe"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleSpec(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_.-]*$")
    pattern: str = Field(min_length=1)
    negation: Negation = Negation.FLAG
    unless: tuple[str, ...] = ()


class CategorySpec(_Strict):
    label: str = Field(min_length=1)
    rules: tuple[RuleSpec, ...] = Field(min_length=1)


class NegationSpec(_Strict):
    cues: tuple[str, ...] = Field(min_length=1)
    window: int = Field(ge=1, le=10)
    bridge: tuple[str, ...] = ()
    breaks: str


class FuzzySpec(_Strict):
    min_length: int = Field(ge=4)
    terms: tuple[str, ...]
    protected: tuple[str, ...] = ()


class LexiconSpec(_Strict):
    version: int = Field(ge=1)
    negation: NegationSpec
    corrections: dict[str, str] = {}
    fuzzy: FuzzySpec
    macros: dict[str, str] = {}
    # Wording that says a harm was dealt with ("it turned out", "they apologised"): with the
    # contextual model in use, rule hits in such a text are left to the model to judge.
    resolved: tuple[str, ...] = ()
    categories: dict[str, CategorySpec] = Field(min_length=1)

    @field_validator("categories")
    @classmethod
    def _category_names(cls, value: dict[str, CategorySpec]) -> dict[str, CategorySpec]:
        for name in value:
            if not re.fullmatch(r"[a-z][a-z_]*", name):
                raise ValueError(f"category name {name!r} must be lower_snake_case")
        return value

    @model_validator(mode="after")
    def _unique_rule_ids(self) -> LexiconSpec:
        seen: set[str] = set()
        for category in self.categories.values():
            for rule in category.rules:
                if rule.id in seen:
                    raise ValueError(f"rule id {rule.id!r} is used twice")
                seen.add(rule.id)
        return self


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    pattern: re.Pattern[str]
    negation: Negation
    unless: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class Lexicon:
    """A validated, compiled lexicon ready for matching."""

    version: int
    labels: dict[str, str]
    rules: tuple[Rule, ...]
    negation_cues: frozenset[str]
    negation_window: int
    negation_bridge: frozenset[str]
    clause_breaks: re.Pattern[str]
    corrections: dict[str, str]
    fuzzy: FuzzySpec
    resolved: tuple[re.Pattern[str], ...] = ()


def _expand(pattern: str, macros: dict[str, str], where: str) -> str:
    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in macros:
            raise DataFileError(where, f"unknown macro {{{name}}}")
        return macros[name]

    # Macros may use other macros, so expand until nothing changes (bounded: no cycles).
    for _ in range(5):
        expanded = _MACRO.sub(substitute, pattern)
        if expanded == pattern:
            return expanded
        pattern = expanded
    raise DataFileError(where, "macros nest too deeply (a cycle?)")


def _compile(pattern: str, source: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise DataFileError(source, f"{where}: invalid regular expression ({exc})") from exc


def compile_lexicon(spec: LexiconSpec, source: str) -> Lexicon:
    rules: list[Rule] = []
    for name, category in spec.categories.items():
        for rule in category.rules:
            where = f"categories.{name}.rules[{rule.id}]"
            pattern = _expand(rule.pattern, spec.macros, f"{source}: {where}")
            unless = tuple(_compile(u, source, f"{where}.unless") for u in rule.unless)
            compiled = _compile(pattern, source, f"{where}.pattern")
            rules.append(Rule(rule.id, name, compiled, rule.negation, unless))
    return Lexicon(
        version=spec.version,
        labels={name: category.label for name, category in spec.categories.items()},
        rules=tuple(rules),
        negation_cues=frozenset(spec.negation.cues),
        negation_window=spec.negation.window,
        negation_bridge=frozenset(spec.negation.bridge),
        clause_breaks=_compile(spec.negation.breaks, source, "negation.breaks"),
        corrections=dict(spec.corrections),
        fuzzy=spec.fuzzy,
        resolved=tuple(_compile(r, source, "resolved") for r in spec.resolved),
    )


def parse_lexicon(text: str, source: str) -> Lexicon:
    return compile_lexicon(load_yaml_model(LexiconSpec, text, source), source)


def load_lexicon(path: Path | None = None) -> Lexicon:
    """The packaged lexicon, or a reviewed replacement file (validated, errors name the file)."""
    if path is None:
        return parse_lexicon(packaged_text("safeguarding.yaml"), "analysis/data/safeguarding.yaml")
    return parse_lexicon(read_text_file(path), str(path))
