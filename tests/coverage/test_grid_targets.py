"""Targets as data: the layout, refusals naming row and column, the diff between versions, which target applies."""

from __future__ import annotations

from pathlib import Path

import pytest

from chiiki.coverage.grid import TargetFileError, diff_targets, parse_targets, pick_target

SHIPPED = Path(__file__).resolve().parents[2] / "src" / "chiiki" / "coverage" / "data" / "targets.csv"
HEADER = "area_code,area_name,technology,fiscal_year,target_percent,published_percent,published_as_of,source,verified\n"


def test_the_shipped_table_reads_and_marks_what_is_unverified() -> None:
    rows = parse_targets(SHIPPED.read_bytes())
    national = next(r for r in rows if r.area_code == "00" and r.technology == "5G" and r.fiscal_year == 2030)
    assert (national.target_percent, national.published_percent, national.published_as_of) == (
        99.0,
        98.1,
        2023,
    )
    assert national.verified
    assert any(not r.verified for r in rows)
    assert all(r.source for r in rows)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("1,全国,5G,2030,99,,,x,yes", "2 行目の area_code 列"),
        ("00,全国,6G,2030,99,,,x,yes", "2 行目の technology 列"),
        ("00,全国,5G,令和12,99,,,x,yes", "2 行目の fiscal_year 列"),
        ("00,全国,5G,2030,101,,,x,yes", "2 行目の target_percent 列: 101.0 は 0〜100 の範囲外"),
        ("00,全国,5G,2030,99,,,x,maybe", "2 行目の verified 列"),
    ],
)
def test_bad_rows_refuse_the_table_naming_row_and_column(line: str, message: str) -> None:
    with pytest.raises(TargetFileError, match=message):
        parse_targets((HEADER + line + "\n").encode())


def test_a_repeated_area_year_is_refused() -> None:
    data = HEADER + "00,全国,5G,2030,99,,,x,yes\n00,全国,5G,2030,98,,,x,yes\n"
    with pytest.raises(TargetFileError, match="3 行目: 2 行目と同じ"):
        parse_targets(data.encode())


def test_the_diff_names_added_removed_and_changed_rows() -> None:
    old = parse_targets((HEADER + "00,全国,5G,2030,99,,,x,yes\n34,広島県,5G,2030,99,,,x,no\n").encode())
    new = parse_targets(
        (HEADER + "00,全国,5G,2030,99,98.1,2023,x,yes\n35,山口県,5G,2030,99,,,x,no\n").encode()
    )
    diff = diff_targets(old, new)
    lines = diff.lines()
    assert "+ 山口県 5G 2030年度 目標 99.0%" in lines
    assert "- 広島県 5G 2030年度 目標 99.0%" in lines
    assert any(line.startswith("~ 全国 5G 2030年度: published_percent: None → 98.1") for line in lines)
    assert diff_targets(new, new).is_empty


def test_the_most_specific_area_and_the_next_year_apply() -> None:
    rows = parse_targets(SHIPPED.read_bytes())
    shimane = pick_target(rows, ["322016", "32", "00"], "5G", 2024)
    assert shimane is not None
    assert (shimane.area_code, shimane.fiscal_year, shimane.target_percent) == ("32", 2025, 90.0)
    national_4g = pick_target(rows, ["322016", "32", "00"], "4G", 2026)
    assert national_4g is not None
    assert (national_4g.area_code, national_4g.fiscal_year) == (
        "00",
        2023,
    )  # past its year: the latest applies
    assert pick_target([], ["00"], "5G", 2026) is None
