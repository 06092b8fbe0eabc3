"""Outcomes: is each person better off than when the service started? Pure; no database.

For one provider and one outcome domain, each person contributes a baseline score and, if they
answered one, a follow-up score (``flows.outcomes`` makes the scores). From the people with both:

- **Mean change** (follow-up − baseline) with a 95 % interval from the paired t-test: mean ±
  t(0.975, n − 1) · SD/√n (Student 1908; any statistics text, e.g. Altman, *Practical Statistics for
  Medical Research*, 1991, §9.5). The t-test assumes the changes are roughly normal; with scores
  on short ordinal scales that is approximate, so the Wilcoxon signed-rank test (Wilcoxon 1945,
  as ``scipy.stats.wilcoxon``: zero changes dropped, exact p for small samples without ties) is
  given beside it, and the two should tell the same story.
- **Effect size d_z** = mean change / SD of the changes: Cohen's d for paired data (Cohen 1988,
  *Statistical Power Analysis*, §2.3.5; Lakens 2013, Front Psychol 4:863, eq. 6), also called the
  standardised response mean. It is not Cohen's d_av (mean change / mean of the two SDs), which is
  usually smaller when baseline and follow-up are correlated; say d_z when quoting it.
- **Improved / same / worse** by the Reliable Change Index (Jacobson & Truax 1991, J Consult Clin
  Psychol 59:12–19): RCI = (x₂ − x₁) / S_diff, S_diff = √2 · SD₁ · √(1 − r), reliable when
  |RCI| > 1.96. SD₁ is the SD of the baseline scores of everyone with a baseline; r is the
  score's reliability from the flow or, when the flow gives none, an **assumed** figure
  (``ReportConfig.outcome_reliability``, 0.7 unless configured) which the report states.
- **Attrition**: people asked a later wave who did not answer it ("lost to follow-up"), the
  share of those asked who followed up, and the baseline mean of those lost beside those kept,
  because a change among those who stayed says little about those who left if they started
  differently. People with a baseline who have not been asked a later wave yet are "not yet
  due": they count among the baselines but neither as lost nor in the follow-up share, so the
  cautions do not fire early in a contract year.

Small numbers are suppressed as in every report (``reports.suppression``): a domain whose
people with both waves number 1 to threshold − 1 publishes no figure at all. Counts of improved,
same and worse are published when their base is not small, as option counts are elsewhere.
"""

from __future__ import annotations

import math
import statistics
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from reports.model import Caution, DomainOutcome
from reports.suppression import is_small

RCI_CUTOFF = 1.96  # Jacobson & Truax's two-sided 5 % criterion, as published
CONFIDENCE = 0.95
# Responders and people lost differ "noticeably" when their baseline means are half a baseline
# SD apart: Cohen's medium effect, a rule of thumb and no more.
DIFFERENT_START = 0.5

Pair = tuple[float, float]  # (baseline, follow-up)


@dataclass(frozen=True)
class PairedChange:
    n: int
    baseline_mean: float
    follow_up_mean: float
    mean_change: float
    sd_change: float | None  # None below 2 pairs
    ci_low: float | None
    ci_high: float | None
    t: float | None  # None when every change is the same, where t is undefined
    p_value: float | None
    effect_size_dz: float | None
    wilcoxon_statistic: float | None  # None when every change is zero
    wilcoxon_p: float | None


def paired_change(pairs: Sequence[Pair]) -> PairedChange:
    if not pairs:
        raise ValueError("a paired change needs at least one pair")
    n = len(pairs)
    changes = [after - before for before, after in pairs]
    mean = statistics.fmean(changes)
    before_mean = statistics.fmean(p[0] for p in pairs)
    after_mean = statistics.fmean(p[1] for p in pairs)
    if n < 2:
        return PairedChange(
            n, before_mean, after_mean, mean, None, None, None, None, None, None, None, None
        )
    # Imported here: scipy.stats costs ~90 MB of memory in every serve process otherwise.
    from scipy import stats  # type: ignore[import-untyped]

    sd = statistics.stdev(changes)
    half = float(stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1)) * sd / math.sqrt(n)
    t = p = dz = None
    if sd > 0:
        t = mean / (sd / math.sqrt(n))
        p = float(2 * stats.t.sf(abs(t), n - 1))
        dz = mean / sd
    w_stat, w_p = _wilcoxon(changes)
    return PairedChange(
        n, before_mean, after_mean, mean, sd, mean - half, mean + half, t, p, dz, w_stat, w_p
    )


def _wilcoxon(changes: Sequence[float]) -> tuple[float | None, float | None]:
    if not any(changes):
        return None, None
    from scipy import stats

    with warnings.catch_warnings():
        # scipy warns that the normal approximation is rough for small n with ties; it is the
        # only approximation available then, and the t-test stands beside it.
        warnings.simplefilter("ignore")
        result = stats.wilcoxon(changes)
    return float(result.statistic), float(result.pvalue)


@dataclass(frozen=True)
class ReliableChange:
    reliability: float
    baseline_sd: float
    threshold: float  # a change this large, in score points, is reliable: 1.96 · S_diff
    improved: int
    same: int
    worse: int


def rci(before: float, after: float, baseline_sd: float, reliability: float) -> float:
    """Jacobson & Truax's Reliable Change Index for one person."""
    return (after - before) / s_diff(baseline_sd, reliability)


