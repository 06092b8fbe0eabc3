"""Plain-English sentences about outcome change, for readers who are contract managers, not
statisticians. Rounding happens here, and only here (as in ``words``)."""

from __future__ import annotations

from reports.model import DomainOutcome
from reports.render.words import month_name

SUPPRESSED = (
    "Not shown: fewer than {threshold} people answered both times (or too few had a first answer)."
)


def period(start: str, end: str) -> str:
    return f"{month_name(start)} to {month_name(end)}"


def points(value: float | None) -> str:
    return "—" if value is None else f"{value:+.2f}"


def change(d: DomainOutcome, threshold: int) -> str:
    if d.suppressed:
        return SUPPRESSED.format(threshold=threshold)
    if not d.people_paired or d.mean_change is None:
        return "Nobody has answered a later survey yet, so there is no change to show."
    direction = "rose" if d.mean_change > 0 else "fell" if d.mean_change < 0 else "did not change"
    size = f" by {abs(d.mean_change):.2f} points" if d.mean_change else ""
    text = (
        f"Among the {d.people_paired} people who answered both times, the average score "
        f"{direction}{size}, from {d.baseline_mean:.2f} to {d.follow_up_mean:.2f} on a "
        f"{d.scale_low}–{d.scale_high} scale where {d.better} is better."
    )
    if d.ci_low is not None and d.ci_high is not None:
        excludes_zero = d.ci_low > 0 or d.ci_high < 0
        verdict = (
            "so the change is unlikely to be chance"
            if excludes_zero
            else "which includes no change at all, so this could be chance"
        )
        text += (
            f" Allowing for chance, the true average change is very likely (95 %) between "
            f"{d.ci_low:+.2f} and {d.ci_high:+.2f} points, {verdict}."
        )
    if d.p_value is not None and d.wilcoxon_p is not None:
        text += (
            f" (Paired t-test p = {d.p_value:.3f}; Wilcoxon signed-rank p = {d.wilcoxon_p:.3f}.)"
        )
    return text


def reliable(d: DomainOutcome) -> str:
    if d.suppressed or d.improved is None or d.reliable_change_points is None:
        return ""
    assumed = " (assumed: the survey gives no measured figure)" if d.reliability_assumed else ""
    return (
        f"{d.improved} improved, {d.same} stayed about the same and {d.worse} got worse, counting "
        f"only changes of at least {d.reliable_change_points:.2f} points as real for one person "
        f"(Reliable Change Index, reliability {d.reliability:g}{assumed})."
    )


def attrition(d: DomainOutcome) -> str:
    if d.suppressed or d.people_with_baseline is None:
        return ""
    asked = (d.people_paired or 0) + (d.lost_to_follow_up or 0)
    text = f"{d.people_with_baseline} people gave a first answer. "
    if asked:
        text += (
            f"Of the {asked} asked again, {d.people_paired} ({d.follow_up_percent:.0f}%) "
            f"answered and {d.lost_to_follow_up} did not."
        )
    if d.not_yet_due:
        text += f" {d.not_yet_due} have not been asked again yet (not yet due)."
    if d.baseline_mean_lost is not None and d.baseline_mean is not None:
        text += (
            f" First scores averaged {d.baseline_mean:.2f} among those who answered again and "
            f"{d.baseline_mean_lost:.2f} among those who did not."
        )
    return text.strip()
