"""Outcome statistics against worked examples computed by hand (the working is in the comments)."""

from __future__ import annotations

import math

import pytest

from reports.outcomes import (
    DomainInput,
    Rules,
    domain_outcome,
    paired_change,
    rci,
    reliable_change,
)

# Six people on a 1-5 scale: (baseline, follow-up).
PAIRS = [(2.0, 3.0), (3.0, 5.0), (1.0, 1.0), (4.0, 3.0), (2.0, 4.0), (3.0, 4.0)]
# Changes 1, 2, 0, −1, 2, 1: sum 5, mean 5/6. Σd² = 11, so Σ(d − mean)² = 11 − 6·(5/6)² = 41/6
# and the SD of the changes is √(41/30). t(0.975, 5) = 2.5705818 (printed tables: 2.571).
MEAN = 5 / 6
SD = math.sqrt(41 / 30)
T_CRIT = 2.5705818366147395
SE = SD / math.sqrt(6)


def test_paired_change_mean_interval_and_effect_size() -> None:
    result = paired_change(PAIRS)
    assert result.n == 6
    assert result.baseline_mean == pytest.approx(15 / 6)
    assert result.follow_up_mean == pytest.approx(20 / 6)
    assert result.mean_change == pytest.approx(MEAN)
    assert result.sd_change == pytest.approx(SD)
    # 5/6 ± 2.5706 · 1.16905/√6 = 0.8333 ± 1.2268
    assert result.ci_low == pytest.approx(MEAN - T_CRIT * SE)
    assert result.ci_high == pytest.approx(MEAN + T_CRIT * SE)
    assert result.ci_low == pytest.approx(-0.3935, abs=1e-4)
    assert result.ci_high == pytest.approx(2.0602, abs=1e-4)
    assert result.t == pytest.approx(1.74608, abs=1e-5)
    assert result.effect_size_dz == pytest.approx(0.71283, abs=1e-5)  # 0.8333 / 1.16905
    assert result.p_value is not None
    assert 0.1 < result.p_value < 0.2  # t = 1.75 on 5 df: between the 0.10 (2.015) and 0.20 points


def test_wilcoxon_signed_rank_exact_small_sample() -> None:
    # Changes 1, 2, −3, 4, 5: ranks 1..5, W+ = 1+2+4+5 = 12, W− = 3; scipy reports min = 3.
    # Exactly: of the 2⁵ = 32 sign patterns, 5 have a rank sum ≤ 3 ({}, {1}, {2}, {3}, {1,2}),
    # so the one-sided p is 5/32 and the two-sided 10/32.
    result = paired_change([(0.0, 1.0), (0.0, 2.0), (3.0, 0.0), (0.0, 4.0), (0.0, 5.0)])
    assert result.wilcoxon_statistic == 3
    assert result.wilcoxon_p == pytest.approx(10 / 32)


def test_no_change_at_all_leaves_the_tests_undefined() -> None:
    result = paired_change([(3.0, 3.0)] * 5)
    assert result.mean_change == 0
    assert result.sd_change == 0
    assert (result.ci_low, result.ci_high) == (0, 0)
    assert (result.t, result.p_value, result.effect_size_dz) == (None, None, None)
    assert (result.wilcoxon_statistic, result.wilcoxon_p) == (None, None)


def test_one_pair_has_a_change_and_nothing_else() -> None:
    result = paired_change([(2.0, 4.0)])
    assert (result.n, result.mean_change, result.sd_change, result.ci_low) == (1, 2.0, None, None)


# Baselines 2, 3, 1, 4, 2, 3: mean 2.5, Σ(x − 2.5)² = 5.5, SD₁ = √1.1 = 1.04881.
# With r = 0.7: S_diff = √2 · 1.04881 · √0.3 = 0.812404; reliable beyond 1.96 · S_diff = 1.59231.
BASELINE_SD = math.sqrt(1.1)
S_DIFF = math.sqrt(2) * BASELINE_SD * math.sqrt(0.3)


