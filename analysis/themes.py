"""Themes: tag a comment with the subjects contract reviews discuss (multi-label).

Themes live in ``analysis/data/themes.yaml`` — keywords, phrases and exclusions per theme — so a
commissioner can read them and extend them with a file of their own, validated when loaded.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from analysis.datafiles import load_yaml_model, packaged_text, read_text_file
from analysis.errors import DataFileError
from analysis.textnorm import normalise


class ThemeSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = Field(min_length=1)
    keywords: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    exclusions: tuple[str, ...] = ()

    @field_validator("keywords")
    @classmethod
    def _single_words(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for keyword in value:
            if not re.fullmatch(r"[a-z0-9-]+\*?", keyword):
                raise ValueError(
                    f"keyword {keyword!r}: one lower-case word, optionally ending in *"
                )
        return value

    @field_validator("phrases", "exclusions")
    @classmethod
    def _phrases(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for phrase in value:
            if not re.fullmatch(r"[a-z0-9'*-]+(?: [a-z0-9'*-]+)*", phrase):
                raise ValueError(f"phrase {phrase!r}: lower-case words separated by single spaces")
        return value


class ThemeFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    themes: dict[str, ThemeSpec] = Field(min_length=1)

    @field_validator("themes")
    @classmethod
    def _ids(cls, value: dict[str, ThemeSpec]) -> dict[str, ThemeSpec]:
        for theme_id, spec in value.items():
            if not re.fullmatch(r"[a-z][a-z0-9_]*", theme_id):
                raise ValueError(f"theme id {theme_id!r} must be lower_snake_case")
            if not spec.keywords and not spec.phrases:
                raise ValueError(f"theme {theme_id!r} has no keywords or phrases")
        return value


@dataclass(frozen=True)
class Theme:
    id: str
    label: str
    pattern: re.Pattern[str]
    exclusion: re.Pattern[str] | None


@dataclass(frozen=True)
class ThemeMatch:
    theme: str
    label: str
    evidence: tuple[str, ...]  # the person's words that matched


def _term(term: str) -> str:
    words = [re.escape(w.replace("'", "")).replace(r"\*", r"[a-z0-9]*") for w in term.split()]
    return r"\b" + r"\s+".join(words) + r"\b"


def _alternation(terms: Sequence[str]) -> re.Pattern[str] | None:
    if not terms:
        return None
    # Longest first, so "on time" wins over a shorter overlapping term.
    return re.compile("|".join(_term(t) for t in sorted(set(terms), key=len, reverse=True)))


def _compile(theme_id: str, spec: ThemeSpec) -> Theme:
    pattern = _alternation([*spec.keywords, *spec.phrases])
    assert pattern is not None  # the validator refuses a theme without terms
    return Theme(theme_id, spec.label, pattern, _alternation(spec.exclusions))


def _merge(base: dict[str, ThemeSpec], extra: dict[str, ThemeSpec]) -> dict[str, ThemeSpec]:
    merged = dict(base)
    for theme_id, spec in extra.items():
        old = merged.get(theme_id)
        merged[theme_id] = spec if old is None else ThemeSpec(
            label=spec.label,
            keywords=old.keywords + spec.keywords,
            phrases=old.phrases + spec.phrases,
            exclusions=old.exclusions + spec.exclusions,
        )  # fmt: skip
    return merged


def _parse(path: Path | None) -> ThemeFile:
    if path is None:
        return load_yaml_model(ThemeFile, packaged_text("themes.yaml"), "analysis/data/themes.yaml")
    return load_yaml_model(ThemeFile, read_text_file(path), str(path))


def load_themes(extension: Path | None = None, replace: bool = False) -> tuple[Theme, ...]:
    """The packaged themes, extended by ``extension`` (or replaced by it when ``replace``)."""
    if replace and extension is None:
        raise DataFileError("themes", "replace=True needs a themes file")
    specs = {} if replace else dict(_parse(None).themes)
    if extension is not None:
        specs = _merge(specs, dict(_parse(extension).themes))
    return tuple(_compile(theme_id, spec) for theme_id, spec in specs.items())


@cache
def default_themes() -> tuple[Theme, ...]:
    return load_themes()


def _matches(theme: Theme, text: str) -> list[re.Match[str]]:
    excluded = [m.span() for m in theme.exclusion.finditer(text)] if theme.exclusion else []
    return [
        m
        for m in theme.pattern.finditer(text)
        if not any(start <= m.start() and m.end() <= end for start, end in excluded)
    ]


def match_themes(text: str, themes: Sequence[Theme] | None = None) -> tuple[ThemeMatch, ...]:
    """Every theme the text touches, in the file's order, with the words that matched."""
    norm = normalise(text)
    found: list[ThemeMatch] = []
    for theme in themes if themes is not None else default_themes():
        spans = [norm.span(*m.span()) for m in _matches(theme, norm.text)]
        if spans:
            evidence = tuple(dict.fromkeys(text[a:b] for a, b in spans))
            found.append(ThemeMatch(theme.id, theme.label, evidence))
    return tuple(found)


def tag(text: str, themes: Sequence[Theme] | None = None) -> tuple[str, ...]:
    """The ids of the themes ``text`` touches, e.g. ``("punctuality", "continuity")``."""
    return tuple(match.theme for match in match_themes(text, themes))
