"""Safeguarding: flag possible disclosures of harm in free text, rule-first and recall-first.

A reviewed YAML lexicon (``analysis/data/safeguarding.yaml``) lists patterns per category of
harm. Text is normalised (lower case, apostrophes dropped, misspellings corrected) and every rule
is tried; negation is handled per rule: "I feel safe" is not a flag, "I don't feel safe" is.
A flag is a prompt for a named person to triage, never a finding, so the rules err towards
flagging. Evidence quotes the person's own words so the triager sees why.

Beside the rules sits a contextual sentence model (``analysis.contextual``): it reads
disclosures that no list of words can ("he keeps my bank card to help me, then I never see
the change"). A text is flagged when the rules fire OR the model's score reaches its recall
threshold. The result says which layer raised it and the model's score, and puts it in a band:
*likely disclosure* (a rule fired, or the score is high) above *possible concern* (the score
reached the recall threshold only). The rules stay the explainable layer: their evidence
words are shown first in triage.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Literal

from rapidfuzz import process
from rapidfuzz.distance import OSA

from analysis.lexicon import Lexicon, Negation, Rule, load_lexicon
from analysis.memory import give_back_freed_memory
from analysis.textnorm import NormalText, normalise

_WORD = re.compile(r"[a-z0-9]+")
_SENTENCE_BREAK = re.compile(r"[.!?\n]")


@dataclass(frozen=True)
class Evidence:
    """One rule that fired: where, in the original text, and which words."""

    category: str
    rule: str
    start: int
    end: int
    text: str


Layer = Literal["rules", "model", "both", ""]
Band = Literal["likely", "possible", ""]
MODE_VAR = "CAREVOICE_SAFEGUARDING_MODEL"
DEFAULT_MODE = "recall"
# "likely" (default): the model flags on its own only at the high "likely" threshold, where
# its held-out false alarms on hard negatives are few. "recall": also at the recall threshold
# ("possible concern"), which catches ~97 % of held-out training disclosures but flagged about
# a quarter of the held-out hard negatives (12 % of the validation ones). "off": the rules alone.
MODES = ("likely", "recall", "off")


def model_mode() -> str:
    # Recall first: a missed disclosure is the worst failure (DOMAIN.md); what only the model
    # raises below its high threshold is shown as a "possible concern" for triage to weigh.
    value = os.environ.get(MODE_VAR, DEFAULT_MODE).strip().lower() or DEFAULT_MODE
    if value not in MODES:
        raise ValueError(f"{MODE_VAR}={value!r}: expected one of {', '.join(MODES)}")
    return value


# The category of a flag that only the model raised: no rule says which kind of harm it is.
MODEL_CATEGORY = "contextual"
MODEL_LABEL = "Possible disclosure read in context (no listed words)"


@dataclass(frozen=True)
class SafeguardingResult:
    flagged: bool
    categories: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    layer: Layer = ""  # which layer raised the flag ("" when not flagged)
    model_score: float | None = None  # the model's probability of a disclosure, when it ran
    band: Band = ""  # "likely" (rule hit or high score) above "possible" (recall threshold)

    @property
    def category(self) -> str:
        """The categories as one ``;``-separated string (empty when not flagged), for CSVs."""
        return ";".join(self.categories)


@cache
def default_lexicon() -> Lexicon:
    return load_lexicon()


def load(path: Path | None = None) -> Lexicon:
    """A lexicon from a reviewed file, or the packaged one when ``path`` is None."""
    return default_lexicon() if path is None else load_lexicon(path)


class WordSet:
    """A large set of words in a tenth of a frozenset's memory: their hashes, sorted (80,000
    words: 0.6 MB instead of 9 MB of every process). A false "known" needs two of those words'
    64-bit hashes to collide with this one's, and only ever means one typo is left uncorrected."""

    def __init__(self, words: Iterable[str]) -> None:
        import numpy as np

        self._hashes = np.unique(np.fromiter((hash(w) for w in words), dtype=np.int64))

    def __contains__(self, word: object) -> bool:
        key = hash(word)
        at = int(self._hashes.searchsorted(key))
        return at < len(self._hashes) and int(self._hashes[at]) == key

    def __len__(self) -> int:
        return len(self._hashes)


