"""One table-reading policy: every encoding a municipal system writes, and a named refusal for the rest."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chiiki.tables import TableReadError, decode, read_delimited, read_table_bytes

TEXT = "住民票コード,氏名,性別\r\n000000000001,髙橋 﨑子,女\r\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "UTF-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "UTF-8 (BOM付き)"),
        (TEXT.encode("cp932"), "Shift_JIS (cp932)"),
        (TEXT.encode("utf-16"), "UTF-16 (BOM付き)"),
    ],
)
def test_each_encoding_reads_to_the_same_rows(data: bytes, encoding: str) -> None:
    table = read_delimited(data)
    assert table.encoding == encoding
    assert table.header == ["住民票コード", "氏名", "性別"]
    assert table.rows == [["000000000001", "髙橋 﨑子", "女"]]


def test_euc_jp_from_old_unix_systems_is_read() -> None:
    text = "氏名,住所\n山田 太郎,緑川市中央一丁目\n"
    assert decode(text.encode("euc_jp")).text == text


def test_tabs_and_a_lone_cr_are_understood() -> None:
    table = read_delimited(b"a\tb\r1\t2\r")
    assert (table.delimiter, table.header, table.rows) == ("\t", ["a", "b"], [["1", "2"]])


def test_a_line_in_no_known_encoding_is_refused_naming_the_line() -> None:
    data = "氏名\n山田\n".encode() + b"\xff\xfe\xfd\x80\n"
    with pytest.raises(TableReadError, match="3 行目"):
        read_delimited(data, label="照合対象")


def test_a_file_without_a_header_is_refused() -> None:
    with pytest.raises(TableReadError, match="見出し行"):
        read_delimited(b",,\n")


@pytest.mark.parametrize(
    ("data", "named"),
    [
        (b"%PDF-1.7\n", "PDF"),
        (b"\x89PNG\r\n\x1a\n", "PNG"),
        (b"PK\x03\x04" + b"\x00" * 40, ".xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40, ".xls"),
        (b"", "空"),
    ],
)
def test_files_that_are_not_csv_are_named(tmp_path: Path, data: bytes, named: str) -> None:
    path = tmp_path / "upload.csv"
    path.write_bytes(data)
    with pytest.raises(TableReadError, match=named.replace(".", r"\.")):
        read_table_bytes(path, label="住民基本台帳の抽出")


def test_a_pipe_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    with pytest.raises(TableReadError, match="パイプ"):
        read_table_bytes(fifo)


# A loaded CI machine must not fail the health check: the property, not the speed, is under test.
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(st.text(alphabet="あア漢字abc123 ", min_size=1, max_size=8), min_size=2, max_size=2))
)
def test_any_cp932_table_reads_back_its_cells(rows: list[list[str]]) -> None:
    lines = ["列一,列二", *(",".join(row) for row in rows)]
    table = read_delimited("\r\n".join(lines).encode("cp932"))
    assert table.rows == rows
