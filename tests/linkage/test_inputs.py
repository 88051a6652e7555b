"""Reading input files: clear errors for what users get wrong, blanks allowed everywhere else."""

from __future__ import annotations

from pathlib import Path

import pytest

from chiiki.linkage.engine import InputError, read_links, read_records, read_registry

HEADER = "person_id,name_kanji,name_kana,birth_date,sex,address,postal_code\n"


def test_blank_values_are_read_as_missing(tmp_path: Path) -> None:
    path = tmp_path / "reg.csv"
    path.write_text(HEADER + "P1,山田 太郎,,,,,\n", encoding="utf-8")
    frame = read_registry(path)
    assert frame.row(0) == ("P1", "山田 太郎", None, None, None, None, None)


def test_extra_columns_and_a_bom_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "reg.csv"
    path.write_text("\ufeffnote," + HEADER.replace("\n", ",extra\n") + "x,P1,山田,,,,,,y\n", encoding="utf-8")
    assert read_registry(path)["person_id"].to_list() == ["P1"]


def test_a_missing_column_is_named_in_the_error(tmp_path: Path) -> None:
    path = tmp_path / "rec.csv"
    path.write_text("record_id,name_kanji\nR1,山田\n", encoding="utf-8")
    with pytest.raises(InputError, match="name_kana"):
        read_records(path)


def test_a_shift_jis_file_is_refused_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "reg.csv"
    path.write_bytes((HEADER + "P1,山田 太郎,ヤマダ タロウ,1980-01-01,1,東京都,\n").encode("cp932"))
    with pytest.raises(InputError, match="UTF-8"):
        read_registry(path)


def test_duplicate_ids_are_listed(tmp_path: Path) -> None:
    path = tmp_path / "reg.csv"
    path.write_text(HEADER + "P1,a,,,,,\nP2,b,,,,,\nP1,c,,,,,\n", encoding="utf-8")
    with pytest.raises(InputError, match="P1"):
        read_registry(path)


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="見つかりません"):
        read_links(tmp_path / "nothing.csv")


def test_an_empty_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="空"):
        read_records(path)
