"""Engine tests: reading messy files, header mapping, recognition, normalization, the report."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from chiiki.opendata.engine import convert_file, load_schemas, recognize, resolve_kind, validate_file

from .conftest import cut_short_xlsx

HEADER = "全国地方公共団体コード,ID,地方公共団体名,名称,名称_カナ,所在地_連結表記,緯度,経度,開始時間,電話番号"
ROW = "352012,1,山口県下関市,海響館,カイキョウカン,山口県下関市あるかぽーと6-1,33.9566,130.9415,９：３０,083-228-1100"


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_thirty_one_standard_schemas_are_shipped():
    schemas = load_schemas()
    assert len(schemas) == 31
    assert [s.number for s in schemas.values()] == [f"{n:02d}" for n in range(1, 32)]
    assert schemas["public_facility"].title == "公共施設一覧"
    assert schemas["tourist_spot"].title == "観光ポイント一覧"


def test_kind_accepts_id_number_and_japanese_name():
    assert resolve_kind("aed").id == "aed"
    assert resolve_kind("AED設置箇所一覧").id == "aed"
    assert resolve_kind("08").id == "aed"
    with pytest.raises(KeyError):
        resolve_kind("存在しない")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_csv_in_any_common_encoding_and_newline_reads_the_same(tmp_path, encoding, newline):
    path = write(tmp_path, newline.join([HEADER, ROW, ""]), encoding)
    result = validate_file(path)
    assert result.report.dataset_id == "public_facility"
    assert result.report.valid, result.report.to_text()
    assert result.frame is not None
    assert result.frame["開始時間"][0] == "09:30"


def test_title_rows_above_the_header_are_skipped_and_rows_counted_as_in_the_file(tmp_path):
    bad = ROW.replace("33.9566", "95.1").replace(",1,", ",2,", 1)
    path = write(tmp_path, "\n".join(["下関市 公共施設一覧", "令和6年4月1日現在,,", HEADER, ROW, bad]))
    report = validate_file(path).report
    assert report.header_row == 3
    assert report.title_rows == 2
    errors = [p for p in report.problems if p.severity == "error"]
    assert [(p.row, p.column, p.value) for p in errors] == [(5, "緯度", "95.1")]


def test_xlsx_with_dates_and_numbers_is_read(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["イベント一覧"])
    sheet.append(["全国地方公共団体コード", "ID", "地方公共団体名", "イベント名", "開始日"])
    sheet.append([352012, 1, "山口県下関市", "花火大会", 45383])  # Excel serial 45383 = 2024-04-01
    path = tmp_path / "e.xlsx"
    book.save(path)
    result = validate_file(path, "event")
    assert result.report.header_row == 2
    assert result.frame is not None
    assert result.frame["開始日"][0] == "2024-04-01"
    assert result.frame["全国地方公共団体コード"][0] == "352012"


def test_empty_file_and_binary_junk_are_reported_not_raised(tmp_path):
    empty = write(tmp_path, "", name="empty.csv")
    junk = tmp_path / "junk.csv"
    junk.write_bytes(bytes(range(256)) * 10)
    for path in (empty, junk):
        report = validate_file(path).report
        assert not report.valid
        assert report.problems[0].severity == "error"


def test_xlsx_cut_short_inside_a_sheet_is_reported_not_raised(tmp_path):
    out = tmp_path / "out.csv"
    result = convert_file(cut_short_xlsx(tmp_path / "cut.xlsx"), out, dataset="aed")
    assert result.frame is None
    assert not out.exists()
    assert [p.code for p in result.report.problems] == ["unreadable"]
    assert "壊れているか、途中で切れています" in result.report.problems[0].message


def test_huge_field_is_read(tmp_path):
    row = ROW.replace("海響館", "館" * 200_000)
    report = validate_file(write(tmp_path, f"{HEADER}\n{row}\n")).report
    assert report.valid


def test_legacy_layout_is_recognized_and_mapped(tmp_path):
    header = (
        "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,名称,名称_カナ,住所,方書,緯度,経度,設置位置,"
        "電話番号,内線番号,法人番号,団体名,利用可能曜日,開始時間,終了時間,利用可能日時特記事項,小児対応設備の有無,URL,備考"
    )
    row = "35201,1,山口県,下関市,市役所,シヤクショ,下関市南部町1-1,,33.95,130.94,1階" + "," * 11
    path = write(tmp_path, f"{header}\n{row}\n", "cp932")
    result = validate_file(path)
    assert result.report.dataset_id == "aed"
    assert result.report.layout == "legacy_aed"
    assert result.frame is not None
    row = result.frame.row(0, named=True)
    assert row["全国地方公共団体コード"] == "352012"  # check digit restored
    assert row["地方公共団体名"] == "山口県下関市"
    assert row["所在地_連結表記"] == "下関市南部町1-1"


def test_unrecognizable_header_says_why():
    found = recognize(["どんな場所ですか？", "経度", "緯度", "画像"])
    assert found.schema is None
    assert "一致しません" in found.reason


def test_swapped_lat_lon_is_detected_and_fixed(tmp_path):
    row = ROW.replace("33.9566,130.9415", "130.9415,33.9566")
    result = validate_file(write(tmp_path, f"{HEADER}\n{row}\n"))
    assert result.report.valid
    assert any(p.code == "swapped_lat_lon" for p in result.report.problems)
    assert result.frame is not None
    assert result.frame["緯度"][0] == "33.9566"


def test_yes_no_marks_become_standard_words(tmp_path):
    header = "全国地方公共団体コード,ID,地方公共団体名,名称,小児対応設備の有無"
    rows = ["352012,1,下関市,A,○", "352012,2,下関市,B,×", "352012,3,下関市,C,1", "352012,4,下関市,D,たぶん"]
    result = validate_file(write(tmp_path, "\n".join([header, *rows])), "aed")
    assert result.frame is not None
    assert result.frame["小児対応設備の有無"].to_list() == ["有", "無", "有", "たぶん"]
    assert [(p.row, p.value) for p in result.report.problems if p.severity == "error"] == [(5, "たぶん")]


def test_convert_writes_standard_csv_and_json_report(tmp_path):
    src = write(tmp_path, f"{HEADER}\n{ROW}\n", "cp932")
    out, rep = tmp_path / "out.csv", tmp_path / "rep.json"
    result = convert_file(src, out, report_path=rep)
    assert result.report.valid
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0].split(",")[:3] == ["全国地方公共団体コード", "ID", "地方公共団体名"]
    assert json.loads(rep.read_text(encoding="utf-8"))["dataset_id"] == "public_facility"


def test_convert_of_unreadable_file_leaves_no_output(tmp_path):
    out = tmp_path / "out.csv"
    result = convert_file(write(tmp_path, ""), out)
    assert result.frame is None
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "f.csv"]
