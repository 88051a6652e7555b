"""Inline SVG charts: every value in the text alternative, text escaped."""

from __future__ import annotations

from chiiki.fieldwork.charts import bar_chart, line_chart


def test_a_bar_chart_states_every_value_in_its_description() -> None:
    svg = bar_chart("c", "地区別", [("中央一丁目", 50.0), ("大字上野", 12.5)])
    assert svg.startswith("<svg")
    assert svg.endswith("</svg>")
    assert '<desc id="c-desc">中央一丁目: 50%、大字上野: 12.5%</desc>' in svg
    assert svg.count("<rect") == 2


def test_labels_are_escaped() -> None:
    svg = bar_chart("c", "<b>", [("<script>alert(1)</script>", 1.0)])
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg


def test_a_line_chart_plots_one_point_per_day_and_says_when_there_is_nothing() -> None:
    svg = line_chart("d", "推移", [("09/20", 0.0), ("09/21", 10.0), ("09/22", 25.0)])
    assert svg.count("<circle") == 3
    assert "09/22: 25%" in svg
    assert "データなし" in line_chart("e", "推移", [])
