"""Response rate (invited → finished) per provider and channel, and the caution below a level."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from reports.build import all_providers_report, provider_report
from reports.config import ReportConfig
from reports.model import Report
from reports.render import jsonfmt
from reports.render.html import render as render_html
from reports.statistics import wilson
from tests.reports.data import MONTH, load_fixture


def test_finished_over_invited_by_channel_with_a_wilson_interval(report: Report) -> None:
    # Sunrise invited 50 by SMS; the 20 linked conversations were finished.
    [row] = report.finish_rates
    interval = wilson(20, 50)
    assert interval is not None
    assert (row.provider, row.channel, row.invited, row.finished) == (None, "sms", 50, 20)
    assert row.percent == pytest.approx(40.0)
    assert (row.ci_low, row.ci_high) == (
        pytest.approx(100 * interval.low),
        pytest.approx(100 * interval.high),
    )
    assert all(i.caution is None for i in report.indicators)  # 40 % is above the 20 % default


def test_indicators_carry_a_caution_below_the_configured_level(db_engine: Engine) -> None:
    load_fixture(db_engine)
    config = ReportConfig(response_rate_caution=50)
    found = provider_report(db_engine, "Sunrise Care", MONTH, config)
    assert {i.caution for i in found.indicators} == {
        "Fewer than 50 % of the people invited finished the survey: read with care."
    }
    assert "Caution:" in render_html(found)
    assert '"caution": "Fewer than 50 %' in jsonfmt.render(found)
    everyone = all_providers_report(db_engine, MONTH, config)
    assert [(r.provider, r.channel, r.finished) for r in everyone.finish_rates] == [
        ("Sunrise Care", "sms", 20)
    ]
    assert "Response rate: invited → finished" in render_html(everyone)
