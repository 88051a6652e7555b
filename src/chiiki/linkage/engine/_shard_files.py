"""Sharded runs from files: memory bounded by the largest shard (plus small global tables), not by the inputs.

The same steps as `_shards` (same u, term frequencies and prior for every shard; cross-shard pairs from the
blocking keys of the rules that can cross a shard; records whose best candidate is in another shard held for
review), but every large table lives in Parquet files under ``work_dir`` and DuckDB joins them out of core:

1. split: each input is read once in batches (`BatchReader`, the same checks and refusals as
   `read_registry`/`read_records`), its comparison keys built batch by batch, and every row written with its
   shard; DuckDB then rewrites the rows into one folder per batch of shards (``COPY … PARTITION_BY``: one
   pass, spilling to disk, whatever the number of shards), so a batch is read back without scanning the rest;
2. global tables: u on the same even sample of each side as one run (picked by position in id order, in
   DuckDB), term frequencies one column at a time (`term_frequencies` on lazy frames), the prior from the
   registry's row count;
3. each batch of shards is scored from its own files; scored pairs are written to Parquet, not kept;
4. cross-shard pairs: the keys of the cross rules joined in DuckDB, scored chunk by chunk;
5. decisions, one batch of records at a time: `decide` runs on the pairs of the batch's records plus every
   pair of the persons they pair with, which is exactly what `decide` reads for those records (ranks over a
   record's pairs, rivals over a person's pairs), so each record is decided as over all pairs at once.

Disk use under ``work_dir``: the rows with their comparison keys twice for a moment (staged, then
partitioned; the staging copy is deleted), plus the scored pairs and DuckDB's spill files.
"""

from __future__ import annotations

import math
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from chiiki.linkage.engine._decision import REVIEW, DecisionRule, decide
from chiiki.linkage.engine._features import FEATURE_COLUMNS, Workers, build_features, normalizing_pool
from chiiki.linkage.engine._inputs import (
    RECORD_COLUMNS,
    REGISTRY_COLUMNS,
    BatchReader,
    duplicate_error,
    empty_error,
    records_batches,
    registry_batches,
)
from chiiki.linkage.engine._pipeline import review_table
from chiiki.linkage.engine._scoring import (
    PairScorer,
    ScoringOptions,
    empty_pairs,
    estimate_u,
    prior_probability,
    term_frequencies,
)
from chiiki.linkage.engine._shards import (
    BATCH_ROWS,
    CROSS_CHUNK_PAIRS,
    cross_shard_rules,
    hold_movers,
    shard_batches,
    shard_of,
)

READ_ROWS = 200_000
"""Rows read, checked and given comparison keys at a time while splitting the inputs."""
NO_BATCH = -1
"""The batch of rows without a shard, or in a shard the other side does not have: only cross-shard pairs."""


@dataclass(frozen=True)
class _Side:
    name: str
    id_column: str
    columns: tuple[str, ...]

    @property
    def shard_column(self) -> str:
        return "person_shard" if self.name == "registry" else "record_shard"


REGISTRY_SIDE = _Side("registry", "person_id", REGISTRY_COLUMNS)
RECORDS_SIDE = _Side("records", "record_id", RECORD_COLUMNS)


@dataclass
class FileRun:
    """Outcome of a file-based sharded run (the frames are those of `LinkageResult`)."""

    links: pl.DataFrame
    review: pl.DataFrame
    movers: pl.DataFrame
    registry_rows: int
    record_rows: int
    timings: dict[str, float]


