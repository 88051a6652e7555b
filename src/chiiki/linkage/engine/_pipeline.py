"""Linking a records file to a registry file end to end, and writing links.csv and review.csv."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from chiiki.linkage.engine._decision import LINKED, REVIEW, UNMATCHED, DecisionRule, decide, evidence_columns
from chiiki.linkage.engine._decision import with_evidence_labels as _with_labels
from chiiki.linkage.engine._features import build_features, normalizing_pool
from chiiki.linkage.engine._inputs import RECORD_COLUMNS, REGISTRY_COLUMNS
from chiiki.linkage.engine._scoring import PairScorer, ScoringOptions, prior_probability, term_frequencies
from chiiki.tables import write_excel_csv

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

ProgressCallback = Callable[[str, int, int], None]
"""Called as (stage description, step, total steps) while a run advances."""

STAGES = (
    "住民登録の正規化 / normalizing registry",
    "レコードの正規化 / normalizing records",
    "u確率の推定 / estimating u",
    "候補の採点 / scoring candidates",
    "判定 / deciding",
)


@dataclass
class LinkageResult:
    """Outcome of :func:`link`: one row per record in ``links``, every candidate of review cases in ``review``."""

    links: pl.DataFrame
    review: pl.DataFrame
    timings: dict[str, float] = field(default_factory=dict)
    movers: pl.DataFrame | None = None
    """Sharded runs only: every candidate in another shard than its record (see `link_sharded`)."""

    def counts(self) -> dict[str, int]:
        """Number of records per decision."""
        counts = dict.fromkeys((LINKED, REVIEW, UNMATCHED), 0)
        for decision, number in self.links.group_by("decision").len().iter_rows():
            counts[str(decision)] = int(number)
        return counts


def link(
    registry: pl.DataFrame,
    records: pl.DataFrame,
    *,
    rule: DecisionRule | None = None,
    options: ScoringOptions | None = None,
    labels: pl.DataFrame | None = None,
    on_progress: ProgressCallback | None = None,
    spark: SparkSession | None = None,
    work_dir: str | Path | None = None,
    registry_size: int | None = None,
    workers: int | None = None,
) -> LinkageResult:
    """Link ``records`` (RECORD_COLUMNS) to ``registry`` (REGISTRY_COLUMNS) and decide each record.

    ``labels`` (record_id, person_id of confirmed matches), when given, refines the m probabilities.
    ``registry_size``, when ``registry`` is only part of the registry (the candidates of a few records and a
    sample, as the procedures' card sign-in reads it), is the size of the whole one: the prior and the
    term frequencies are taken against it, so a small frame neither makes a link likelier nor a name commoner
    than the whole registry would. The part must hold every person whose full name equals a record's (their
    counts are then complete); u is measured on it as on a whole registry.
    With ``spark`` (a session from `spark_session`), pairs are scored on Spark instead of DuckDB, through
    Parquet files in ``work_dir`` (shared storage on a cluster); the decisions are the same.
    ``workers`` processes build the comparison keys of large inputs (default: one per core; 1 for none).
    """
    if spark is not None and labels is not None:
        raise ValueError("labels are used on DuckDB only / ラベルによる m の学習は DuckDB でのみ行えます")
    if spark is not None and registry_size is not None:
        raise ValueError("registry_size is used on DuckDB only / registry_size は DuckDB でのみ使えます")
    rule = rule or DecisionRule()
    notify = on_progress or (lambda _stage, _step, _total: None)
    timings: dict[str, float] = {}
    start = time.perf_counter()

    with normalizing_pool(workers) as pool:
        notify(STAGES[0], 0, len(STAGES))
        registry_features = build_features(registry, "person_id", pool=pool)
        notify(STAGES[1], 1, len(STAGES))
        record_features = build_features(records, "record_id", pool=pool)
    timings["normalize"] = time.perf_counter() - start

    notify(STAGES[2], 2, len(STAGES))
    if spark is not None:
        from chiiki.linkage.engine._spark import score_on_spark

        if work_dir is None:
            raise ValueError("work_dir is needed with spark / Spark には作業フォルダが必要です")
        pairs = score_on_spark(
            spark,
            registry_features,
            record_features,
            rule.candidate_probability,
            work_dir,
            options=options,
            timings=timings,
        )
    else:
        prior, tf = None, None
        if registry_size:
            whole = max(registry_size, registry.height)
            prior = prior_probability(whole)
            tf = term_frequencies(registry_features, record_features, total=whole + records.height)
        with PairScorer(
            registry_features, record_features, options, prior=prior, term_frequencies=tf
        ) as scorer:
            mark = time.perf_counter()
            scorer.estimate_u()
            if labels is not None and labels.height:
                scorer.train_m_from_labels(labels)
            timings["estimate_u"] = time.perf_counter() - mark
            notify(STAGES[3], 3, len(STAGES))
            mark = time.perf_counter()
            pairs = scorer.predict(rule.candidate_probability)
            timings["predict"] = time.perf_counter() - mark

    notify(STAGES[4], 4, len(STAGES))
    mark = time.perf_counter()
    links, candidates = decide(pairs, records["record_id"], rule)
    review = review_table(candidates.filter(pl.col("decision") == REVIEW), registry, records)
    timings["decide"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - start
    notify("完了 / done", len(STAGES), len(STAGES))
    return LinkageResult(links, review, timings)


def link_sharded(
    registry: pl.DataFrame,
    records: pl.DataFrame,
    shard_by: str,
    *,
    rule: DecisionRule | None = None,
    options: ScoringOptions | None = None,
    on_progress: ProgressCallback | None = None,
    batch_rows: int | None = None,
) -> LinkageResult:
    """Like :func:`link` on DuckDB, one shard (``municipality`` or ``prefecture``) at a time.

    Decisions are those of one run, except that a record whose best candidate is in another shard goes to
    review; ``movers`` lists every cross-shard candidate. See `_shards` for how.
    """
    from chiiki.linkage.engine._shards import score_sharded

    rule = rule or DecisionRule()
    notify = on_progress or (lambda _stage, _step, _total: None)
    start = time.perf_counter()
    notify(STAGES[0], 0, len(STAGES))
    run = score_sharded(
        registry,
        records,
        shard_by,
        rule,
        options=options,
        notify=lambda message: notify(message, 3, len(STAGES)),
        **({"batch_rows": batch_rows} if batch_rows else {}),
    )
    notify(STAGES[4], 4, len(STAGES))
    review = review_table(run.candidates.filter(pl.col("decision") == REVIEW), registry, records)
    timings = {**run.timings, "total": time.perf_counter() - start}
    timings.update(
        shard_count=float(run.shards),
        largest_shard=float(run.largest_shard),
        cross_pairs=float(run.cross_pairs),
    )
    notify("完了 / done", len(STAGES), len(STAGES))
    return LinkageResult(run.links, review, timings, movers=run.movers)


def link_sharded_files(
    registry_path: str | Path,
    records_path: str | Path,
    shard_by: str,
    *,
    work_dir: str | Path,
    rule: DecisionRule | None = None,
    options: ScoringOptions | None = None,
    on_progress: ProgressCallback | None = None,
    batch_rows: int | None = None,
    read_rows: int | None = None,
    workers: int | None = None,
) -> LinkageResult:
    """Like :func:`link_sharded`, reading the registry and records files (CSV or Parquet) in batches.

    Memory is bounded by the largest batch of shards plus small global tables (u, term frequencies) and the
    result; rows, comparison keys and scored pairs are kept as Parquet files in a folder of its own under
    ``work_dir``, removed at the end. Files are checked as `read_registry` and `read_records` check them,
    with the same refusals (`InputError`), before any pair is scored. See `_shard_files` for how.
    ``workers`` processes build the comparison keys (default: one per core).
    """
    from chiiki.linkage.engine._shard_files import run_sharded_files

    rule = rule or DecisionRule()
    notify = on_progress or (lambda _stage, _step, _total: None)
    start = time.perf_counter()
    notify(STAGES[0], 0, len(STAGES))
    run = run_sharded_files(
        registry_path,
        records_path,
        shard_by,
        rule,
        work_dir=work_dir,
        options=options,
        notify=lambda message: notify(message, 3, len(STAGES)),
        **({"batch_rows": batch_rows} if batch_rows else {}),
        **({"read_rows": read_rows} if read_rows else {}),
        workers=workers,
    )
    timings = {
        **run.timings,
        "total": time.perf_counter() - start,
        "registry_rows": float(run.registry_rows),
        "record_rows": float(run.record_rows),
    }
    notify("完了 / done", len(STAGES), len(STAGES))
    return LinkageResult(run.links, run.review, timings, movers=run.movers)


def review_table(candidates: pl.DataFrame, registry: pl.DataFrame, records: pl.DataFrame) -> pl.DataFrame:
    """Put each candidate's registry values beside the record's, with the per-field evidence."""
    labelled = _with_labels(candidates)
    record_side = records.rename({c: f"record_{c}" for c in RECORD_COLUMNS[1:]})
    person_side = registry.rename({c: f"person_{c}" for c in REGISTRY_COLUMNS[1:]})
    table = labelled.join(record_side, on="record_id", how="left").join(
        person_side, on="person_id", how="left"
    )
    side_by_side = [col for c in RECORD_COLUMNS[1:] for col in (f"record_{c}", f"person_{c}")]
    return table.select(
        "record_id",
        pl.col("rank").alias("candidate_rank"),
        "person_id",
        pl.col("match_probability").round(6),
        pl.col("match_weight").round(2),
        *evidence_columns(),
        *side_by_side,
    ).sort("record_id", "candidate_rank")


def write_outputs(result: LinkageResult, out_dir: str | Path, *, parquet: bool = False) -> tuple[Path, Path]:
    """Write ``links.csv`` (plain UTF-8, for programs) and ``review.csv`` (UTF-8 with BOM, for Excel).

    With ``parquet``, also ``links.parquet`` and ``review.parquet`` with the same columns.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    links_path, review_path = out / "links.csv", out / "review.csv"
    links = result.links.select("record_id", "person_id", pl.col("match_probability").round(6), "decision")
    links.write_csv(links_path)
    write_excel_csv(result.review, review_path)
    if parquet:
        links.write_parquet(out / "links.parquet")
        result.review.write_parquet(out / "review.parquet")
    if result.movers is not None:
        write_excel_csv(result.movers, out / "movers.csv")
        if parquet:
            result.movers.write_parquet(out / "movers.parquet")
    return links_path, review_path
