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


# 15 食品等営業許可・届出一覧 as 岡崎市 publishes it on BODIK (232025_food_business_all.csv, 34 columns);
# 青梅市 and 東村山市 publish the same 34 columns on the Tokyo catalog.
FOOD_HEADER = (
    "全国地方公共団体コード,ID,地方公共団体名,施設名称,施設名称_カナ,施設名称_英字,営業の種類,業態,"
    "所在地_全国地方公共団体コード,町字ID,所在地_連結表記,施設所在地_都道府県,施設所在地_市区町村,"
    "施設所在地_町字,施設所在地_番地以下,施設方書,緯度,経度,施設電話番号,連絡先メールアドレス,"
    "連絡先FormURL,連絡先備考,郵便番号,法人名,法人番号,許可番号,初回許可年月日,許可年月日,許可開始日,"
    "許可満了日,廃業年月日,申請区分,許可条件,備考"
).split(",")


def test_food_business_schema_has_the_published_34_columns_in_order() -> None:
    assert [f.name for f in load_schemas()["food_business_license"].fields] == FOOD_HEADER


def test_published_food_business_file_is_recognized_and_dates_checked(tmp_path: Path) -> None:
    values = dict.fromkeys(FOOD_HEADER, "")
    values |= {
        "全国地方公共団体コード": "232025",
        "ID": "1",
        "地方公共団体名": "愛知県岡崎市",
        "施設名称": "喫茶ポエム",
        "営業の種類": "飲食店営業",
        "所在地_連結表記": "愛知県岡崎市康生通西1-1",
        "許可番号": "第123号",
        "許可年月日": "2026-08-31",
        "許可満了日": "令和14年8月31日",
    }
    bad = values | {"ID": "2", "許可年月日": "2026-13-45"}
    lines = [",".join(FOOD_HEADER), ",".join(values.values()), ",".join(bad.values())]
    path = tmp_path / "232025_food_business_all.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    result = validate_file(path)
    assert result.report.dataset_id == "food_business_license"
    assert result.frame is not None
    assert result.frame.row(0, named=True)["許可満了日"] == "2032-08-31"  # 和暦 normalized
    problems = [(p.row, p.column) for p in result.report.problems if p.severity == "error"]
    assert problems == [(3, "許可年月日")]