@cache
def english_words() -> WordSet:
    """Known English words, so that fuzzy matching never "corrects" a real word ("started" is
    not "starved"). TextBlob (a runtime dependency) ships a tagger lexicon of ~80,000 words; it is
    read as a plain file, without importing TextBlob, whose import costs a second.
    """
    spec = find_spec("textblob")
    if spec is None or not spec.submodule_search_locations:
        return WordSet(())  # no word list: correct more eagerly, which only adds flags
    folder = Path(next(iter(spec.submodule_search_locations))) / "en"

    def words() -> Iterator[str]:  # one at a time: a set of them all would be 20 MB at its peak
        for name in ("en-lexicon.txt", "en-spelling.txt"):
            with (folder / name).open(encoding="utf-8") as handle:
                for line in handle:
                    if line.strip() and not line.startswith(";"):
                        yield line.split(maxsplit=1)[0].lower().replace("'", "")

    return WordSet(words())


def _corrector(lexicon: Lexicon) -> Callable[[str], str | None]:
    """Read a long non-word within one edit of a lexicon term as that term ("frightend")."""
    terms = tuple(sorted(set(lexicon.fuzzy.terms)))
    ours, english = frozenset(terms) | frozenset(lexicon.fuzzy.protected), english_words()

    @lru_cache(maxsize=20_000)
    def correct(word: str) -> str | None:
        if len(word) < lexicon.fuzzy.min_length or word in ours or word in english:
            return None
        best = process.extractOne(word, terms, scorer=OSA.distance, score_cutoff=1)
        return None if best is None else str(best[0])

    return correct


_CORRECTORS: dict[int, Callable[[str], str | None]] = {}


def _normalise(text: str, lexicon: Lexicon) -> NormalText:
    correct = _CORRECTORS.get(id(lexicon))
    if correct is None:
        correct = _CORRECTORS[id(lexicon)] = _corrector(lexicon)
        give_back_freed_memory()
    return normalise(text, lexicon.corrections, correct)


def _negated(text: str, start: int, lexicon: Lexicon) -> bool:
    """Is there a negation cue before ``start`` in the same clause, bridged only by filler?"""
    clause_start = 0
    for match in lexicon.clause_breaks.finditer(text, 0, start):
        clause_start = match.end()
    words = _WORD.findall(text[clause_start:start])[-lexicon.negation_window :]
    for index in range(len(words) - 1, -1, -1):
        word = words[index]
        pair = f"{words[index - 1]} {word}" if index else ""
        if word in lexicon.negation_cues or pair in lexicon.negation_cues:
            return True
        if word not in lexicon.negation_bridge:
            return False
    return False


# With the contextual model beside them, a harm word the writer denies ("nobody has ever hit
# me", "no carer has touched me") is left to the model, which reads the whole sentence; the
# rules alone flag such denials (recall first), which made them the commonest false alarm on
# the training hard negatives. Cues and bridge words beyond the lexicon's own negation.
_DENIAL_CUES = frozenset(
    {"no", "nobody", "noone", "no1", "none", "nothing", "nowt", "not", "never"}
)
_DENIAL_BRIDGE = frozenset({
    "one", "ones", "body", "carer", "carers", "staff", "family", "anyone", "anybody", "someone",
    "person", "people", "of", "them", "here", "at", "in", "school", "home", "there", "ever",
    "once", "has", "have", "had", "been", "is", "was", "are", "were", "any", "sign", "signs",
    "concerns", "about", "seen", "witnessed", "known",
})  # fmt: skip


def _denied(text: str, start: int, lexicon: Lexicon) -> bool:
    if _negated(text, start, lexicon):
        return True
    clause_start = 0
    for match in lexicon.clause_breaks.finditer(text, 0, start):
        clause_start = match.end()
    words = _WORD.findall(text[clause_start:start])[-(lexicon.negation_window + 2) :]
    bridge = lexicon.negation_bridge | _DENIAL_BRIDGE
    for word in reversed(words):
        if word in _DENIAL_CUES:
            return True
        if word not in bridge:
            return False
    return False