def s_diff(baseline_sd: float, reliability: float) -> float:
    """The standard error of a difference: √2 · SE of measurement, SE = SD₁ · √(1 − r)."""
    if baseline_sd <= 0 or not 0 < reliability < 1:
        raise ValueError("the RCI needs a baseline SD above 0 and a reliability between 0 and 1")
    return math.sqrt(2) * baseline_sd * math.sqrt(1 - reliability)


def reliable_change(
    pairs: Sequence[Pair],
    baseline_sd: float,
    reliability: float,
    better: Literal["higher", "lower"],
) -> ReliableChange:
    sign = 1 if better == "higher" else -1
    indices = [sign * rci(before, after, baseline_sd, reliability) for before, after in pairs]
    improved = sum(1 for i in indices if i > RCI_CUTOFF)
    worse = sum(1 for i in indices if i < -RCI_CUTOFF)
    threshold = RCI_CUTOFF * s_diff(baseline_sd, reliability)
    return ReliableChange(
        reliability, baseline_sd, threshold, improved, len(pairs) - improved - worse, worse
    )


@dataclass(frozen=True)
class DomainInput:
    """One domain's people for one provider: a baseline each, and a follow-up if they gave one."""

    flow_id: str
    domain: str
    label: str
    better: Literal["higher", "lower"]
    low: int
    high: int
    reliability: float | None  # from the flow; None → the assumed figure
    people: Sequence[tuple[float, float | None]]  # those asked a later wave; None: lost
    not_due: Sequence[float] = ()  # baselines of people not asked a later wave yet


@dataclass(frozen=True)
class Rules:
    threshold: int = 5
    assumed_reliability: float = 0.7
    follow_up_share: float = 0.6
    few_people: int = 20


def domain_outcome(item: DomainInput, rules: Rules) -> DomainOutcome:
    """The published figures for one domain: suppressed, with cautions, as the report shows it."""
    pairs = [(b, f) for b, f in item.people if f is not None]
    lost = [b for b, f in item.people if f is None]
    baselines = [b for b, _ in item.people] + list(item.not_due)
    asked = len(item.people)
    head = {
        "flow_id": item.flow_id,
        "domain": item.domain,
        "label": item.label,
        "better": item.better,
        "scale_low": item.low,
        "scale_high": item.high,
    }
    if is_small(len(baselines), rules.threshold) or is_small(len(pairs), rules.threshold):
        return DomainOutcome(**head, suppressed=True)
    reliability = item.reliability or rules.assumed_reliability
    sd = statistics.stdev(baselines) if len(baselines) > 1 else 0.0
    change = paired_change(pairs) if pairs else None
    reliable = reliable_change(pairs, sd, reliability, item.better) if pairs and sd > 0 else None
    lost_mean = (
        statistics.fmean(lost) if lost and not is_small(len(lost), rules.threshold) else None
    )
    kept_mean = change.baseline_mean if change else None
    return DomainOutcome(
        **head,
        suppressed=False,
        people_with_baseline=len(baselines),
        people_paired=len(pairs),
        lost_to_follow_up=len(lost),
        not_yet_due=len(item.not_due),
        follow_up_percent=100 * len(pairs) / asked if asked else None,
        baseline_mean=kept_mean,
        follow_up_mean=change.follow_up_mean if change else None,
        baseline_mean_lost=lost_mean,
        mean_change=change.mean_change if change else None,
        ci_low=change.ci_low if change else None,
        ci_high=change.ci_high if change else None,
        sd_change=change.sd_change if change else None,
        t=change.t if change else None,
        p_value=change.p_value if change else None,
        effect_size_dz=change.effect_size_dz if change else None,
        wilcoxon_p=change.wilcoxon_p if change else None,
        reliability=reliability,
        reliability_assumed=item.reliability is None,
        reliable_change_points=reliable.threshold if reliable else None,
        improved=reliable.improved if reliable else None,
        same=reliable.same if reliable else None,
        worse=reliable.worse if reliable else None,
        cautions=_cautions(item, rules, asked, len(pairs), sd, kept_mean, lost_mean),
    )


def _cautions(
    item: DomainInput,
    rules: Rules,
    asked: int,  # people with a baseline who were asked a later wave
    paired: int,
    sd: float,
    kept_mean: float | None,
    lost_mean: float | None,
) -> list[Caution]:
    found = []
    if paired < rules.few_people:
        found.append(
            Caution(
                kind="few_people",
                message=f"Only {paired} people answered both times: the interval is wide and "
                "the change is a rough guide.",
            )
        )
    if asked and paired / asked < rules.follow_up_share:
        found.append(
            Caution(
                kind="low_follow_up",
                message=f"Only {paired} of the {asked} people asked again gave a later answer; "
                "those who did may not be like those who did not.",
            )
        )
    differ = kept_mean is not None and lost_mean is not None and sd > 0
    if differ and abs((kept_mean or 0) - (lost_mean or 0)) >= DIFFERENT_START * sd:
        found.append(
            Caution(
                kind="different_start",
                message=f"People who answered again started at {kept_mean:.1f} on average, "
                f"those who did not at {lost_mean:.1f}: the change may not apply to both.",
            )
        )
    if item.reliability is None:
        found.append(
            Caution(
                kind="assumed_reliability",
                message=f"Reliable change assumes a reliability of {rules.assumed_reliability:g}; "
                "the survey gives no measured figure for this score.",
            )
        )
    return found
