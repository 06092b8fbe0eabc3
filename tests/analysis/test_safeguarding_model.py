"""Safeguarding with the contextual model beside the rules: rules OR model, which layer
raised a flag, the model's score, and the two bands. The repository's own disclosures and
safe comments (``test_safeguarding.py``) run through this same combined ``check``."""

from __future__ import annotations

import pytest

from analysis import contextual
from analysis.safeguarding import (
    MODEL_CATEGORY,
    check,
    check_many,
    check_rules,
    combine,
    label,
    routine_reply,
    rule_context,
)

RULE_HIT = check_rules("she slapped my mum across the face")
NO_HIT = check_rules("lovely carers")


@pytest.mark.parametrize(
    ("rules", "score", "flagged", "layer", "band"),
    [
        (RULE_HIT, 0.95, True, "both", "likely"),
        (RULE_HIT, 0.40, True, "both", "likely"),
        (RULE_HIT, 0.10, True, "rules", "likely"),  # a rule hit is likely whatever the score
        (NO_HIT, 0.95, True, "model", "likely"),
        (NO_HIT, 0.40, True, "model", "possible"),
        (NO_HIT, 0.30, True, "model", "possible"),  # the threshold itself counts
        (NO_HIT, 0.10, False, "", ""),
    ],
)
def test_rules_or_model_with_layer_and_band(
    rules: object, score: float, flagged: bool, layer: str, band: str
) -> None:
    result = combine(rules, score, possible=0.3, likely=0.9)  # type: ignore[arg-type]
    assert (result.flagged, result.layer, result.band) == (flagged, layer, band)
    assert result.model_score == score


def test_rule_flag_keeps_its_evidence_and_model_flag_has_its_own_category() -> None:
    both = combine(RULE_HIT, 0.99, 0.3, 0.9)
    assert both.categories == ("physical",)
    assert both.evidence == RULE_HIT.evidence
    model_only = combine(NO_HIT, 0.5, 0.3, 0.9)
    assert model_only.categories == (MODEL_CATEGORY,)
    assert model_only.evidence == ()
    assert label(MODEL_CATEGORY).startswith("Possible disclosure")


def test_check_reports_the_models_score_and_rules_only_does_not() -> None:
    text = "he grabs my arm hard"
    combined = check(text)
    assert combined.model_score == contextual.disclosure_score(text)
    assert 0.0 <= combined.model_score <= 1.0
    rules_only = check(text, use_model=False)
    assert rules_only.model_score is None
    assert rules_only.layer == "rules"


def test_shipped_thresholds_order_the_bands() -> None:
    head = contextual.safeguarding()
    assert 0.0 < head.possible <= head.likely < 1.0


def test_batch_matches_single() -> None:
    texts = ["he grabs my arm hard", "Lovely staff", "", "nobody has ever hit me"]
    assert check_many(texts) == [check(t) for t in texts]


@pytest.mark.parametrize(
    "text",
    ["No one has hit me", "nobody takes my money", "No carer has ever touched me",
     "There's no neglect here"],
)  # fmt: skip
def test_denied_harm_words_are_left_to_the_model(text: str) -> None:
    assert check_rules(text).flagged  # the rules alone flag denials: recall first
    assert not check_rules(text, defer_denials=True).flagged


def test_resolved_wording_is_left_to_the_model_but_history_is_not() -> None:
    resolved = "Mum's bruises turned out to be from her blood thinners"
    assert check_rules(resolved).flagged
    assert not check_rules(resolved, defer_denials=True).flagged
    historic = "my uncle used to hit me years ago"
    assert check_rules(historic, defer_denials=True).flagged


def test_text_without_words_gets_no_model_score() -> None:
    assert contextual.disclosure_scores(["!!!", "😀😀", "İ" * 50]) == [0.0, 0.0, 0.0]


def test_mode_sets_how_readily_the_model_flags_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    head = contextual.safeguarding()
    # A probe between the bands (a hint of neglect, or nothing): which text lies there depends
    # on the shipped model ("They always ask if I have had my tablets" did until the b3 model).
    text = "I dont always get my tea"
    score = contextual.disclosure_score(text)
    assert head.possible <= score < head.likely  # between the bands: a useful probe
    # Default (recall): alone, the model flags from its lower threshold, as a possible concern.
    assert (check(text).flagged, check(text).band) == (True, "possible")
    monkeypatch.setenv("CAREVOICE_SAFEGUARDING_MODEL", "likely")
    assert not check(text).flagged  # alone, the model flags only "likely"
    monkeypatch.setenv("CAREVOICE_SAFEGUARDING_MODEL", "off")
    assert check(text).model_score is None
    monkeypatch.setenv("CAREVOICE_SAFEGUARDING_MODEL", "always")
    with pytest.raises(ValueError, match="CAREVOICE_SAFEGUARDING_MODEL='always'"):
        check(text)


def test_the_veto_reads_the_sentence_a_rule_fired_in(monkeypatch: pytest.MonkeyPatch) -> None:
    praise = "The garden was nice. " * 40
    text = praise + "I don't feel safe with him, he hits me. " + praise
    (evidence, *_) = check(text, use_model=False).evidence
    assert rule_context(text, evidence) == "I don't feel safe with him, he hits me."
    assert check(text).flagged  # by the shipped model, whatever it scores the whole text
    # The mechanism, whichever model ships: when the whole text reads as praise (below the
    # veto; the b2 model scored it so, the b3 model does not) the rule's own sentence is read
    # again and keeps the flag, which the whole-message score alone would have dropped.
    head = contextual.safeguarding()
    real = contextual.disclosure_scores

    def as_praise(texts: list[str]) -> list[float]:
        return [0.0 if len(t) > 300 else s for t, s in zip(texts, real(texts), strict=True)]

    monkeypatch.setattr(contextual, "disclosure_scores", as_praise)
    assert contextual.disclosure_scores([text]) == [0.0]
    assert head.rule_veto > 0.0
    assert not combine(check_rules(text, defer_denials=True), 0.0, head.possible, head.likely,
                       head.rule_veto).flagged  # fmt: skip
    assert check(text).flagged


ROUTINE = ["STOP", "Stop.", "quit", "HELP", "skip", "Not sure", "dont know"]


@pytest.mark.parametrize("reply", ROUTINE)
def test_a_command_or_an_unsure_answer_is_never_flagged_by_the_model_alone(reply: str) -> None:
    assert routine_reply(reply)
    assert not check(reply).flagged


@pytest.mark.parametrize("text", ["im scared", "stop it", "please help", "end it"])
def test_a_short_disclosure_that_is_no_command_is_still_read(text: str) -> None:
    assert not routine_reply(text)
    assert check(text).flagged
