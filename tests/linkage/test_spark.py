"""The Spark backend (Splink on Spark local[2]) decides every record as the DuckDB backend does.

One Spark session for the module (starting one costs most of a minute); skipped, with the reason, when
pyspark (`pip install 'chiiki[spark]'`) or Java is missing. CI installs both.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.core.management import call_command

from chiiki.linkage.engine import (
    LINKED,
    LinkageResult,
    link,
    read_records,
    read_registry,
    spark_available,
    spark_session,
)

pytestmark = [
    pytest.mark.spark,
    pytest.mark.slow,
    pytest.mark.skipif(spark_available() is not None, reason=f"Spark unavailable: {spark_available()}"),
]


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    session = spark_session("local[2]")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def parquet_inputs(
    synthetic_files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("spark-inputs")
    registry, records = folder / "registry.parquet", folder / "records.parquet"
    pl.read_csv(synthetic_files["registry"], infer_schema=False).write_parquet(registry)
    pl.read_csv(synthetic_files["records"], infer_schema=False).write_parquet(records)
    return {"registry": registry, "records": records}


@pytest.fixture(scope="module")
def both(
    spark: Any,
    synthetic_files: dict[str, Path],
    parquet_inputs: dict[str, Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[LinkageResult, Path, str]:
    duckdb_result = link(read_registry(synthetic_files["registry"]), read_records(synthetic_files["records"]))
    out = tmp_path_factory.mktemp("spark-out")
    stdout = StringIO()
    call_command(
        "linkage_run",
        registry=str(parquet_inputs["registry"]),
        records=str(parquet_inputs["records"]),
        out=str(out),
        engine="spark",
        spark_master="local[2]",
        work_dir=str(out / "work"),
        parquet=True,
        stdout=stdout,
    )
    return duckdb_result, out, stdout.getvalue()


def test_spark_and_duckdb_make_the_same_decision_for_every_record(
    both: tuple[LinkageResult, Path, str],
) -> None:
    duckdb_result, out, summary = both
    on_spark = pl.read_csv(out / "links.csv", infer_schema=False)
    on_duckdb = duckdb_result.links.select("record_id", pl.col("person_id").fill_null(""), "decision")
    joined = on_duckdb.join(
        on_spark.select("record_id", pl.col("person_id").fill_null(""), "decision"),
        on="record_id",
        how="full",
        suffix="_spark",
    )
    assert joined.height == on_duckdb.height == on_spark.height
    differ = joined.filter(
        (pl.col("decision") != pl.col("decision_spark")) | (pl.col("person_id") != pl.col("person_id_spark"))
    )
    assert differ.height == 0, differ
    assert (on_spark["decision"] == LINKED).sum() > on_spark.height // 2
    assert "spark local[2]" in summary


def test_spark_review_file_has_the_same_candidates_and_evidence(
    both: tuple[LinkageResult, Path, str],
) -> None:
    duckdb_result, out, _ = both
    with (out / "review.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    assert list(rows[0]) == duckdb_result.review.columns
    on_spark = pl.DataFrame(rows).select(
        "record_id", "candidate_rank", "person_id", "name_kanji_level", "address_level"
    )
    on_duckdb = duckdb_result.review.select(
        "record_id",
        pl.col("candidate_rank").cast(pl.String),
        "person_id",
        "name_kanji_level",
        "address_level",
    )
    assert on_spark.equals(on_duckdb)


def test_parquet_outputs_have_the_csv_columns(both: tuple[LinkageResult, Path, str]) -> None:
    _, out, _ = both
    links_csv = pl.read_csv(out / "links.csv", infer_schema=False)
    links_parquet = pl.read_parquet(out / "links.parquet")
    assert (
        links_parquet.columns
        == links_csv.columns
        == ["record_id", "person_id", "match_probability", "decision"]
    )
    assert links_parquet["decision"].to_list() == links_csv["decision"].to_list()
    review_parquet = pl.read_parquet(out / "review.parquet")
    with (out / "review.csv").open(encoding="utf-8-sig") as handle:
        assert handle.readline().strip().split(",") == review_parquet.columns
