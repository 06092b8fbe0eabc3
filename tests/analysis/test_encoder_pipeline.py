"""Loss weights, the thresholds a held-out run hands to the full model, and the rule veto."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from analysis.encoder_pipeline import (
    VETO_CAP,
    Joint,
    loss_weights,
    rule_veto,
    set_thresholds,
    write_heads,
)
from analysis.head_train import safeguarding_arrays
from analysis.heads import Dense, SafeguardingHead, safeguarding_head
from analysis.safeguarding import check_rules, combine


def _joint() -> Joint:
    kind = ["disclosure"] * 2 + ["hard_negative"] * 4 + ["nhs_comment"] * 8
    sg = np.array([1, 1] + [0] * 12)
    n = len(kind)
    return Joint([f"t{i}" for i in range(n)], sg, kind, [""] * n, ["none"] * n, kind)


def test_disclosures_weigh_as_much_as_hard_negatives_and_nhs_comments_less() -> None:
    joint = _joint()
    weights = np.array(loss_weights(joint, range(len(joint.texts))))
    disclosure = weights[:2].sum()
    hard = weights[2:6].sum()
    nhs = weights[6:].sum()
    assert np.isclose(disclosure, hard)
    assert 0 < nhs < hard


def test_set_thresholds_rewrites_only_the_thresholds(tmp_path: Path) -> None:
    write_heads(tmp_path / "heads.npz", {"sg_w0": np.ones((384, 1)), "sg_possible": np.array(0.5),
                                         "sg_likely": np.array(0.9)})  # fmt: skip
    holdout = tmp_path / "holdout.json"
    holdout.write_text(json.dumps({"possible_threshold": 0.31, "likely_threshold": 0.87}))
    assert set_thresholds(tmp_path, holdout) == (0.31, 0.87)
    with np.load(tmp_path / "heads.npz") as arrays:
        assert float(arrays["sg_possible"]) == 0.31
        assert float(arrays["sg_likely"]) == 0.87
        assert arrays["sg_w0"].shape == (384, 1)


def test_rule_veto_is_half_the_lowest_caught_disclosure_and_capped() -> None:
    scores = np.array([0.010, 0.9, 0.001, 0.5])
    hits = np.array([True, True, True, False])
    disclosures = np.array([True, True, False, True])
    assert rule_veto(scores, hits, disclosures) == 0.005  # the benign hit at 0.001 is dropped
    assert rule_veto(np.array([0.9]), np.array([True]), np.array([True])) == VETO_CAP
    assert rule_veto(scores, np.zeros(4, dtype=bool), disclosures) == 0.0


def test_a_rule_hit_below_the_veto_is_left_to_the_model() -> None:
    rules = check_rules("he hit me")
    assert rules.flagged
    assert combine(rules, 0.004, possible=0.1, likely=0.9, veto=0.005).flagged is False
    kept = combine(rules, 0.005, possible=0.1, likely=0.9, veto=0.005)
    assert (kept.flagged, kept.layer, kept.band) == (True, "rules", "likely")
    assert combine(rules, 0.0, possible=0.1, likely=0.9).flagged  # no veto: every rule hit


def test_veto_round_trips_through_the_head_arrays() -> None:
    head = SafeguardingHead(Dense((np.ones((2, 1)),), (np.zeros(1),)), 0.2, 0.8, 0.004)
    assert safeguarding_head(safeguarding_arrays(head)).rule_veto == 0.004
    plain = SafeguardingHead(Dense((np.ones((2, 1)),), (np.zeros(1),)), 0.2, 0.8)
    assert "sg_rule_veto" not in safeguarding_arrays(plain)
    assert safeguarding_head(safeguarding_arrays(plain)).rule_veto == 0.0
