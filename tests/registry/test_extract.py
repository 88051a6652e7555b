"""The registry importer names the row and column of every problem and writes nothing from a bad file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from chiiki.core.models import AuditEvent, Municipality
from chiiki.registry.extract import ExtractError, parse_extract
from chiiki.registry.models import Household, Person

HEADER = "世帯番号,住民番号,氏,名,氏カナ,名カナ,性別,生年月日,続柄,地区コード,地区名,住所,郵便番号\n"
GOOD = (
    "100,0001,山田,太郎,ヤマダ,タロウ,1,昭和25年4月1日,世帯主,01,大字上野,広島県府中町大字上野1番地,7350001\n"
    "100,0002,山田,花子,ヤマダ,ハナコ,2,1952/10/3,妻,01,大字上野,広島県府中町大字上野1番地,7350001\n"
    "101,0003,髙橋,一郎,タカハシ,イチロウ,男,H2.1.15,世帯主,02,本町一丁目,広島県府中町本町一丁目2番3号,\n"
)


def test_good_extract_in_utf8_with_bom_parses_with_wareki_dates() -> None:
    rows = parse_extract(("\ufeff" + HEADER + GOOD).encode("utf-8"))
    assert [r.birth_date for r in rows] == [date(1950, 4, 1), date(1952, 10, 3), date(1990, 1, 15)]
    assert rows[2].sex == "1"
    assert rows[2].family_name == "髙橋"


def test_shift_jis_extract_is_read() -> None:
    rows = parse_extract((HEADER + GOOD.replace("髙", "高")).encode("cp932"))
    assert rows[2].family_name == "高橋"


@pytest.mark.parametrize("encoding", ["utf-16", "euc_jp"])
def test_utf16_and_euc_jp_extracts_are_read(encoding: str) -> None:
    # 髙 is outside JIS X 0208, so an EUC-JP system writes 高.
    rows = parse_extract((HEADER + GOOD.replace("髙", "高")).replace(",", "\t").encode(encoding))
    assert [r.family_name for r in rows] == ["山田", "山田", "高橋"]


def test_a_line_in_no_known_encoding_is_named() -> None:
    data = (HEADER + GOOD).encode("utf-8") + b"102,\xff\xfe,,,,,,,,,,,\n"
    with pytest.raises(ExtractError, match="文字コード") as caught:
        parse_extract(data)
    assert [p.row for p in caught.value.problems] == [5]


def test_an_older_extract_with_the_header_kojin_bango_is_still_read() -> None:
    rows = parse_extract((HEADER.replace("住民番号", "個人番号") + GOOD).encode())
    assert [r.person_code for r in rows] == ["0001", "0002", "0003"]


@pytest.mark.parametrize(
    ("written", "code"),
    [("M", "1"), ("F", "2"), ("m", "1"), ("f", "2"), ("男性", "1"), ("女性", "2"), ("２", "2")],
)
def test_sex_is_read_in_every_usual_spelling(written: str, code: str) -> None:
    rows = parse_extract((HEADER + GOOD.replace(",男,", f",{written},")).encode())
    assert rows[2].sex == code


def test_missing_column_is_named() -> None:
    with pytest.raises(ExtractError) as caught:
        parse_extract((HEADER.replace(",生年月日", "") + GOOD).encode())
    assert [(p.row, p.column) for p in caught.value.problems] == [(1, "生年月日")]
    assert "必須の列「生年月日」" in str(caught.value)


def test_bad_dates_and_values_are_named_by_row_and_column_all_at_once() -> None:
    bad = GOOD.replace("昭和25年4月1日", "令和5年2月30日").replace(",男,", ",X,").replace("1952/10/3", "")
    with pytest.raises(ExtractError) as caught:
        parse_extract((HEADER + bad).encode())
    found = {(p.row, p.column) for p in caught.value.problems}
    assert found == {(2, "生年月日"), (3, "生年月日"), (4, "性別")}
    assert "2行目「生年月日」列" in str(caught.value)
    assert "令和5年2月30日" in str(caught.value)
    assert "4行目「性別」列: 性別が読めません: 「X」" in str(caught.value)


def test_duplicate_person_and_inconsistent_household_are_refused() -> None:
    bad = GOOD + "100,0001,山田,次郎,ヤマダ,ジロウ,1,2000-01-01,子,01,大字上野,広島県府中町大字上野9番地,\n"
    with pytest.raises(ExtractError) as caught:
        parse_extract((HEADER + bad).encode())
    messages = str(caught.value)
    assert "5行目「住民番号」列: 住民番号 0001 が2行目と重複" in messages
    assert "2行目と重複" in messages
    assert "5行目「住所」列" in messages


def test_problems_name_the_column_as_the_file_header_writes_it() -> None:
    english = "household_code,person_code,family_name,given_name,sex,birth_date,relationship,district_code,"
    english += "district_name,address\n100,0001,山田,太郎,9,1950-04-01,世帯主,01,上野,府中町上野1番地\n"
    with pytest.raises(ExtractError, match="2行目「sex」列"):
        parse_extract(english.encode())


@pytest.mark.parametrize("data", [b"", HEADER.encode(), b"\x00\x01\x02garbage", b"%PDF-1.4\n"])
def test_empty_or_junk_files_are_refused(data: bytes) -> None:
    with pytest.raises(ExtractError):
        parse_extract(data)


def _command(path: Path, code: str, *args: str) -> None:
    call_command("registry_import", str(path), "--municipality", code, *args)


def test_command_writes_nothing_from_a_file_with_one_bad_row(town_a: Municipality, tmp_path: Path) -> None:
    before = (Person.objects.count(), Household.objects.count(), AuditEvent.objects.count())
    path = tmp_path / "extract.csv"
    path.write_text(HEADER + GOOD.replace("H2.1.15", "2020-13-01"), encoding="utf-8")
    with pytest.raises(CommandError, match="4行目「生年月日」列"):
        _command(path, town_a.code, "--replace")
    assert (Person.objects.count(), Household.objects.count(), AuditEvent.objects.count()) == before


def test_command_replaces_the_registry_only_when_asked(town_a: Municipality, tmp_path: Path) -> None:
    path = tmp_path / "extract.csv"
    path.write_text(HEADER + GOOD, encoding="utf-8")
    with pytest.raises(CommandError, match="--replace"):
        _command(path, town_a.code)
    _command(path, town_a.code, "--replace")
    assert set(Person.objects.filter(municipality=town_a).values_list("given_name", flat=True)) == {
        "一郎",
        "花子",
        "太郎",
    }
    assert AuditEvent.objects.filter(action="registry.import", municipality=town_a).count() == 2


def test_command_reports_unknown_municipality_and_missing_file(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="見つかりません"):
        _command(tmp_path / "x.csv", "999999")
    Municipality.objects.create(
        code="352021",
        prefecture_code="35",
        prefecture="山口県",
        name="宇部市",
        name_kana="ウベシ",
        kind="city",
    )
    with pytest.raises(CommandError, match="ファイルを開けません"):
        _command(tmp_path / "missing.csv", "352021")
