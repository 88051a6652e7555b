"""Inline SVG charts: accessible names and descriptions that state the values, escaped labels."""

from __future__ import annotations

from chiiki.evidence.charts import cumulative_chart, grouped_bars


def test_grouped_bars_describe_every_value_and_escape_labels() -> None:
    svg = grouped_bars(
        "b", "偏り", ["<script>", "地区B"], [("前", [1.5, -2.0]), ("後", [0.1, None])], unit="pt"
    )
    assert svg.startswith("<svg")
    assert 'role="img"' in svg
    assert "<script>" not in svg
    assert "地区B: 前 -2.0pt、後 —pt" in svg


def test_cumulative_chart_names_series_and_markers() -> None:
    svg = cumulative_chart("c", "推移", [0, 1, 2], [("依頼状", [10.0, 20.0, 30.0])], [(1, "督促1")])
    assert "依頼状: 最終 30.0%" in svg
    assert "督促1: 1日目" in svg
    assert "polyline" in svg
