"""Schemas checked against published files: the header a municipality publishes is recognized and valid."""

from __future__ import annotations

from pathlib import Path

from chiiki.opendata.engine import load_schemas, validate_file

# 28 ゴミの分別方法一覧 as published on BODIK by 東大阪市 (272272_28, nine columns) and 福岡市
# (401307_disposing-method, the first five): see standard/README.md.
GARBAGE_HEADER = [
    "全国地方公共団体コード",
    "ID",
    "品目",
    "分別区分",
    "注意点",
    "料金種別",
    "料金",
    "料金備考",
    "備考",
]


def test_garbage_sorting_schema_has_the_published_columns_in_order() -> None:
    fields = [f.name for f in load_schemas()["garbage_sorting"].fields]
    assert fields == [f"ゴミの分別方法_{name}" for name in GARBAGE_HEADER]


def test_published_garbage_sorting_file_is_recognized_and_valid(tmp_path: Path) -> None:
    header = ",".join(f"ゴミの分別方法_{name}" for name in GARBAGE_HEADER)
    rows = ["272272,1,アイロン,不燃の小物,,,,,", "272272,2,ソファー,大型ごみ,申込制,有料,1000,,"]
    path = tmp_path / "gomi.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    result = validate_file(path)
    assert result.report.dataset_id == "garbage_sorting"
    assert result.report.valid, result.report.to_text(limit=10)
    assert result.report.rows == 2


def test_five_column_garbage_sorting_file_is_recognized_without_errors(tmp_path: Path) -> None:
    header = ",".join(f"ゴミの分別方法_{name}" for name in GARBAGE_HEADER[:5])
    path = tmp_path / "gomi5.csv"
    path.write_text(header + "\n401307,1,アイロン,燃えないごみ,\n", encoding="utf-8")
    result = validate_file(path)
    assert result.report.dataset_id == "garbage_sorting"
    assert result.report.error_count == 0


def test_hiragana_gomi_prefix_is_the_same_column(tmp_path: Path) -> None:
    header = ",".join(f"ごみの分別方法_{name}" for name in GARBAGE_HEADER[:5])
    path = tmp_path / "gomi-hiragana.csv"
    path.write_text(header + "\n401307,1,アイロン,燃えないごみ,\n", encoding="utf-8")
    result = validate_file(path)
    assert result.report.dataset_id == "garbage_sorting"
    assert result.report.valid, result.report.to_text(limit=10)
    assert result.frame is not None
    assert set(result.frame.columns) >= {f"ゴミの分別方法_{n}" for n in GARBAGE_HEADER[:5]}
