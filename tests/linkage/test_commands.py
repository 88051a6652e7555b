"""The CLI contract of `chiiki linkage run|audit|synth`: files in, files out, exit 1 with a message on bad input."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_run_writes_one_link_per_record_and_a_summary(
    synthetic_files: dict[str, Path], tmp_path: Path
) -> None:
    out = StringIO()
    call_command(
        "linkage_run",
        registry=str(synthetic_files["registry"]),
        records=str(synthetic_files["records"]),
        out=str(tmp_path / "out"),
        stdout=out,
    )
    with (tmp_path / "out" / "links.csv").open(encoding="utf-8", newline="") as handle:
        header = handle.readline().strip()
    assert header == "record_id,person_id,match_probability,decision"
    links = _rows(tmp_path / "out" / "links.csv")
    records = _rows(synthetic_files["records"])
    assert [row["record_id"] for row in links] == [row["record_id"] for row in records]
    truth = {row["record_id"]: row["person_id"] for row in _rows(synthetic_files["truth"])}
    for row in links:
        if row["decision"] == "linked":
            assert row["person_id"] == truth[row["record_id"]]
        if row["decision"] == "review":
            assert row["person_id"]
        if row["decision"] == "unmatched":
            assert row["person_id"] == ""
    assert (tmp_path / "out" / "review.csv").exists()
    assert "linked" in out.getvalue()


def test_audit_ranks_a_swapped_link_as_suspicious(synthetic_files: dict[str, Path], tmp_path: Path) -> None:
    truth = [row for row in _rows(synthetic_files["truth"]) if row["person_id"]]
    links = [{"record_id": row["record_id"], "person_id": row["person_id"]} for row in truth]
    links[0]["person_id"], links[1]["person_id"] = links[1]["person_id"], links[0]["person_id"]
    existing = tmp_path / "existing.csv"
    with existing.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["record_id", "person_id"])
        writer.writeheader()
        writer.writerows(links)
    call_command(
        "linkage_audit",
        registry=str(synthetic_files["registry"]),
        records=str(synthetic_files["records"]),
        links=str(existing),
        out=str(tmp_path / "audit"),
        stdout=StringIO(),
    )
    flagged = _rows(tmp_path / "audit" / "audit.csv")
    swapped = {links[0]["record_id"], links[1]["record_id"]}
    top = {row["record_id"] for row in flagged[:2]}
    assert top == swapped
    assert "another_person_fits_better" in flagged[0]["reasons"]


def test_synth_writes_registry_records_and_truth(tmp_path: Path) -> None:
    call_command("linkage_synth", persons=50, records=40, out=str(tmp_path), seed=3, stdout=StringIO())
    assert len(_rows(tmp_path / "registry.csv")) == 50
    assert len(_rows(tmp_path / "records.csv")) == 40
    assert set(_rows(tmp_path / "truth.csv")[0]) == {"record_id", "person_id", "patterns"}


def test_run_refuses_a_registry_without_its_columns(synthetic_files: dict[str, Path], tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("person_id,name\nP1,x\n", encoding="utf-8")
    with pytest.raises(CommandError, match="name_kanji"):
        call_command(
            "linkage_run", registry=str(bad), records=str(synthetic_files["records"]), out=str(tmp_path)
        )


def test_run_refuses_duplicate_record_ids(synthetic_files: dict[str, Path], tmp_path: Path) -> None:
    bad = tmp_path / "dup.csv"
    bad.write_text(
        "record_id,name_kanji,name_kana,birth_date,sex,address,postal_code\nR1,a,,,,,\nR1,b,,,,,\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="R1"):
        call_command(
            "linkage_run", registry=str(synthetic_files["registry"]), records=str(bad), out=str(tmp_path)
        )


def test_bad_input_exits_1_with_a_message_and_no_traceback(
    synthetic_files: dict[str, Path], tmp_path: Path
) -> None:
    bad = tmp_path / "broken.csv"
    bad.write_bytes(
        "record_id,name_kanji,name_kana,birth_date,sex,address,postal_code\nR1,山田,,,,,\n".encode()
        + b"R2,\xff\xfe,,,,,\n"  # bytes that no encoding reads
    )
    completed = subprocess.run(
        [sys.executable, "-m", "chiiki", "linkage", "run", "--registry", str(synthetic_files["registry"]),
         "--records", str(bad), "--out", str(tmp_path / "o")],
        capture_output=True, text=True, check=False, env={**os.environ}, timeout=120,
    )  # fmt: skip
    assert completed.returncode == 1
    assert "3 行目" in completed.stderr
    assert "UTF-8" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_a_sharded_run_refuses_a_bad_file_with_a_message_and_no_traceback(
    synthetic_files: dict[str, Path], tmp_path: Path
) -> None:
    bad = tmp_path / "records.csv"
    bad.write_bytes(
        "record_id,name_kanji,name_kana,birth_date,sex,address,postal_code\nR1,山田,,,男,,\nR2,鈴木,,,X,,\n".encode(
            "cp932"
        )
    )
    completed = subprocess.run(
        [sys.executable, "-m", "chiiki", "linkage", "run", "--registry", str(synthetic_files["registry"]),
         "--records", str(bad), "--out", str(tmp_path / "o"), "--shard-by", "prefecture",
         "--work-dir", str(tmp_path / "work")],
        capture_output=True, text=True, check=False, env={**os.environ}, timeout=120,
    )  # fmt: skip
    assert completed.returncode == 1
    assert "3行目「sex」列" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert not (tmp_path / "o").exists()
    assert list((tmp_path / "work").iterdir()) == []  # the run's temporary files are removed


_MUNICIPAL_REGISTRY = (
    "person_id,name_kanji,name_kana,birth_date,sex,address,postal_code\n"
    "P1,渡邊 裕子,ワタナベ ユウコ,昭和55年5月17日,女,東京都八王子市元町二丁目3番4号,192-0000\n"
    "P2,山田 太郎,ヤマダ タロウ,S48.1.2,M,大阪府堺市堺区中央一丁目1番1号,590-0000\n"
    "P3,佐藤 花子,サトウ ハナコ,H2/3/4,2,北海道札幌市中央区北一条西二丁目5番6号,060-0001\n"
)
_MUNICIPAL_RECORDS = (
    "record_id,name_kanji,name_kana,birth_date,sex,address,postal_code\n"
    "R1,渡辺 裕子,ﾜﾀﾅﾍﾞ ﾕｳｺ,1980/05/17,F,八王子市元町2-3-4,1920000\n"
    "R2,山田 太郎,ヤマダ タロウ,昭和48年1月2日,男,堺市堺区中央1-1-1,590-0000\n"
    "R3,佐藤 花子,サトウ ハナコ,平成2年3月4日,女性,札幌市中央区北一条西2-5-6,0600001\n"
)


def test_run_reads_files_as_municipalities_hand_them_over(tmp_path: Path) -> None:
    # Shift_JIS (as Windows writes it), sex as 1/2, 男/女, 男性/女性 and M/F, birth dates in 和暦 and 西暦.
    registry, records = tmp_path / "registry.csv", tmp_path / "records.csv"
    registry.write_bytes(_MUNICIPAL_REGISTRY.encode("cp932"))
    records.write_bytes(_MUNICIPAL_RECORDS.encode("cp932"))
    call_command(
        "linkage_run",
        registry=str(registry),
        records=str(records),
        out=str(tmp_path / "out"),
        stdout=StringIO(),
    )
    links = {row["record_id"]: row for row in _rows(tmp_path / "out" / "links.csv")}
    assert {record: row["person_id"] for record, row in links.items()} == {"R1": "P1", "R2": "P2", "R3": "P3"}


@pytest.mark.parametrize(
    ("column", "bad", "good"),
    [("sex", "不明", "女"), ("birth_date", "昭和65年1月1日", "昭和55年5月17日")],
)
def test_run_refuses_an_unreadable_value_at_once_naming_the_row_and_column(
    tmp_path: Path, column: str, bad: str, good: str
) -> None:
    records = tmp_path / "records.csv"
    rows = _MUNICIPAL_RECORDS.replace("昭和55年5月17日", good)
    header, first, *rest = rows.splitlines()
    cells = dict(zip(header.split(","), first.split(","), strict=True))
    cells[column] = bad
    records.write_bytes("\n".join([header, ",".join(cells.values()), *rest, ""]).encode("cp932"))
    registry = tmp_path / "registry.csv"
    registry.write_bytes(_MUNICIPAL_REGISTRY.encode("cp932"))
    with pytest.raises(CommandError) as caught:
        call_command(
            "linkage_run",
            registry=str(registry),
            records=str(records),
            out=str(tmp_path / "out"),
            stdout=StringIO(),
        )
    assert f"2行目「{column}」列" in str(caught.value)
    assert not (tmp_path / "out").exists()  # refused before any work: nothing written


def test_run_refuses_zero_workers(synthetic_files: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--workers"):
        call_command(
            "linkage_run",
            registry=str(synthetic_files["registry"]),
            records=str(synthetic_files["records"]),
            out=str(tmp_path),
            workers=0,
        )
