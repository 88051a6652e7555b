"""The registry import reads an extract in chunks, in constant memory, still all or nothing, still naming the
row and column of every problem (issue 18 §4)."""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

import pytest

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality
from chiiki.registry import extract
from chiiki.registry.actions import import_extract
from chiiki.registry.extract import ExtractError, ExtractStream
from chiiki.registry.models import District, Household, Person

from .test_extract import GOOD, HEADER

BY = Actor.system("test")


def stream(text: str, *, encoding: str = "utf-8", chunk_rows: int = 2) -> ExtractStream:
    return ExtractStream(io.BytesIO(text.encode(encoding)), chunk_rows=chunk_rows)


def counts(town: Municipality) -> tuple[int, int, int]:
    return (
        Person.objects.filter(municipality=town).count(),
        Household.objects.filter(municipality=town).count(),
        District.objects.filter(municipality=town).count(),
    )


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp932", "utf-16", "euc_jp"])
def test_an_extract_is_loaded_chunk_by_chunk_in_every_encoding(town_a: Municipality, encoding: str) -> None:
    text = HEADER + GOOD.replace("髙", "高")
    if encoding in ("utf-16", "euc_jp"):
        text = text.replace(",", "\t")
    summary = import_extract(town_a, stream(text, encoding=encoding, chunk_rows=1), by=BY, replace=True)
    assert (summary.persons, summary.households, summary.districts) == (3, 2, 2)
    assert counts(town_a) == (3, 2, 2)
    assert Person.objects.get(person_code="0003").family_name == "高橋"
    assert Person.objects.get(person_code="0002").household.household_code == "100"  # joined across chunks


def test_clashes_across_chunks_name_the_first_row_and_nothing_is_written(town_a: Municipality) -> None:
    before = (AuditEvent.objects.count(), counts(town_a))
    late = (
        "102,0004,佐藤,一,サトウ,ハジメ,1,2001-01-01,世帯主,02,本町一丁目,広島県府中町本町一丁目5番,\n"
        "100,0001,山田,次郎,ヤマダ,ジロウ,1,2000-01-01,子,01,大字上野,広島県府中町大字上野9番地,\n"
    )
    bad = GOOD + late + GOOD.splitlines()[0].replace("昭和25年4月1日", "令和5年2月30日") + "\n"
    with pytest.raises(ExtractError) as caught:
        import_extract(town_a, stream(HEADER + bad, chunk_rows=2), by=BY, replace=True)
    messages = str(caught.value)
    assert "6行目「住民番号」列: 住民番号 0001 が2行目と重複しています" in messages
    assert "6行目「住所」列: 世帯番号 100 の住所または地区が2行目と違います" in messages
    assert "7行目「生年月日」列" in messages
    assert [p.row for p in caught.value.problems] == sorted(p.row for p in caught.value.problems)
    # The chunks written before the problem rolled back, and the registry being replaced is still there.
    assert (AuditEvent.objects.count(), counts(town_a)) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "空です"),
        (HEADER.encode(), "データの行がありません"),
        (b"%PDF-1.4\n", "CSV ではありません"),
        ((HEADER + GOOD).encode() + b"102,\xff\xfe,,,,,,,,,,,\n", "文字コード"),
    ],
)
def test_empty_junk_or_unreadable_files_are_refused_by_name(
    town_a: Municipality, data: bytes, message: str
) -> None:
    before = counts(town_a)
    with pytest.raises(ExtractError, match=message):
        import_extract(town_a, ExtractStream(io.BytesIO(data)), by=BY, replace=True)
    assert counts(town_a) == before


def _extract(path: Path, households: int) -> Path:
    """A synthetic extract of `households` two-person households."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        for number in range(households):
            address = f"広島県府中町本町{number % 97}丁目{number}番"
            for person, (given, relation) in enumerate((("太郎", "世帯主"), ("花子", "妻"))):
                out.write(
                    f"H{number},P{number}-{person},山田,{given},ヤマダ,タロウ,{person + 1},1960-01-01,{relation},"
                    f"{number % 12:02d},地区{number % 12},{address},7350001\n"
                )
    return path


def _peak(town: Municipality, path: Path) -> int:
    with path.open("rb") as handle:
        tracemalloc.start()
        try:
            import_extract(town, ExtractStream(handle, chunk_rows=500), by=BY, replace=True)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def test_memory_does_not_grow_with_the_size_of_the_extract(
    town_a: Municipality, town_b: Municipality, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The encoding check reads blocks of 1 MB; blocks of 64 KB let two small files stand for big ones.
    monkeypatch.setattr(extract, "_READ_BYTES", 1 << 16)
    small = _peak(town_a, _extract(tmp_path / "small.csv", 1_000))
    assert counts(town_a) == (2_000, 1_000, 12)
    large = _peak(town_b, _extract(tmp_path / "large.csv", 6_000))  # each replaces a small registry
    assert counts(town_b) == (12_000, 6_000, 12)
    # Six times the rows: holding them would take about six times the memory; chunks keep it flat.
    assert large < small * 1.5, (small, large)
