"""Redaction: take personal details out of free text before it appears in a report.

Removes phone numbers (UK formats, +44), e-mail addresses, postcodes, street addresses, dates
(including dates of birth), NHS numbers and personal names (after a title, after a role such as
"my carer", or a given name from ``analysis/data/given_names.txt``).

A quote that cannot be made safe is not shown. The rule (``RedactionResult.safe``): a quote is
unsafe when it may disclose harm (safeguarding flag: it is held for triage, never published), or
when more than 40 % of its characters had to be removed (what is left is either
meaningless or identifying by context).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from analysis.datafiles import packaged_text
from analysis.safeguarding import check, english_words

MAX_REDACTED_SHARE = 0.4

_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_STREET_TYPES = (
    r"(?:road|rd|street|st|avenue|ave|lane|ln|close|drive|dr|way|crescent|cres|court|ct|place|"
    r"pl|grove|gardens|gdns|terrace|square|sq|hill|park|view|walk|mews|row|rise|parade|green)"
)
_TITLES = r"(?:mr|mrs|ms|miss|mx|dr|doctor|nurse|sister|prof|professor|sir|dame|lady|lord|rev)"
_ROLES = (
    r"(?:carer|care worker|careworker|nurse|doctor|gp|social worker|key worker|keyworker|"
    r"support worker|manager|driver|paramedic|physio|physiotherapist|therapist|consultant|"
    r"receptionist|coordinator|co-ordinator|cleaner|husband|wife|partner|son|daughter|mum|"
    r"dad|mother|father|brother|sister|friend|neighbour|neighbor|grandson|granddaughter)"
)
_NAME = r"[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?"

# Order matters only for overlaps: the earlier, longer span wins (see _resolve).
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("EMAIL", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("NHS NUMBER", re.compile(r"(?<![\d+])[1-9]\d{2}[ -]?\d{3}[ -]?\d{4}(?!\d)")),
    ("PHONE", re.compile(
        r"(?<![\w+])(?:(?:\+|00)\s?44\s?(?:\(0\)\s?)?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}(?!\d)"
    )),
    ("POSTCODE", re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s?\d[A-Z]{2}\b", re.IGNORECASE)),
    ("ADDRESS", re.compile(
        rf"\b(?:(?:flat|apartment|apt)\s+\d+[a-z]?,?\s+)?\d{{1,4}}[a-z]?,?\s+"
        rf"(?-i:(?:[A-Z][a-z]+\s+){{1,3}}){_STREET_TYPES}\b|"
        r"(?-i:\b(?:[A-Z][a-z]+\s+){1,2}(?:Road|Street|Avenue|Lane|Close|Drive|Crescent|Gardens|"
        r"Terrace|Grove|Mews|Way)\b)",
        re.IGNORECASE,
    )),
    ("DATE", re.compile(
        rf"\b\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?"
        rf"{_MONTHS},?\s+\d{{4}}\b|\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b",
        re.IGNORECASE,
    )),
)  # fmt: skip


@dataclass(frozen=True)
class Redaction:
    kind: str  # EMAIL, PHONE, NHS NUMBER, POSTCODE, ADDRESS, DATE, NAME
    start: int
    end: int
    original: str


@dataclass(frozen=True)
class RedactionResult:
    text: str
    safe: bool
    redactions: tuple[Redaction, ...]
    reason: str | None = None  # why the quote must not be shown, when not safe


@cache
def given_names() -> tuple[frozenset[str], frozenset[str]]:
    """(names, names that are also words) from the packaged list."""
    names: set[str] = set()
    ambiguous: set[str] = set()
    for line in packaged_text("given_names.txt").splitlines():
        entry = line.strip().lower()
        if not entry or entry.startswith("#"):
            continue
        name, _, marker = entry.partition(" ")
        (ambiguous if marker == "?" else names).add(name)
    return frozenset(names), frozenset(ambiguous)


def _name_spans(text: str) -> list[tuple[int, int]]:
    names, ambiguous = given_names()
    spans: list[tuple[int, int]] = []
    contextual = re.compile(
        rf"\b(?i:{_TITLES})\.?\s+({_NAME}(?:\s+{_NAME})?)|\b(?i:(?:my|our|the|his|her|their)\s+"
        rf"{_ROLES}(?:\s+(?:called|named|is|was))?)\s+({_NAME}(?:\s+{_NAME})?)|"
        rf"\b(?i:called|named|name is|name was)\s+({_NAME})"
    )
    for match in contextual.finditer(text):
        group = next(g for g in (1, 2, 3) if match.group(g))
        spans.append(match.span(group))
    # The surname is looked at, not consumed, so "and Priya" still reaches "Priya".
    for match in re.finditer(rf"\b([A-Za-z]+)\b(?=(\s+{_NAME})?)", text):
        word = match.group(1).lower()
        if word in names and (match.group(1)[0].isupper() or word not in ambiguous):
            # A following capitalised word is taken as the surname ("Sarah Jones").
            surname = match.group(2)
            end = (
                match.end(2)
                if surname and surname.strip().lower() not in names | ambiguous
                else match.end(1)
            )
            spans.append((match.start(1), end))
    return spans


@cache
def proper_nouns() -> frozenset[str]:
    """Words the packaged English lexicon knows only as proper nouns ("Tracy", "Leeds"), and
    never as ordinary lower-case words ("Mark" is also "mark")."""
    spec = find_spec("textblob")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    path = Path(next(iter(spec.submodule_search_locations))) / "en" / "en-lexicon.txt"
    proper: set[str] = set()
    common: set[str] = set()
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            word, *tags = line.split()
            if word[:1].islower():
                common.add(word)
            elif tags and all(tag.startswith("NNP") for tag in tags):
                proper.add(word.lower())
    return frozenset(proper - common - _NOT_NAMES)


# Capitalised words that are neither names nor places people could be identified by.
_NOT_NAMES = frozenset(
    {
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "january", "february", "march", "april", "may", "june", "july", "august", "september",
        "october", "november", "december", "christmas", "easter", "covid", "coronavirus",
        "corona", "english", "british", "welsh", "scottish", "irish",
    }
)  # fmt: skip


def _capitalised_unknown_spans(text: str) -> list[tuple[int, int]]:
    """Mid-sentence capitalised words that are proper nouns, or no English word at all, are
    taken as names. Over-redacting a place is harmless; leaving a carer's name in is not."""
    known, proper = english_words(), proper_nouns()
    spans = []
    for match in re.finditer(r"\b[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?\b", text):
        word = match.group(0).lower().replace("'", "")
        if word in _NOT_NAMES or re.search(r"(?:^|[.!?:;]\s*|\n)\W*$", text[: match.start()]):
            continue  # a sentence's first word is capitalised anyway
        if word in proper or (word not in known and word.rstrip("s") not in known):
            spans.append(match.span())
    return spans