def _sentence(text: str, start: int, end: int) -> str:
    left = max((m.end() for m in _SENTENCE_BREAK.finditer(text, 0, start)), default=0)
    right_match = _SENTENCE_BREAK.search(text, end)
    return text[left : right_match.start() if right_match else len(text)]


def _fires(
    rule: Rule, norm: str, match: re.Match[str], lexicon: Lexicon, defer_denials: bool
) -> bool:
    if rule.unless:
        sentence = _sentence(norm, match.start(), match.end())
        if any(u.search(sentence) for u in rule.unless):
            return False
    if rule.negation is Negation.FLAG:
        return not (defer_denials and _denied(norm, match.start(), lexicon))
    if rule.negation is Negation.IGNORE and defer_denials:
        return not _denied(norm, match.start(), lexicon)
    negated = _negated(norm, match.start(), lexicon)
    return negated if rule.negation is Negation.REQUIRE else not negated


def _evidence(norm: NormalText, rule: Rule, match: re.Match[str]) -> Evidence:
    start, end = norm.span(match.start(), match.end())
    return Evidence(rule.category, rule.id, start, end, norm.original[start:end])


def check_rules(
    text: str, lexicon: Lexicon | None = None, *, defer_denials: bool = False
) -> SafeguardingResult:
    """Flag ``text`` if any rule of the lexicon fires; categories follow the lexicon's order.
    ``defer_denials``: a denied harm word does not fire (the model reads it instead)."""
    lex = lexicon or default_lexicon()
    norm = _normalise(text, lex)
    if defer_denials and any(r.search(norm.text) for r in lex.resolved):
        return SafeguardingResult(False, (), ())  # said to be dealt with: the model judges
    found: list[Evidence] = []
    for rule in lex.rules:
        for match in rule.pattern.finditer(norm.text):
            if _fires(rule, norm.text, match, lex, defer_denials):
                found.append(_evidence(norm, rule, match))
    hit = {e.category for e in found}
    categories = tuple(name for name in lex.labels if name in hit)
    if not found:
        return SafeguardingResult(False, (), ())
    return SafeguardingResult(True, categories, tuple(found), "rules", None, "likely")


def combine(
    rules: SafeguardingResult, score: float, possible: float, likely: float, veto: float = 0.0,
    context_score: float | None = None, *, alone: bool = True,
) -> SafeguardingResult:  # fmt: skip
    """Rules OR model: the layer that raised the flag, the score, and the band. A rule hit
    that the model scores below ``veto`` (a near-certain "benign": "the bruise is from her
    warfarin, they log it") is left to the model, as denials are; see ``SafeguardingHead``.
    ``context_score``: the model's score of the sentences the rule fired in; the veto needs
    both to be near-certain, because praise around a disclosure lowers the whole text's score
    ("The garden was nice. … he hits me.") while the disclosure's own sentence stays clear.
    ``alone=False``: the model may not flag this text on its own (``ROUTINE_REPLIES``)."""
    by_model = alone and score >= possible
    kept = score >= veto or (context_score is not None and context_score >= veto)
    if rules.flagged and kept:
        layer: Layer = "both" if by_model else "rules"
        return SafeguardingResult(True, rules.categories, rules.evidence, layer, score, "likely")
    if not by_model:
        return SafeguardingResult(False, (), (), "", score, "")
    band: Band = "likely" if score >= likely else "possible"
    return SafeguardingResult(True, (MODEL_CATEGORY,), (), "model", score, band)


def check(
    text: str, lexicon: Lexicon | None = None, *, use_model: bool = True, answer: bool = False
) -> SafeguardingResult:
    """Rules OR the contextual model (``use_model=False`` or ``CAREVOICE_SAFEGUARDING_MODEL=off``:
    the rules alone); how readily the model flags on its own follows that variable. ``answer``:
    the text is, word for word, an option of the question it answers ("usually", "pain"), which
    the model alone does not flag (as ``ROUTINE_REPLIES``); the rules still read it."""
    return check_many([text], lexicon, use_model=use_model, answers=[answer])[0]