class _Work:
    """The folders of one run under ``work_dir`` and a DuckDB connection that spills there."""

    def __init__(self, work_dir: Path, options: ScoringOptions) -> None:
        self.root = work_dir
        self.root.mkdir(parents=True, exist_ok=True)
        self.connection = duckdb.connect()
        self.run(f"SET memory_limit = '{options.memory_limit}'")
        self.run(f"SET temp_directory = '{self.root / 'duckdb-spill'}'")
        self.run("SET preserve_insertion_order = false")
        if options.threads:
            self.run(f"SET threads = {int(options.threads)}")

    def folder(self, *parts: str) -> Path:
        path = self.root.joinpath(*parts)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def rows(self, side: _Side) -> str:
        """SQL source of one side's partitioned rows (with their ``batch``)."""
        return f"read_parquet('{self.root / 'shards' / side.name}/*/*.parquet', hive_partitioning = true)"

    def batch_path(self, side: _Side, batch: int) -> Path:
        return self.root / "shards" / side.name / f"batch={batch}"

    def pairs(self) -> str:
        return f"read_parquet('{self.root / 'pairs'}/*.parquet')"

    def run(self, statement: str) -> list[Any]:
        """Run a statement to its end (DuckDB keeps a connection busy until a result is fetched)."""
        return self.connection.execute(statement).fetchall()

    def count(self, source: str) -> int:
        """Rows of a SQL source (our own Parquet paths)."""
        return int(self.run(f"SELECT count(*) FROM {source}")[0][0])  # noqa: S608

    def frame(self, query: str, parameters: list[Any] | None = None) -> pl.DataFrame:
        frame = pl.from_arrow(self.connection.sql(query, params=parameters).to_arrow_table())
        assert isinstance(frame, pl.DataFrame)  # noqa: S101 - a table always converts to a frame
        return frame


def run_sharded_files(
    registry_path: str | Path,
    records_path: str | Path,
    shard_by: str,
    rule: DecisionRule,
    *,
    work_dir: str | Path,
    options: ScoringOptions | None = None,
    notify: Callable[[str], None] | None = None,
    batch_rows: int = BATCH_ROWS,
    read_rows: int = READ_ROWS,
    workers: int | None = None,
) -> FileRun:
    """Read, score and decide shard by shard from files (see the module docstring).

    ``workers`` processes build the comparison keys (default: one per core; see `normalizing_pool`).
    """
    shard_of(pl.lit("13101"), shard_by)  # an unknown kind is refused before any file is read
    options = options or ScoringOptions()
    say = notify or (lambda _message: None)
    timings: dict[str, float] = {}
    readers = (
        registry_batches(registry_path, batch_rows=read_rows),
        records_batches(records_path, batch_rows=read_rows),
    )
    with _opened(Path(work_dir), options) as work:
        mark = time.perf_counter()
        with normalizing_pool(workers) as pool:
            for side, reader in zip((REGISTRY_SIDE, RECORDS_SIDE), readers, strict=True):
                say(f"reading {side.name}: {reader.source}")
                _stage(work, side, reader, shard_by, pool)
        counts = {
            side.name: _check_ids(work, side, reader)
            for side, reader in zip((REGISTRY_SIDE, RECORDS_SIDE), readers, strict=True)
        }
        batches, largest = _partition(work, batch_rows)
        timings["normalize"] = time.perf_counter() - mark

        mark = time.perf_counter()
        u_values = _estimate_u(work, options, counts)
        tf = term_frequencies(_lazy(work, REGISTRY_SIDE), _lazy(work, RECORDS_SIDE))
        prior = prior_probability(counts["registry"])
        timings["estimate_u"] = time.perf_counter() - mark

        scoring = _Scoring(work, options, rule, u_values, prior, tf)
        mark = time.perf_counter()
        for number, batch in enumerate(batches):
            say(f"batch {number + 1}/{len(batches)} ({len(batch)} shards)")
            scoring.score_batch(number, multiple=len(batch) > 1)
        timings["shards"] = time.perf_counter() - mark

        mark = time.perf_counter()
        cross = scoring.score_cross(say, shard_by)
        timings["cross_shard"] = time.perf_counter() - mark

        mark = time.perf_counter()
        links, review, movers = _decide_all(work, rule, [*range(len(batches)), NO_BATCH])
        timings["decide"] = time.perf_counter() - mark
    timings.update(
        shard_count=float(sum(len(batch) for batch in batches)),
        largest_shard=float(largest),
        cross_pairs=float(cross),
    )
    return FileRun(links, review, movers, counts["registry"], counts["records"], timings)


@contextmanager
def _opened(work_dir: Path, options: ScoringOptions) -> Iterator[_Work]:
    """A fresh folder of its own inside ``work_dir`` (a reused work_dir never mixes runs), removed after."""
    work_dir.mkdir(parents=True, exist_ok=True)
    work = _Work(Path(tempfile.mkdtemp(prefix="sharded-", dir=work_dir)), options)
    try:
        yield work
    finally:
        work.connection.close()
        shutil.rmtree(work.root, ignore_errors=True)


