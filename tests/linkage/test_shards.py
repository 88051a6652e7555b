"""Sharded DuckDB runs: one municipality or prefecture at a time, the same decisions as one run."""

from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path

import polars as pl
import pytest
from django.core.management import call_command

from chiiki.demo.linkage import RECORD_COLUMNS, REGISTRY_COLUMNS, SyntheticData
from chiiki.linkage.engine import (
    LINKED,
    MOVED_REASON,
    REVIEW,
    InputError,
    LinkageResult,
    build_features,
    link_sharded,
    link_sharded_files,
    read_records,
    read_registry,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sharded(synthetic: SyntheticData) -> LinkageResult:
    # Batches of at most 500 rows: the 1,500 records are scored in several DuckDB runs, not one.
    return link_sharded(
        pl.DataFrame(synthetic.registry), pl.DataFrame(synthetic.records), "prefecture", batch_rows=500
    )


def _shards(synthetic: SyntheticData) -> tuple[pl.DataFrame, pl.DataFrame]:
    def prefecture(frame: pl.DataFrame, id_column: str, name: str) -> pl.DataFrame:
        features = build_features(frame, id_column)
        return features.select(pl.col("unique_id").alias(id_column), pl.col("prefecture").alias(name))

    return (
        prefecture(pl.DataFrame(synthetic.records), "record_id", "record_shard"),
        prefecture(pl.DataFrame(synthetic.registry), "person_id", "person_shard"),
    )


def test_records_within_a_shard_are_decided_as_in_one_run(
    sharded: LinkageResult, linked: tuple[LinkageResult, pl.DataFrame], synthetic: SyntheticData
) -> None:
    one_run, _ = linked
    assert sharded.timings["shard_count"] > 5
    record_shards, person_shards = _shards(synthetic)
    joined = (
        one_run.links.select("record_id", pl.col("person_id").fill_null(""), "decision")
        .join(
            sharded.links.select("record_id", pl.col("person_id").fill_null(""), "decision", "reason"),
            on="record_id",
            suffix="_sharded",
        )
        .join(record_shards, on="record_id", how="left")
        .join(
            person_shards.rename({"person_id": "person_id_best"}),
            left_on="person_id",
            right_on="person_id_best",
            how="left",
        )
    )
    assert joined.height == one_run.links.height
    within = joined.filter(
        pl.col("person_shard").is_null()
        | pl.col("record_shard").is_null()
        | (pl.col("person_shard") == pl.col("record_shard"))
    )
    assert within.height > 0.9 * joined.height
    differ = within.filter(
        (pl.col("decision") != pl.col("decision_sharded"))
        | (pl.col("person_id") != pl.col("person_id_sharded"))
    )
    assert differ.height == 0, differ
    # A record whose best candidate is in another shard is never linked: it goes to review as a mover.
    across = joined.filter(pl.col("person_shard") != pl.col("record_shard"))
    assert (across["decision_sharded"] != LINKED).all()
    held = across.filter(pl.col("decision") == LINKED)
    assert (held["decision_sharded"] == REVIEW).all()
    assert (held["reason"] == MOVED_REASON).all()


def test_cross_shard_candidates_are_listed_and_sent_to_review(
    sharded: LinkageResult, synthetic: SyntheticData
) -> None:
    movers = sharded.movers
    assert movers is not None
    assert movers.height > 0
    assert (movers["record_shard"] != movers["person_shard"]).all()
    truth = pl.DataFrame(synthetic.truth)
    moved = truth.filter(pl.col("patterns").str.contains("moved") & (pl.col("person_id") != ""))
    listed = movers.join(moved, on=["record_id", "person_id"])
    assert listed.height > 0  # people who really moved appear with their registry entry
    best_elsewhere = movers.filter(pl.col("candidate_rank") == 1)["record_id"].to_list()
    decided = sharded.links.filter(pl.col("record_id").is_in(best_elsewhere))
    assert (decided["decision"] != LINKED).all()


def test_sharded_run_makes_no_wrong_link(sharded: LinkageResult, synthetic: SyntheticData) -> None:
    truth = pl.DataFrame(synthetic.truth).rename({"person_id": "true_person_id"})
    wrong = sharded.links.join(truth, on="record_id").filter(
        (pl.col("decision") == LINKED) & (pl.col("person_id") != pl.col("true_person_id"))
    )
    assert wrong.height == 0, wrong


def test_cli_shard_by_municipality_writes_movers(synthetic_files: dict[str, Path], tmp_path: Path) -> None:
    out = StringIO()
    call_command(
        "linkage_run",
        registry=str(synthetic_files["registry"]),
        records=str(synthetic_files["records"]),
        out=str(tmp_path / "out"),
        shard_by="municipality",
        shard_batch_rows=150,
        stdout=out,
    )
    with (tmp_path / "out" / "movers.csv").open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle))
    assert header == [
        "record_id",
        "record_shard",
        "candidate_rank",
        "person_id",
        "person_shard",
        "match_probability",
        "decision",
    ]
    assert "shards by municipality" in out.getvalue()
    assert "cross-shard candidates" in out.getvalue()