# Whole-message replies that are commands to a survey or a carrier (STOP, HELP, SKIP…) or the
# everyday "don't know" answers to a question. The model's score of a word or two out of any
# context is noise ("quit" 0.98, "stop" 0.45, "not sure" 0.03 with the b3 model, against a
# recall threshold of 0.10): alone it never flags one of these, so a STOP is never taken for a
# cry for help and an unsure answer raises no flag. The rules still read them, and a short
# message that is not one of these ("im scared", "stop it", "please help") is read by the model
# as any other.
ROUTINE_REPLIES = frozenset({
    "stop", "stop all", "stopall", "unsubscribe", "cancel", "end", "quit", "start", "unstop",
    "help", "info", "skip", "restart", "feedback", "yes", "no", "y", "n", "ok", "okay",
    "not sure", "unsure", "dont know", "don't know", "do not know", "maybe", "n/a", "na",
    "none", "nothing", "no comment", "no comments", "hello", "hi", "thanks", "thank you",
})  # fmt: skip
_ROUTINE_NOISE = re.compile(r"[^\w'/ ]+")


def routine_reply(text: str) -> bool:
    words = " ".join(_ROUTINE_NOISE.sub(" ", text.lower().replace("\u2019", "'")).split())
    return words in ROUTINE_REPLIES


def check_many(
    texts: Sequence[str], lexicon: Lexicon | None = None, *, use_model: bool = True,
    answers: Sequence[bool] | None = None,
) -> list[SafeguardingResult]:  # fmt: skip
    """``check`` for many texts; the model reads them in batches (much faster)."""
    chosen = list(answers) if answers is not None else [False] * len(texts)
    use_model = use_model and model_mode() != "off"
    rules = [check_rules(t, lexicon, defer_denials=use_model) for t in texts]
    if not use_model:
        return rules
    from analysis import contextual

    head = contextual.safeguarding()
    possible = head.possible if model_mode() == "recall" else head.likely
    scores = contextual.disclosure_scores(texts)
    # Only rule hits the veto would drop are read again, sentence by sentence: few texts.
    doubted = [
        i for i, (r, s) in enumerate(zip(rules, scores, strict=True))
        if r.flagged and s < head.rule_veto
    ]  # fmt: skip
    contexts = [(i, rule_context(texts[i], e)) for i in doubted for e in rules[i].evidence]
    local: dict[int, float] = {}
    for (i, _), score in zip(
        contexts, contextual.disclosure_scores([c for _, c in contexts]), strict=True
    ):
        local[i] = max(local.get(i, 0.0), score)
    return [
        combine(
            r, s, possible, head.likely, head.rule_veto, local.get(i),
            alone=not (chosen[i] or routine_reply(texts[i])),
        )
        for i, (r, s) in enumerate(zip(rules, scores, strict=True))
    ]  # fmt: skip


_SENTENCE_END = re.compile(r"[.!?\n]+")
_CONTEXT = 200  # characters either side at most, for text with no sentence ends


def rule_context(text: str, evidence: Evidence) -> str:
    """The sentence a rule fired in (bounded), as the model reads it for the veto."""
    start = max((m.end() for m in _SENTENCE_END.finditer(text, 0, evidence.start)), default=0)
    after = _SENTENCE_END.search(text, evidence.end)
    end = after.end() if after else len(text)
    start, end = max(start, evidence.start - _CONTEXT), min(end, evidence.end + _CONTEXT)
    return text[start:end].strip()


def check_conversation(
    messages: Iterable[str], lexicon: Lexicon | None = None, *, use_model: bool = True
) -> SafeguardingResult:
    """Check every message, and the messages read together: a disclosure may span two texts
    ("I don't feel" / "safe with him"). Evidence spans refer to the messages joined by spaces.
    """
    return check(" ".join(messages), lexicon, use_model=use_model)


def label(category: str, lexicon: Lexicon | None = None) -> str:
    """The human-readable name of a category, e.g. ``self_harm`` → "Self-harm or suicidal…"."""
    if category == MODEL_CATEGORY:
        return MODEL_LABEL
    return (lexicon or default_lexicon()).labels[category]
