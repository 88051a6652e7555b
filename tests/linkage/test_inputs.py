"""Reading input files: every encoding offices write, sex and dates as offices spell them, clear errors for
what users get wrong (naming the row and column), blanks allowed everywhere else."""

from __future__ import annotations

from pathlib import Path

import pytest

from chiiki.linkage.engine import InputError, parse_records, read_links, read_records, read_registry

HEADER = "person_id,name_kanji,name_kana,birth_date,sex,address,postal_code\n"
RECORD_HEADER = HEADER.replace("person_id", "record_id")


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


ROW = "P1,山田 太郎,ヤマダ タロウ,1980-01-01,1,東京都千代田区,\n"


@pytest.mark.parametrize("encoding", ["cp932", "utf-16", "euc_jp", "utf-8-sig"])
def test_files_in_the_encodings_municipal_systems_write_are_read(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "reg.csv"
    path.write_bytes((HEADER + ROW).encode(encoding))
    frame = read_registry(path)
    assert frame.row(0) == ("P1", "山田 太郎", "ヤマダ タロウ", "1980-01-01", "1", "東京都千代田区", None)


def test_a_tab_separated_shift_jis_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "reg.tsv"
    path.write_bytes((HEADER + ROW).replace(",", "\t").encode("cp932"))
    assert read_registry(path)["name_kanji"].to_list() == ["山田 太郎"]


def test_a_line_no_encoding_reads_is_refused_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "reg.csv"
    path.write_bytes((HEADER + ROW).encode("utf-8") + b"P2,\xff\xfe,,,,,\n")
    with pytest.raises(InputError, match="3 行目"):
        read_registry(path)


@pytest.mark.parametrize(
    ("written", "code"),
    [("1", "1"), ("2", "2"), ("男", "1"), ("女", "2"), ("男性", "1"), ("女性", "2"), ("M", "1"), ("F", "2"),
     ("m", "1"), ("f", "2"), ("１", "1"), ("Ｆ", "2"), ("", None)],
)  # fmt: skip
def test_sex_is_read_in_every_usual_spelling_as_the_registry_code(
    tmp_path: Path, written: str, code: str | None
) -> None:
    path = tmp_path / "rec.csv"
    path.write_text(RECORD_HEADER + f"R1,山田 太郎,,1980-01-01,{written},,\n", encoding="utf-8")
    assert read_records(path)["sex"].to_list() == [code]


def test_an_unknown_sex_refuses_the_file_naming_the_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "rec.csv"
    path.write_text(
        RECORD_HEADER + "R1,山田 太郎,,1980-01-01,男,,\nR2,山田 花子,,1982-03-04,X,,\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as refused:
        read_records(path)
    message = str(refused.value)
    assert "3行目「sex」列" in message
    assert "「X」" in message
    assert "M/F" in message


def test_wareki_birth_dates_are_accepted_and_kept_as_written(tmp_path: Path) -> None:
    path = tmp_path / "rec.csv"
    path.write_text(
        RECORD_HEADER
        + "R1,山田 太郎,,昭和55年5月17日,1,,\nR2,山田 花子,,S57.3.4,2,,\nR3,山田 次郎,,H2/1/8,1,,\n",
        encoding="utf-8",
    )
    assert read_records(path)["birth_date"].to_list() == ["昭和55年5月17日", "S57.3.4", "H2/1/8"]


def test_an_impossible_birth_date_refuses_the_file_naming_the_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "rec.csv"
    path.write_text(RECORD_HEADER + "R1,山田 太郎,,令和5年2月30日,1,,\n", encoding="utf-8")
    with pytest.raises(InputError, match="2行目「birth_date」列"):
        read_records(path)


def test_a_row_with_more_cells_than_the_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rec.csv"
    # An unquoted comma inside the address shifts the postal code into an eighth cell.
    path.write_text(
        RECORD_HEADER + "R1,山田 太郎,,1980-01-01,1,東京都千代田区,1丁目,1000001\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match="2行目: 見出しより列が多い"):
        read_records(path)


def test_an_upload_is_read_from_its_bytes_and_named_in_refusals() -> None:
    data = (RECORD_HEADER + "R1,山田 太郎,ﾔﾏﾀﾞ ﾀﾛｳ,S55.5.17,男,,\n").encode("cp932")
    frame = parse_records(data, source="insurer.csv")
    assert frame.row(0) == ("R1", "山田 太郎", "ﾔﾏﾀﾞ ﾀﾛｳ", "S55.5.17", "1", None, None)
    with pytest.raises(InputError, match=r"insurer\.csv"):
        parse_records(b"record_id,name\nR1,x\n", source="insurer.csv")


@pytest.mark.parametrize("data", [b"", b"%PDF-1.7\n", b"PK\x03\x04rest-of-a-workbook"])
def test_an_upload_that_is_not_a_table_is_refused(data: bytes) -> None:
    with pytest.raises(InputError, match=r"insurer\.pdf"):
        parse_records(data, source="insurer.pdf")


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


def test_a_file_with_only_its_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rec.csv"
    path.write_text(RECORD_HEADER, encoding="utf-8")
    with pytest.raises(InputError, match="データの行がありません"):
        read_records(path)


def test_parquet_inputs_are_read_and_checked_like_csv(tmp_path: Path) -> None:
    import polars as pl

    good = tmp_path / "registry.parquet"
    pl.DataFrame(
        {"person_id": ["P1"], "name_kanji": ["山田 太郎"], "name_kana": ["ヤマダ タロウ"], "birth_date": ["S48.1.2"],
         "sex": ["男"], "address": [None], "postal_code": [5900000]}
    ).write_parquet(good)  # fmt: skip
    frame = read_registry(good)
    assert frame.row(0, named=True)["sex"] == "1"
    assert frame.row(0, named=True)["postal_code"] == "5900000"
    bad = tmp_path / "records.parquet"
    pl.DataFrame(
        {"record_id": ["R1"], "name_kanji": ["x"], "name_kana": ["y"], "birth_date": ["x"]}
    ).write_parquet(bad)
    with pytest.raises(InputError, match="sex, address, postal_code"):
        read_records(bad)