def _stage(work: _Work, side: _Side, reader: BatchReader, shard_by: str, pool: Workers | None) -> None:
    """Write the side's rows (raw values as ``raw_*``, comparison keys, shard, input order) batch by batch."""
    folder = work.folder("staging", side.name)
    row = 0
    for number, batch in enumerate(reader.batches()):
        features = build_features(batch, side.id_column, pool=pool)
        table = pl.concat(
            [
                features,
                batch.select(pl.all().name.prefix("raw_")),
                features.select(shard_of(pl.col("municipality"), shard_by).alias("shard")),
                pl.DataFrame({"row": pl.int_range(row, row + batch.height, eager=True)}),
            ],
            how="horizontal",
        )
        row += batch.height
        table.write_parquet(folder / f"part-{number:05d}.parquet")


def _check_ids(work: _Work, side: _Side, reader: BatchReader) -> int:
    """The side's row count; the same refusal as the whole-file readers for no rows or repeated ids."""
    source = f"read_parquet('{work.root / 'staging' / side.name}/*.parquet')"
    if not any((work.root / "staging" / side.name).glob("*.parquet")):
        raise empty_error(reader.layout, reader.source)
    count = work.count(source)
    repeated = work.run(
        f"SELECT unique_id, count(*) OVER () FROM {source} GROUP BY unique_id HAVING count(*) > 1 "  # noqa: S608
        "ORDER BY unique_id LIMIT 5"
    )
    if repeated:
        raise duplicate_error(reader.layout, reader.source, [r[0] for r in repeated], int(repeated[0][1]))
    return count


def _partition(work: _Work, batch_rows: int) -> tuple[list[list[str]], int]:
    """Group the shards both sides have into batches; rewrite each side's rows into one folder per batch."""
    staged = {
        side.name: f"read_parquet('{work.root / 'staging' / side.name}/*.parquet')"
        for side in (REGISTRY_SIDE, RECORDS_SIDE)
    }
    sizes = work.frame(
        f"SELECT shard, count(*) AS n FROM {staged['registry']} WHERE shard IS NOT NULL GROUP BY shard"  # noqa: S608
    ).join(
        work.frame(
            f"SELECT shard, count(*) AS n FROM {staged['records']} WHERE shard IS NOT NULL GROUP BY shard"  # noqa: S608
        ),
        on="shard",
        suffix="_records",
    )
    size_of = {key: n + m for key, n, m in sizes.iter_rows()}
    shared = sorted(size_of, key=str)
    batches = shard_batches(shared, size_of, batch_rows)
    batch_of = pl.DataFrame(
        [(key, number) for number, batch in enumerate(batches) for key in batch],
        schema={"shard": pl.String, "batch_number": pl.Int64},
        orient="row",
    )
    work.connection.register("__batch_of", batch_of.to_arrow())
    work.folder("shards")
    for side in (REGISTRY_SIDE, RECORDS_SIDE):
        target = work.root / "shards" / side.name
        work.run(
            f"COPY (SELECT s.*, coalesce(b.batch_number, {NO_BATCH}) AS batch FROM {staged[side.name]} s "  # noqa: S608
            f"LEFT JOIN __batch_of b USING (shard)) TO '{target}' (FORMAT PARQUET, PARTITION_BY (batch))"
        )
    shutil.rmtree(work.root / "staging")
    largest = max((sum(size_of[key] for key in batch) for batch in batches), default=0)
    return batches, largest


def _lazy(work: _Work, side: _Side) -> pl.LazyFrame:
    return pl.scan_parquet(work.root / "shards" / side.name / "*" / "*.parquet", hive_partitioning=False)


