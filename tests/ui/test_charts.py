"""Charts and the map never clip or overlap their labels (evidence and fieldwork charts, the open-data map)."""

from __future__ import annotations

import itertools
import re

from chiiki.evidence import charts as evidence_charts
from chiiki.fieldwork import charts as fieldwork_charts
from chiiki.opendata import pointmap

TEXT = re.compile(r'<text x="(?P<x>[-\d.]+)" y="(?P<y>[-\d.]+)"(?P<attrs>[^>]*)>(?P<text>[^<]*)</text>')


def texts(svg: str) -> list[dict[str, str]]:
    return [m.groupdict() for m in TEXT.finditer(svg)]


def test_line_end_labels_of_series_ending_together_do_not_overlap() -> None:
    svg = evidence_charts.cumulative_chart(
        "c",
        "回答の推移",
        [0, 1, 2],
        [("訪問・督促なし", [0, 20, 40.0]), ("督促の後", [0, 20, 40.2]), ("訪問の後", [0, 20, 40.1])],
        markers=[(1, "督促"), (1, "訪問開始")],
    )
    series = [
        t
        for t in texts(svg)
        if any(t["text"].startswith(n) for n in ("訪問・督促なし", "督促の後", "訪問の後"))
    ]
    ys = sorted(float(t["y"]) for t in series)
    assert len(ys) == 3
    assert all(b - a >= 15 for a, b in itertools.pairwise(ys))
    markers = [float(t["y"]) for t in texts(svg) if t["text"] in ("督促", "訪問開始")]
    assert len(set(markers)) == 2, "two markers on the same day get their own lines"


def test_a_long_series_name_is_squeezed_into_the_margin_instead_of_clipped() -> None:
    svg = evidence_charts.cumulative_chart("c", "t", [0, 1], [("とても長い名前の回答経路の系列", [0, 50.0])])
    label = next(t for t in texts(svg) if t["text"].startswith("とても長い"))
    assert 'textLength="140"' in label["attrs"]


def test_the_legend_wraps_inside_the_chart_and_negative_figures_stay_clear_of_the_labels() -> None:
    names = ["重みなしの偏り", "無回答調整後の偏り", "較正後の偏り", "誤差の幅(就業率の95%信頼区間)"]
    svg = evidence_charts.grouped_bars(
        "g", "偏り", ["調査員を2割減らした場合の見込み"], [(n, [-3.5]) for n in names], unit="pt"
    )
    width = int(re.search(r'viewBox="0 0 (\d+) ', svg).group(1))  # type: ignore[union-attr]
    for t in texts(svg):
        if t["text"] in names:
            assert float(t["x"]) + evidence_charts._text_width(t["text"], 12) <= width
    label = next(t for t in texts(svg) if t["text"].startswith("調査員"))
    assert "textLength" in label["attrs"]
    figures = [float(t["x"]) for t in texts(svg) if t["text"] == "-3.5pt"]
    # Right-aligned figures left of the bars end after the label column.
    assert (
        min(figures) - evidence_charts._text_width("-3.5pt", evidence_charts._FONT - 1)
        >= evidence_charts._LABEL_W
    )


def test_fieldwork_bar_labels_fit_their_column() -> None:
    svg = fieldwork_charts.bar_chart(
        "b", "地区別", [("とても長い地区の名前が入る場合", 40.0), ("本町", 60.0)]
    )
    long_label = next(t for t in texts(svg) if t["text"].startswith("とても長い"))
    assert "textLength" in long_label["attrs"]
    short = next(t for t in texts(svg) if t["text"] == "本町")
    assert "textLength" not in short["attrs"]


def test_the_map_labels_its_axes_outside_the_frame_without_overlap() -> None:
    points = [pointmap.Point(34.0 + i * 0.3, 132.0 + i * 0.4) for i in range(8)]
    svg = pointmap.render(points, title="AED")
    frame = re.search(r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"', svg)
    assert frame is not None
    left, top, _width, height = (float(v) for v in frame.groups())
    lat = [t for t in texts(svg) if t["text"].endswith("°N")]
    lon = [t for t in texts(svg) if t["text"].endswith("°E")]
    assert lat
    assert lon
    assert all(float(t["x"]) < left for t in lat)
    assert all('text-anchor="end"' in t["attrs"] for t in lat)
    assert all(float(t["y"]) > top + height for t in lon)
    xs = sorted(float(t["x"]) for t in lon)
    assert all(b - a >= pointmap.MIN_LABEL_GAP for a, b in itertools.pairwise(xs))
