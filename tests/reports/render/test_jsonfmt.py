"""JSON: validates against the published schema; the core fields are exactly as documented."""

from __future__ import annotations

import json

import jsonschema
import pytest

from reports.model import Report
from reports.render import jsonfmt

CORE_INDICATOR = {
    "indicator",
    "n",
    "positive",
    "percent_positive",
    "ci_low",
    "ci_high",
    "percent_negative",
    "suppressed",
    "rag",
}


def test_checked_in_schema_is_the_generated_one() -> None:
    assert jsonfmt.SCHEMA_FILE.read_text() == jsonfmt.schema_text(), (
        "run: python -c 'from reports.render.jsonfmt import *; "
        "SCHEMA_FILE.write_text(schema_text())' and bump SCHEMA_VERSION if the core changed"
    )


def test_report_validates_and_has_the_core(report: Report, overview: Report) -> None:
    schema = json.loads(jsonfmt.SCHEMA_FILE.read_text())
    for made in (report, overview):
        document = json.loads(jsonfmt.render(made))
        jsonschema.validate(document, schema)
        assert {"schema_version", "provider", "month", "indicators", "fft"} <= set(document)
        assert all(set(i) >= CORE_INDICATOR for i in document["indicators"])
        assert {"total", "percent_positive", "percent_negative", "suppressed"} <= set(
            document["fft"]
        )
    assert json.loads(jsonfmt.render(overview))["provider"] is None


def test_percentages_are_unrounded_numbers(report: Report) -> None:
    document = json.loads(jsonfmt.render(report))
    punctuality = next(i for i in document["indicators"] if i["indicator"] == "punctuality")
    assert punctuality["percent_positive"] == pytest.approx(90.0)
    assert punctuality["ci_low"] != round(punctuality["ci_low"], 2)
    assert document["fft"]["percent_positive"] == pytest.approx(75.0)


def test_suppressed_units_are_null(overview: Report) -> None:
    document = json.loads(jsonfmt.render(overview))
    punctuality = next(i for i in document["indicators"] if i["indicator"] == "punctuality")
    tiny = next(p for p in punctuality["providers"] if p["provider"] == "Tiny Care")
    assert tiny == {
        "provider": "Tiny Care",
        "n": None,
        "percent_positive": None,
        "ci_low": None,
        "ci_high": None,
        "suppressed": True,
        "hidden_because": "small",
    }
    hilltop = next(p for p in punctuality["providers"] if p["provider"] == "Hilltop Homecare")
    assert hilltop["n"] is None
    assert hilltop["hidden_because"] == "protects"  # 12 answers, hidden to protect Tiny's 3
