"""Sharded DuckDB runs: one municipality or prefecture at a time, the same decisions as one run."""

from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path

import polars as pl
import pytest
from django.core.management import call_command

from chiiki.demo.linkage import SyntheticData
from chiiki.linkage.engine import LINKED, MOVED_REASON, REVIEW, LinkageResult, build_features, link_sharded

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
        municipality = pl.col("municipality")
        shard = (
            pl.when(municipality.str.contains(r"^\d{5,6}$"))
            .then(municipality.str.slice(0, 2))
            .otherwise(municipality)
        )
        return features.select(pl.col("unique_id").alias(id_column), shard.alias(name))

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
