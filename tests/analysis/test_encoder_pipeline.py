"""Loss weights, the thresholds a held-out run hands to the full model, and the rule veto."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from analysis import train as train_cli
from analysis.encoder_pipeline import (
    VETO_CAP,
    HeldOutScores,
    Joint,
    at_cut,
    choose,
    loss_weights,
    pool,
    read_held_out,
    rule_veto,
    set_thresholds,
    write_heads,
)
from analysis.head_train import HeadConfig, safeguarding_arrays
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


def test_rule_veto_of_a_few_caught_disclosures_is_half_the_lowest_and_capped() -> None:
    scores = np.array([0.010, 0.9, 0.001, 0.5])
    hits = np.array([True, True, True, False])
    disclosures = np.array([True, True, False, True])
    assert rule_veto(scores, hits, disclosures) == 0.005  # the benign hit at 0.001 is dropped
    assert rule_veto(np.array([0.9]), np.array([True]), np.array([True])) == VETO_CAP
    assert rule_veto(scores, np.zeros(4, dtype=bool), disclosures) == 0.0


def _caught(count: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0.01, 1.0, count)


def test_one_low_held_out_disclosure_cannot_move_the_veto_tenfold() -> None:
    scores = _caught(400)
    every = np.ones(401, dtype=bool)
    before = rule_veto(scores, every[:400], every[:400])
    after = rule_veto(np.append(scores, 0.0002), every, every)  # as b3's fold: one text at 0.002
    assert before / 2 < after <= before
    assert after > 0.0002 * 10  # half the lowest would have been 0.0001


def test_rule_veto_drops_only_a_few_rule_caught_disclosures_and_never_exceeds_the_cap() -> None:
    scores = np.concatenate([_caught(400), [0.0005, 0.001, 0.002]])
    every = np.ones(scores.size, dtype=bool)
    veto = rule_veto(scores, every, every)
    assert 0 < veto <= VETO_CAP
    assert (scores < veto).sum() <= 0.01 * scores.size
    high = np.full(500, 0.9)
    assert rule_veto(high, np.ones(500, dtype=bool), np.ones(500, dtype=bool)) == VETO_CAP


def test_benign_rule_hits_do_not_set_the_veto() -> None:
    scores = np.concatenate([_caught(200), np.full(50, 1e-5)])
    hits = np.ones(250, dtype=bool)
    disclosures = np.arange(250) < 200
    assert rule_veto(scores, hits, disclosures) == rule_veto(scores[:200], hits[:200], hits[:200])


def _held(fold: int, index: list[int], scores: list[float], hits: list[bool]) -> HeldOutScores:
    return HeldOutScores(fold, np.array(index), np.array(hits), np.array(scores))


def test_pool_joins_folds_in_order_and_refuses_overlaps() -> None:
    a = _held(0, [0, 2], [0.1, 0.2], [True, False])
    b = _held(1, [1, 3], [0.3, 0.4], [False, True])
    pooled = pool([a, b])
    assert pooled.fold == -1
    assert pooled.index.tolist() == [0, 2, 1, 3]
    assert pooled.scores.tolist() == [0.1, 0.2, 0.3, 0.4]
    assert pooled.hits.tolist() == [True, False, False, True]
    assert pool([a]) is a
    with pytest.raises(ValueError, match="more than once"):
        pool([a, _held(0, [5], [0.5], [False])])
    with pytest.raises(ValueError, match="overlap"):
        pool([a, _held(1, [2], [0.5], [False])])
    with pytest.raises(ValueError, match="no split runs"):
        pool([])


def _two_fold_joint() -> tuple[Joint, HeldOutScores, HeldOutScores]:
    """100 disclosures and 100 hard negatives per fold; fold 1 has one rule-caught disclosure
    the model scores near zero, as the b3 fold had."""
    rng = np.random.default_rng(1)
    kind, sg, runs, start = [], [], [], 0
    for fold in (0, 1):
        disclosure_scores = rng.uniform(0.2, 1.0, 100)
        if fold == 1:
            disclosure_scores[0] = 0.0004
        negative_scores = rng.uniform(0.0, 0.6, 100)
        scores = np.concatenate([disclosure_scores, negative_scores])
        hits = np.concatenate([np.arange(100) < 60, np.arange(100) < 20])
        runs.append(HeldOutScores(fold, np.arange(start, start + 200), hits, scores))
        kind += ["disclosure"] * 100 + ["hard_negative"] * 100
        sg += [1] * 100 + [0] * 100
        start += 200
    n = len(kind)
    joint = Joint([f"t{i}" for i in range(n)], np.array(sg), kind, [""] * n, ["none"] * n, kind)
    return joint, runs[0], runs[1]


def test_choose_on_pooled_folds_keeps_recall_and_reports_each_cut() -> None:
    joint, fold0, fold1 = _two_fold_joint()
    config = HeadConfig()
    pooled = choose(joint, pool([fold0, fold1]), config)
    assert 0 < pooled["rule_veto"] <= VETO_CAP
    assert pooled["disclosure_count"] == 200
    assert pooled["hard_negative_count"] == 200
    assert pooled["disclosure_possible_flag_rate"] >= config.sg_recall
    assert pooled["possible_threshold"] <= pooled["likely_threshold"]
    assert pooled["rule_caught_disclosures"] == 120
    assert pooled["rule_caught_disclosures_below_veto"] == 1  # the near-zero one, counted
    assert pooled["lowest_rule_caught_disclosure_score"] == 0.0004
    assert "without_veto" in pooled
    own = choose(joint, fold1, config)
    assert own["rule_veto"] == 0.0002  # one fold alone: half its lowest, set by one text
    assert pooled["rule_veto"] > 10 * own["rule_veto"]
    fold = at_cut(joint, fold0, pooled["rule_veto"], pooled["possible_threshold"],
                  pooled["likely_threshold"])  # fmt: skip
    assert fold["rule_veto"] == pooled["rule_veto"]
    assert fold["possible_threshold"] == pooled["possible_threshold"]


def test_read_held_out_takes_the_fold_from_the_run_and_zero_for_older_runs(tmp_path: Path) -> None:
    for fold, folder in ((None, tmp_path / "old"), (2, tmp_path / "new")):
        folder.mkdir()
        report = {"possible_threshold": 0.1} if fold is None else {"fold": fold}
        (folder / "holdout.json").write_text(json.dumps(report))
        np.savez(folder / "holdout_scores.npz", index=np.array([3, 4]),
                 hits=np.array([True, False]), int8=np.array([0.5, 0.25]),
                 fp32=np.array([0.5, 0.3]))  # fmt: skip
    old, new = read_held_out(tmp_path / "old", "int8"), read_held_out(tmp_path / "new", "fp32")
    assert (old.fold, old.scores.tolist()) == (0, [0.5, 0.25])
    assert (new.fold, new.scores.tolist(), new.index.tolist()) == (2, [0.5, 0.3], [3, 4])


def test_cli_passes_the_fold_and_every_split_run(monkeypatch: pytest.MonkeyPatch) -> None:
    import analysis.encoder_pipeline as pipeline

    calls: list[tuple[str, object]] = []

    def split(plan: object, out: Path, **kw: object) -> None:
        calls.append(("split", kw["fold"]))

    def ship(plan: object, splits: list[Path], full: Path, encoding: str) -> None:
        calls.append(("ship", splits))

    monkeypatch.setattr(pipeline, "run_holdout", split)
    monkeypatch.setattr(pipeline, "ship", ship)
    train_cli.main(["encoder-split", "--out", "o"])
    train_cli.main(["encoder-split", "--out", "o", "--fold", "1"])
    train_cli.main(["encoder-ship", "--split", "a", "--split", "b", "--full", "f"])
    assert calls == [("split", 0), ("split", 1), ("ship", [Path("a"), Path("b")])]


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