def _estimate_u(work: _Work, options: ScoringOptions, counts: dict[str, int]) -> Any:
    """u on the rows `even_sample` picks from each whole side (by position in id order), as one run."""
    side_size = max(int(math.sqrt(options.u_max_pairs)), 2)
    samples = []
    for side in (REGISTRY_SIDE, RECORDS_SIDE):
        height = counts[side.name]
        step = height / side_size
        positions = range(height) if height <= side_size else [int(i * step) for i in range(side_size)]
        work.connection.register("__positions", pl.DataFrame({"pos": list(positions)}).to_arrow())
        samples.append(
            work.frame(
                f"SELECT {', '.join(FEATURE_COLUMNS)} FROM ("  # noqa: S608
                f"SELECT *, row_number() OVER (ORDER BY unique_id) - 1 AS pos FROM {work.rows(side)}) "
                "WHERE pos IN (SELECT pos FROM __positions)"
            ).sort("unique_id")
        )
        work.connection.unregister("__positions")
    return estimate_u(samples[0], samples[1], options)


class _Scoring:
    """Scores batches of shards and the cross-shard pairs, writing each scored set to ``work_dir/pairs``."""

    def __init__(
        self,
        work: _Work,
        options: ScoringOptions,
        rule: DecisionRule,
        u_values: Any,
        prior: float,
        tf: dict[str, pl.DataFrame],
    ) -> None:
        self.work, self.options, self.rule = work, options, rule
        self.u_values, self.prior, self.tf = u_values, prior, tf
        self.out = work.folder("pairs")
        # An empty file with every column, so the decision step reads a table even when no pair was blocked.
        empty_pairs().with_columns(
            pl.lit(None, pl.String).alias("record_shard"),
            pl.lit(None, pl.String).alias("person_shard"),
            pl.lit(None, pl.Int64).alias("record_batch"),
            pl.lit(None, pl.Int64).alias("person_batch"),
        ).write_parquet(self.out / "empty.parquet")

    def _scorer(self, registry: pl.DataFrame, records: pl.DataFrame) -> PairScorer:
        scorer = PairScorer(registry, records, self.options, prior=self.prior, term_frequencies=self.tf)
        scorer.estimate_u(self.u_values)
        return scorer

    def score_batch(self, batch: int, *, multiple: bool) -> None:
        """Score one batch of shards from its own files; keep only pairs within one shard."""
        columns = [*FEATURE_COLUMNS, "shard"]
        registry = pl.read_parquet(self.work.batch_path(REGISTRY_SIDE, batch) / "*.parquet", columns=columns)
        records = pl.read_parquet(self.work.batch_path(RECORDS_SIDE, batch) / "*.parquet", columns=columns)
        with self._scorer(registry.drop("shard"), records.drop("shard")) as scorer:
            scored = scorer.predict(self.rule.candidate_probability)
        scored = scored.join(
            records.select(pl.col("unique_id").alias("record_id"), pl.col("shard").alias("record_shard")),
            on="record_id",
        ).join(
            registry.select(pl.col("unique_id").alias("person_id"), pl.col("shard").alias("person_shard")),
            on="person_id",
        )
        if multiple:  # pairs across two shards of the batch are the cross-shard pass's
            scored = scored.filter(pl.col("record_shard") == pl.col("person_shard"))
        scored.with_columns(
            pl.lit(batch, pl.Int64).alias("record_batch"), pl.lit(batch, pl.Int64).alias("person_batch")
        ).write_parquet(self.out / f"batch-{batch:06d}.parquet")

    def score_cross(self, say: Callable[[str], None], shard_by: str) -> int:
        """Find the cross-shard pairs from the cross rules' keys in DuckDB, score them chunk by chunk."""
        work = self.work
        path = work.root / "cross.parquet"
        registry, records = work.rows(REGISTRY_SIDE), work.rows(RECORDS_SIDE)
        selects = []
        for rule in cross_shard_rules(shard_by):
            on = " AND ".join(f"r.{column} = p.{column}" for column in rule)
            selects.append(
                "SELECT r.unique_id AS record_id, p.unique_id AS person_id, r.shard AS record_shard, "  # noqa: S608
                "p.shard AS person_shard, r.batch AS record_batch, p.batch AS person_batch "
                f"FROM {records} r JOIN {registry} p ON {on} "
                "WHERE r.shard IS NULL OR p.shard IS NULL OR r.shard <> p.shard"
            )
        work.run(
            f"COPY (SELECT *, row_number() OVER (ORDER BY record_id, person_id) - 1 AS i FROM ("  # noqa: S608
            f"{' UNION '.join(selects)}) ORDER BY i) TO '{path}' (FORMAT PARQUET)"
        )
        total = work.count(f"'{path}'")
        say(f"cross-shard pairs: {total:,}")
        for offset in range(0, total, CROSS_CHUNK_PAIRS):
            chunk = work.frame(
                f"SELECT * EXCLUDE (i) FROM '{path}' WHERE i >= ? AND i < ?",  # noqa: S608
                [offset, offset + CROSS_CHUNK_PAIRS],
            )
            work.connection.register("__chunk", chunk.to_arrow())
            features = ", ".join(FEATURE_COLUMNS)
            persons = work.frame(
                f"SELECT {features} FROM {registry} WHERE unique_id IN (SELECT person_id FROM __chunk)"  # noqa: S608
            )
            people = work.frame(
                f"SELECT {features} FROM {records} WHERE unique_id IN (SELECT record_id FROM __chunk)"  # noqa: S608
            )
            work.connection.unregister("__chunk")
            with self._scorer(persons, people) as scorer:
                scored = scorer.predict_given(
                    chunk.select("record_id", "person_id"), self.rule.candidate_probability
                )
            scored.join(chunk, on=["record_id", "person_id"]).write_parquet(
                self.out / f"cross-{offset // CROSS_CHUNK_PAIRS:06d}.parquet"
            )
        return total


