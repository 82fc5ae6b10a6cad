"""The trend and the period in the report (issue 17): the JSON keys, the xlsx chart, the text
curve at 40 columns, --since relative to --as-of and --every week. Fixed days only: "today" is
replaced (reformctl.query.today)."""

from __future__ import annotations

import json
from datetime import date

import pytest

import reformctl.query
from conftest import FIXTURES, run_cli

DATA = str(FIXTURES / "report")


def ok(*args: str) -> str:
    result = run_cli(*args)
    assert result.code == 0, result.stderr
    return result.stdout


def data(*args: str) -> dict:
    return json.loads(ok("report", "--format", "json", "--data", DATA, *args))


def test_every_trend_point_is_the_report_of_its_day():
    report = data("--as-of", "2018-06-30")
    points = report["trend"]["points"]
    assert report["trend"]["schema"] == "reformctl.trend/1"
    assert [p["date"] for p in points][:2] == ["2017-10-13", "2017-10-31"]
    assert points[-1]["date"] == "2018-06-30"
    assert points[-1]["totals"] == report["totals"]
    for point in points[::3]:
        assert point["totals"] == data("--as-of", point["date"])["totals"]


def test_period_defaults_to_the_month_before_and_counts_from_as_of():
    report = data("--as-of", "2018-06-30")
    assert report["since"] == report["period"]["since"] == "2018-06-01"
    assert report["period"]["schema"] == "reformctl.period/1"
    assert report["period"]["counts"]["completed"] == 1
    assert [t["ref"] for t in report["period"]["completed"]] == ["D1"]
    assert data("--as-of", "2018-06-30", "--since", "som-1")["since"] == "2018-05-01"
    assert data("--as-of", "2018-06-30", "--since", "-2w")["since"] == "2018-06-16"


def test_default_as_of_and_relative_dates_count_from_today(monkeypatch):
    monkeypatch.setattr(reformctl.query, "today", lambda: date(2018, 7, 10))
    report = data("--since", "som")
    assert (report["as_of"], report["since"]) == ("2018-07-10", "2018-07-01")
    assert data("--as-of", "eom-1")["as_of"] == "2018-06-30"


def test_every_week_has_a_point_each_sunday():
    trend = data("--as-of", "2018-06-30", "--every", "week")["trend"]
    days = [date.fromisoformat(p["date"]) for p in trend["points"]]
    assert trend["every"] == "week"
    assert all(d.isoweekday() == 7 for d in days[1:-1])
    assert days[0] == date(2017, 10, 13) and days[-1] == date(2018, 6, 30)


def test_since_after_as_of_is_refused():
    result = run_cli("report", "--data", DATA, "--as-of", "2018-06-30", "--since", "+1d")
    assert result.code == 2
    assert "--since 2018-07-01 is after --as-of 2018-06-30" in result.stderr


def test_xlsx_has_a_native_line_chart_over_the_trend(tmp_path):
    from openpyxl import load_workbook

    target = tmp_path / "r.xlsx"
    ok("report", "--format", "xlsx", "--data", DATA, "--as-of", "2018-06-30", "--lang", "en",
       "--output", str(target))
    wb = load_workbook(target)
    trend = wb["Trend"]
    rows = [[c.value for c in row] for row in trend.iter_rows()]
    assert rows[0] == ["Date", "District", "Federation", "Grassroots", "All levels"]
    assert rows[-1][0].date() == date(2018, 6, 30) and rows[-1][1:] == [50.0, 0.0, 0.0, 12.5]
    (chart,) = trend._charts
    assert chart.tagname == "lineChart"
    refs = [s.tx.strRef.f for s in chart.series]
    assert refs == ["'Trend'!B1", "'Trend'!C1", "'Trend'!D1", "'Trend'!E1"]
    assert chart.series[3].val.numRef.f == f"'Trend'!$E$2:$E${len(rows)}"
    assert [r[0] for r in wb["Period"].iter_rows(values_only=True)][1:4] == [
        "Completed", "Started", "Blocked"]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("width", [40, 60, 100])
def test_text_curve_fits_the_terminal(lang, width):
    from reformctl.render.report import build_document, speaking
    from reformctl.render.report_text import text_to_string, text_view

    report = data("--as-of", "2018-06-30", "--every", "week")
    with speaking(lang):
        out = text_to_string(text_view(build_document(report)), width)
    from rich.cells import cell_len

    assert all(cell_len(line) <= width for line in out.splitlines())
    assert "100% ┤" in out and "  0% ┤" in out and "     └─" in out
    assert "2017-10-13" in out


def test_the_last_day_there_is_keeps_the_latest_points():
    from reformctl.trend import MAX_POINTS, default_period_start

    assert default_period_start(date.max) == date(9999, 12, 1)
    report = data("--as-of", "9999-12-31")
    points = report["trend"]["points"]
    assert len(points) == MAX_POINTS and points[-1]["date"] == "9999-12-31"
    assert report["trend"]["start"] == points[0]["date"] == "9978-05-31"
    assert report["since"] == "9999-12-01"