def _encodable(rows: list[dict[str, str]], encoding: str) -> list[dict[str, str]]:
    """The rows Shift_JIS can hold (the synthetic data has a few characters only Unicode has, such as 𠮷)."""
    kept = []
    for row in rows:
        try:
            ",".join(row.values()).encode(encoding)
        except UnicodeEncodeError:
            continue
        kept.append(row)
    return kept


@pytest.fixture(scope="module")
def shard_files(tmp_path_factory: pytest.TempPathFactory, synthetic: SyntheticData) -> dict[str, Path]:
    """The registry as Shift_JIS CSV with sex as 男/女, the records as Parquet."""
    folder = tmp_path_factory.mktemp("shard-files")
    registry = [
        {**row, "sex": {"1": "男", "2": "女"}.get(row["sex"], row["sex"])}
        for row in _encodable(synthetic.registry, "cp932")
    ]
    registry_path = folder / "registry.csv"
    with registry_path.open("w", encoding="cp932", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=REGISTRY_COLUMNS)
        writer.writeheader()
        writer.writerows(registry)
    records_path = folder / "records.parquet"
    pl.DataFrame(synthetic.records).write_parquet(records_path)
    return {"registry": registry_path, "records": records_path}


def test_a_run_from_files_decides_every_record_as_the_run_in_memory(
    shard_files: dict[str, Path], tmp_path: Path
) -> None:
    registry = read_registry(shard_files["registry"])
    records = read_records(shard_files["records"])
    assert set(registry["sex"].drop_nulls().unique()) == {"1", "2"}  # 男/女 read as the registry's codes
    in_memory = link_sharded(registry, records, "prefecture", batch_rows=500)
    # Read 300 rows at a time: every file is read, checked and given its keys in several batches.
    from_files = link_sharded_files(
        shard_files["registry"],
        shard_files["records"],
        "prefecture",
        work_dir=tmp_path / "work",
        batch_rows=500,
        read_rows=300,
    )
    assert from_files.links.height == records.height
    assert from_files.links.equals(in_memory.links)
    assert from_files.review.equals(in_memory.review)
    assert from_files.movers is not None
    assert in_memory.movers is not None
    assert from_files.movers.height > 0
    assert from_files.movers.equals(in_memory.movers)
    assert from_files.review.height > 0
    for key in ("shard_count", "largest_shard", "cross_pairs"):
        assert from_files.timings[key] == in_memory.timings[key], key
    assert list((tmp_path / "work").iterdir()) == []  # the run's own folder is removed


def _refusals(path: Path, tmp_path: Path, registry: Path) -> tuple[str, str]:
    with pytest.raises(InputError) as whole:
        read_records(path)
    with pytest.raises(InputError) as batched:
        link_sharded_files(registry, path, "municipality", work_dir=tmp_path / "work", read_rows=2)
    return str(batched.value), str(whole.value)


RECORD_HEADER = ",".join(RECORD_COLUMNS) + "\n"


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("R1,山田 太郎,,1980-01-01,男,,\nR2,山田 花子,,1982-03-04,F,,\nR3,鈴木 一郎,,1970-05-06,X,,\n", "4行目「sex」列"),
        ("R1,山田 太郎,,1980-01-01,男,,\nR2,山田 花子,,1982-03-04,女,,\nR3,鈴木 一郎,,昭和99年13月1日,1,,\n", "4行目「birth_date」列"),
        ("R1,山田 太郎,,,,,\nR2,山田 花子,,,,,\nR1,鈴木 一郎,,,,,\n", "record_id が重複"),
        ("", "データの行がありません"),
    ],
)  # fmt: skip
def test_a_bad_records_file_is_refused_as_the_whole_file_reader_refuses_it(
    shard_files: dict[str, Path], tmp_path: Path, body: str, named: str
) -> None:
    path = tmp_path / "records.csv"
    path.write_bytes((RECORD_HEADER + body).encode("cp932"))
    batched, whole = _refusals(path, tmp_path, shard_files["registry"])
    assert batched == whole
    assert named in batched


def test_a_missing_column_is_refused_before_the_registry_is_read(
    shard_files: dict[str, Path], tmp_path: Path
) -> None:
    path = tmp_path / "records.csv"
    path.write_text("record_id,name_kanji\nR1,山田\n", encoding="utf-8")
    batched, whole = _refusals(path, tmp_path, shard_files["registry"])
    assert batched == whole
    assert "name_kana" in batched
    assert not (tmp_path / "work").exists()  # refused on opening: nothing was read or written