def _decide_all(
    work: _Work, rule: DecisionRule, groups: list[int]
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Decide one batch of records at a time; write each batch's outputs; return them in input order."""
    out = work.folder("decided")
    for group in groups:
        decided = _decide_group(work, rule, group)
        if decided is None:
            continue
        for name, frame in zip(("links", "review", "movers"), decided, strict=True):
            frame.write_parquet(out / f"{name}-{group + 1:06d}.parquet")
    links = pl.read_parquet(out / "links-*.parquet").sort("row").drop("row")
    review = pl.read_parquet(out / "review-*.parquet").sort("record_id", "candidate_rank")
    movers = pl.read_parquet(out / "movers-*.parquet").sort("record_id", "candidate_rank")
    return links, review, movers


def _decide_group(
    work: _Work, rule: DecisionRule, group: int
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame] | None:
    """The decisions of the records of one batch: `decide` over their pairs and their persons' pairs."""
    folder = work.batch_path(RECORDS_SIDE, group)
    if not folder.exists():
        return None
    raw = [f"raw_{column}" for column in RECORD_COLUMNS]
    records = pl.read_parquet(folder / "*.parquet", columns=["row", "shard", *raw]).sort("row")
    records = records.rename({f"raw_{c}": c for c in RECORD_COLUMNS})
    pairs = work.frame(
        f"SELECT * FROM {work.pairs()} WHERE record_batch = ? OR person_id IN ("  # noqa: S608
        f"SELECT person_id FROM {work.pairs()} WHERE record_batch = ?)",
        [group, group],
    )
    shards = pairs.select("record_id", "person_id", "record_shard", "person_shard")
    scored = pairs.drop("record_shard", "person_shard", "record_batch", "person_batch")
    links, candidates = decide(scored, records["record_id"], rule)
    candidates = candidates.filter(pl.col("record_id").is_in(records["record_id"].implode()))
    record_shards = records.select("record_id", pl.col("shard").alias("record_shard"))
    registry_shards = shards.select("person_id", "person_shard").unique()
    links, candidates, movers = hold_movers(links, candidates, registry_shards, record_shards, rule)
    review_candidates = candidates.filter(pl.col("decision") == REVIEW)
    registry = _registry_rows(work, review_candidates["person_id"].unique())
    review = review_table(review_candidates, registry, records.select(RECORD_COLUMNS))
    links = links.join(records.select("record_id", "row"), on="record_id")
    return links, review, movers


def _registry_rows(work: _Work, person_ids: pl.Series) -> pl.DataFrame:
    """The registry's values (as read) of the given persons, joined out of core."""
    work.connection.register("__persons", pl.DataFrame({"person_id": person_ids}).to_arrow())
    try:
        return work.frame(
            f"SELECT {', '.join(f'raw_{c} AS {c}' for c in REGISTRY_COLUMNS)} "  # noqa: S608
            f"FROM {work.rows(REGISTRY_SIDE)} WHERE unique_id IN (SELECT person_id FROM __persons)"
        )
    finally:
        work.connection.unregister("__persons")
