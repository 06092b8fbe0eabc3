"""The outcomes report as CSV (tidy long format, as ``csvfmt``) and XLSX (one row per domain).

A suppressed domain gives rows with empty values and ``suppressed`` true, never its numbers.
"""

from __future__ import annotations

import csv
import io

from reports.model import DomainOutcome, OutcomesSection

CSV_COLUMNS = (
    "provider", "period_start", "period_end", "flow", "domain", "measure", "value", "suppressed",
)  # fmt: skip
MEASURES = (
    "people_with_baseline", "people_paired", "lost_to_follow_up", "not_yet_due",
    "follow_up_percent",
    "baseline_mean", "follow_up_mean", "baseline_mean_lost", "mean_change", "ci_low", "ci_high",
    "sd_change", "t", "p_value", "effect_size_dz", "wilcoxon_p", "reliability",
    "reliability_assumed", "reliable_change_points", "improved", "same", "worse",
)  # fmt: skip
HEADINGS = ("flow", "domain", "label", "better", "scale_low", "scale_high", "suppressed")


def _value(domain: DomainOutcome, measure: str) -> float | int | str | None:
    value = getattr(domain, measure)
    return str(value).lower() if isinstance(value, bool) else value


def csv_text(section: OutcomesSection) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    head = (section.provider, section.period_start, section.period_end)
    for d in section.domains:
        for measure in MEASURES:
            value = _value(d, measure)
            shown = "" if value is None else value
            writer.writerow((*head, d.flow_id, d.domain, measure, shown, str(d.suppressed).lower()))
    return out.getvalue()


def xlsx_bytes(section: OutcomesSection) -> bytes:
    # Imported here: openpyxl costs ~28 MB in every serve process otherwise.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Outcomes"
    sheet.append([*HEADINGS, *MEASURES])
    for d in section.domains:
        start = [d.flow_id, d.domain, d.label, d.better, d.scale_low, d.scale_high, d.suppressed]
        sheet.append([*start, *(getattr(d, m) for m in MEASURES)])
    cautions = book.create_sheet("Cautions")
    cautions.append(["flow", "domain", "caution", "message"])
    for d in section.domains:
        for c in d.cautions:
            cautions.append([d.flow_id, d.domain, c.kind, c.message])
    about = book.create_sheet("About")
    for row in (
        ("Provider", section.provider),
        ("Baselines from", section.period_start),
        ("Baselines to", section.period_end),
        ("Made", section.generated_at),
        ("Suppression threshold", section.suppression_threshold),
        ("Method", section.method),
    ):
        about.append(list(row))
    for page in (sheet, cautions):
        for cell in page[1]:
            cell.font = Font(bold=True)
        page.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