def test_reliable_change_index_by_hand() -> None:
    assert pytest.approx(0.812404, abs=1e-6) == S_DIFF
    assert rci(3.0, 5.0, BASELINE_SD, 0.7) == pytest.approx(2 / 0.812404, abs=1e-5)  # 2.4618
    result = reliable_change(PAIRS, BASELINE_SD, 0.7, "higher")
    assert result.threshold == pytest.approx(1.96 * S_DIFF)
    assert result.threshold == pytest.approx(1.59231, abs=1e-5)
    # Changes 1, 2, 0, −1, 2, 1: the two changes of 2 pass 1.59; nothing falls that far.
    assert (result.improved, result.same, result.worse) == (2, 4, 0)


def test_when_lower_is_better_a_rise_is_worse() -> None:
    result = reliable_change(PAIRS, BASELINE_SD, 0.7, "lower")
    assert (result.improved, result.same, result.worse) == (0, 4, 2)


def test_rci_refuses_what_it_cannot_compute() -> None:
    with pytest.raises(ValueError, match="baseline SD"):
        rci(1.0, 2.0, 0.0, 0.7)


def item(people: list[tuple[float, float | None]], reliability: float | None = None) -> DomainInput:
    return DomainInput(
        flow_id="day_service_outcomes",
        domain="confidence",
        label="Confidence",
        better="higher",
        low=1,
        high=5,
        reliability=reliability,
        people=people,
    )


# PAIRS plus two people with a baseline of 5 and no follow-up. Baselines 2, 3, 1, 4, 2, 3, 5, 5:
# mean 25/8, Σx² = 93, Σ(x − mean)² = 93 − 625/8 = 119/8, SD₁ = √(119/56) = 1.45774.
WITH_LOST: list[tuple[float, float | None]] = [*PAIRS, (5.0, None), (5.0, None)]


def test_domain_outcome_figures_and_cautions() -> None:
    result = domain_outcome(item(WITH_LOST), Rules(threshold=2, few_people=20))
    assert not result.suppressed
    assert (result.people_with_baseline, result.people_paired, result.lost_to_follow_up) == (
        8,
        6,
        2,
    )
    assert result.follow_up_percent == pytest.approx(75.0)
    assert result.mean_change == pytest.approx(MEAN)
    assert result.baseline_mean == pytest.approx(2.5)
    assert result.baseline_mean_lost == pytest.approx(5.0)
    # Threshold 1.96 · √2 · 1.45774 · √0.3 = 1.96 · 1.12916 = 2.21315: no change of 2 passes it.
    assert result.reliable_change_points == pytest.approx(2.21315, abs=1e-5)
    assert (result.improved, result.same, result.worse) == (0, 6, 0)
    assert (result.reliability, result.reliability_assumed) == (0.7, True)
    # Lost people started 2.5 points higher: more than half an SD (0.73).
    assert [c.kind for c in result.cautions] == [
        "few_people",
        "different_start",
        "assumed_reliability",
    ]


def test_low_follow_up_is_cautioned_and_a_stated_reliability_is_used() -> None:
    people: list[tuple[float, float | None]] = [*PAIRS, *[(2.5, None)] * 5]
    result = domain_outcome(item(people, reliability=0.9), Rules(threshold=5, few_people=6))
    # 6 of 11 followed up: 54.5 % is below 60 %; lost started at the kept mean, so no difference.
    assert [c.kind for c in result.cautions] == ["low_follow_up"]
    assert result.cautions[0].message.startswith("Only 6 of the 11 people")
    assert (result.reliability, result.reliability_assumed) == (0.9, False)


@pytest.mark.parametrize(
    "people",
    [
        PAIRS[:4],  # 4 people with both waves: small
        [*PAIRS[:4], *[(3.0, None)] * 6],  # still 4 with both, though 10 have a baseline
    ],
)
def test_a_domain_resting_on_few_people_publishes_nothing(
    people: list[tuple[float, float | None]],
) -> None:
    result = domain_outcome(item(people), Rules(threshold=5))
    assert result.suppressed
    published = result.model_dump(
        exclude={"flow_id", "domain", "label", "better", "scale_low", "scale_high", "suppressed"}
    )
    assert published == dict.fromkeys(published, None) | {"cautions": []}


def test_nobody_followed_up_gives_counts_but_no_change() -> None:
    result = domain_outcome(item([(3.0, None)] * 6), Rules(threshold=5))
    assert (result.people_with_baseline, result.people_paired, result.lost_to_follow_up) == (
        6,
        0,
        6,
    )
    assert result.mean_change is None
    assert result.follow_up_percent == 0
