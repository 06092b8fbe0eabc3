"""JSON: the report model as published, with a versioned JSON Schema.

The schema (``report.schema.json`` beside this module, generated from ``reports.model`` and
checked by a test) documents every field. Its core, which scripts depend on and which changes only
with a new major ``schema_version``::

    {"schema_version", "provider", "month",
     "indicators": [{"indicator", "n", "positive", "percent_positive", "ci_low", "ci_high",
                     "percent_negative", "suppressed", "rag"}],
     "fft": {"total", "percent_positive", "percent_negative", "suppressed"}}

Percentages are numbers from 0 to 100, unrounded; a suppressed unit has ``"suppressed": true``
and ``null`` for every value. ``provider`` is ``null`` in the all-provider report
(``"scope": "all_providers"``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reports.model import SCHEMA_VERSION, OutcomesSection, Report

SCHEMA_FILE = Path(__file__).with_name("report.schema.json")


def render(report: Report) -> str:
    return json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def render_outcomes(section: OutcomesSection) -> str:
    """The outcomes report: the same ``OutcomesSection`` a monthly report's ``outcomes`` holds."""
    return json.dumps(section.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def schema() -> dict[str, Any]:
    generated = Report.model_json_schema()
    generated["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    generated["$id"] = f"https://carevoice.example/schemas/report-{SCHEMA_VERSION}.json"
    generated["description"] = (
        f"carevoice monthly report, schema version {SCHEMA_VERSION}. Percentages 0–100, "
        "unrounded; suppressed units are null with suppressed: true."
    )
    return generated


def schema_text() -> str:
    return json.dumps(schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
