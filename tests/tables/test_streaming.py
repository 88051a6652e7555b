"""Reading a large table in batches: the same rows, encodings and refusals as reading it whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from chiiki.tables import TableReadError, read_delimited, stream_delimited

ROWS = [["P1", "山田 太郎", "ヤマダ タロウ"], ["P2", "高橋 花子", "タカハシ ハナコ"], ["P3", "", "スズキ"]]


def _text(delimiter: str = ",", newline: str = "\r\n") -> str:
    lines = [delimiter.join(["person_id", "name_kanji", "name_kana"])] + [delimiter.join(r) for r in ROWS]
    return newline.join(lines) + newline


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932", "utf-16", "euc_jp"])
def test_batches_hold_the_rows_the_whole_file_reader_reads(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(_text().encode(encoding))
    streamed = stream_delimited(path, batch_rows=2)
    whole = read_delimited(path.read_bytes())
    assert streamed.header == whole.header == ["person_id", "name_kanji", "name_kana"]
    assert streamed.encoding == whole.encoding
    batches = list(streamed.batches())
    assert [len(batch) for batch in batches] == [2, 1]
    assert [row for batch in batches for row in batch] == whole.rows
    if encoding != "euc_jp":  # these few EUC-JP bytes also read as cp932, which comes first for both readers
        assert whole.rows == ROWS


def test_a_tab_separated_file_with_lone_cr_is_split_as_whole(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_bytes(_text("\t", "\r").encode("cp932"))
    rows = [row for batch in stream_delimited(path).batches() for row in batch]
    assert rows == read_delimited(path.read_bytes()).rows == ROWS


def test_a_line_no_encoding_reads_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(_text(newline="\n").encode("utf-8") + b"P4,\xff\xfe\x80,\n")
    with pytest.raises(TableReadError) as whole:
        read_delimited(path.read_bytes())
    with pytest.raises(TableReadError) as streamed:
        stream_delimited(path)
    assert str(streamed.value) == str(whole.value)
    assert streamed.value.line == 5


@pytest.mark.parametrize("data", [b"", b"%PDF-1.4 ...", b"PK\x03\x04xlsx"])
def test_what_is_not_a_table_is_refused_before_reading(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    with pytest.raises(TableReadError):
        stream_delimited(path)