def _resolve(spans: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Drop spans overlapping an earlier-starting (or, at the same start, longer) span."""
    chosen: list[tuple[str, int, int]] = []
    for kind, start, end in sorted(spans, key=lambda s: (s[1], -(s[2] - s[1]))):
        if chosen and start < chosen[-1][2]:
            continue
        chosen.append((kind, start, end))
    return chosen


def find(text: str) -> list[Redaction]:
    """Every personal detail found in ``text``, in order, without overlaps."""
    spans = [(kind, *m.span()) for kind, pattern in _PATTERNS for m in pattern.finditer(text)]
    spans.extend(("NAME", start, end) for start, end in _name_spans(text))
    spans.extend(("NAME", start, end) for start, end in _capitalised_unknown_spans(text))
    return [Redaction(k, s, e, text[s:e]) for k, s, e in _resolve(spans)]


def redact(text: str) -> RedactionResult:
    """``text`` with each detail replaced by ``[KIND]``, and whether the quote may be shown."""
    redactions = find(text)
    parts: list[str] = []
    last = 0
    for item in redactions:
        parts.extend([text[last : item.start], f"[{item.kind}]"])
        last = item.end
    parts.append(text[last:])
    removed = sum(r.end - r.start for r in redactions)
    reason = None
    if check(text).flagged:
        reason = "possible safeguarding disclosure: held for triage, never quoted"
    elif text.strip() and removed / len(text.strip()) > MAX_REDACTED_SHARE:
        reason = f"more than {MAX_REDACTED_SHARE:.0%} of the text is personal details"
    return RedactionResult("".join(parts), reason is None, tuple(redactions), reason)
