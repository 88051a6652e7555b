"""In-process checks of the open-data reader on odd files (the subprocess suite checks the CLI around it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.cli_contracts import hostile

from chiiki.opendata.engine import ReadError, check_readable, header_score, read_table, validate_file


def test_pipes_and_devices_are_refused_before_opening(tmp_path: Path) -> None:
    for path in (hostile.fifo(tmp_path), "/dev/zero"):
        with pytest.raises(ReadError, match="not a regular file"):
            check_readable(path)
        with pytest.raises(ReadError, match="not a regular file"):
            read_table(Path(path), header_score)


@pytest.mark.parametrize(
    ("builder", "encoding"),
    [(hostile.csv_utf16_bom, "UTF-16 (BOM付き)"), (hostile.csv_euc_jp, "EUC-JP")],
    ids=["utf-16", "euc-jp"],
)
def test_utf16_and_euc_jp_files_are_decoded(tmp_path: Path, builder: hostile.Builder, encoding: str) -> None:
    report = validate_file(builder(tmp_path)).report
    assert report.encoding == encoding
    assert report.dataset_id == "aed"
    assert report.rows == 1
    assert not any("読めない部分" in p.message for p in report.problems)


def test_lone_cr_line_endings_are_records(tmp_path: Path) -> None:
    table = read_table(Path(hostile.csv_lone_cr(tmp_path)), header_score)
    assert table.newline == "CR"
    assert table.frame.height == 2
    assert table.frame["c3"].to_list() == ["役場", "役場"]


@pytest.mark.parametrize(
    ("builder", "name"),
    [(hostile.pdf_as_csv, "PDF"), (hostile.png_as_xlsx, "PNG"), (hostile.ods_file, "OpenDocument .ods")],
    ids=["pdf", "png", "ods"],
)
def test_known_non_table_formats_are_named(tmp_path: Path, builder: hostile.Builder, name: str) -> None:
    with pytest.raises(ReadError, match=f"not a CSV or XLSX file \\({name}\\)"):
        read_table(Path(builder(tmp_path)), header_score)


def test_a_sheet_claiming_a_huge_range_is_not_read_cell_by_cell(tmp_path: Path) -> None:
    # Refused by its declared size before any cell is read (issue 13, finding 6), with the limit named.
    with pytest.raises(ReadError, match="more than 1,000 columns"):
        read_table(Path(hostile.xlsx_opendata_sparse(tmp_path)), header_score)


def test_xlsx_reading_still_finds_the_header_below_titles_and_reads_every_row(tmp_path: Path) -> None:
    path = hostile._xlsx(
        tmp_path,
        "titled.xlsx",
        {
            "Sheet": [
                [],
                ["AED設置箇所一覧"],
                hostile.AED_HEADER.split(","),
                *[hostile.AED_ROW.split(",") for _ in range(40)],
            ]
        },
    )
    table = read_table(Path(path), header_score)
    assert table.header_row == 3
    assert table.frame.height == 40
    assert table.header[:2] == ["全国地方公共団体コード", "ID"]
