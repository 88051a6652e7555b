"""Scoring candidate pairs with Splink on DuckDB: blocking, u estimation, prediction, labelled m training.

u is measured once per run on an even, sorted-by-id sample of each side, always on DuckDB and without
Splink's chunked sampling, so it is a pure function of the data: the Spark backend (`_spark`) and the
sharded mode reuse the same values and therefore make the same decisions.
"""

from __future__ import annotations

import logging
import math
import tempfile
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import duckdb
import polars as pl
from splink import DuckDBAPI, Linker

from chiiki.linkage.engine._model import COMPARISONS, build_settings

_RECORDS = "records"
_REGISTRY = "registry"

UValues = list[list[Any]]
"""u of each comparison's levels (null level excluded), in Splink's order; "level not observed" kept as is."""


@dataclass(frozen=True)
class ScoringOptions:
    """Resources and sampling for one scoring run."""

    u_max_pairs: float = 2e6
    seed: int = 1
    memory_limit: str = "6GB"
    threads: int | None = None


class PairScorer:
    """Holds one DuckDB connection and one Splink linker over a registry and a set of records.

    Use as a context manager so the connection and its spill directory are released.
    """

    def __init__(
        self,
        registry: pl.DataFrame,
        records: pl.DataFrame,
        options: ScoringOptions | None = None,
        *,
        m_overrides: dict[str, list[float]] | None = None,
        prior: float | None = None,
        term_frequencies: dict[str, pl.DataFrame] | None = None,
    ) -> None:
        """``prior`` and ``term_frequencies`` (see :func:`term_frequencies`) default to those of the given
        frames; a shard passes the whole run's so that its pairs score exactly as in one run."""
        self.options = options or ScoringOptions()
        self._spill = tempfile.TemporaryDirectory(prefix="chiiki-linkage-")
        self.connection = duckdb.connect()
        self.connection.execute(f"SET memory_limit = '{self.options.memory_limit}'")
        self.connection.execute(f"SET temp_directory = '{self._spill.name}'")
        self.connection.execute("SET preserve_insertion_order = false")
        if self.options.threads:
            self.connection.execute(f"SET threads = {int(self.options.threads)}")
        self._registry, self._records = registry, records
        db_api = DuckDBAPI(self.connection)
        left = db_api.register(records.to_arrow(), dataset_display_name=_RECORDS)
        right = db_api.register(registry.to_arrow(), dataset_display_name=_REGISTRY)
        self.linker = Linker(
            [left, right],
            build_settings(
                prior if prior is not None else prior_probability(registry.height), m_overrides=m_overrides
            ),
            log_level=logging.ERROR,
        )
        logging.getLogger("splink").setLevel(logging.ERROR)
        for column, table in (term_frequencies or {}).items():
            registered = db_api.register(table.to_arrow(), table_name=f"__chiiki_tf_{column}")
            self.linker.table_management.register_term_frequency_lookup(registered, column)

    def __enter__(self) -> PairScorer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the DuckDB connection and remove spilled files."""
        self.connection.close()
        self._spill.cleanup()

    def estimate_u(self, u_values: UValues | None = None) -> UValues:
        """Measure u ("how often different people agree like this") on a sample, or set given values."""
        values = u_values if u_values is not None else estimate_u(self._registry, self._records, self.options)
        set_u(self.linker, values)
        return values

    def train_m_from_labels(self, labels: pl.DataFrame) -> None:
        """Refine m from confirmed pairs (columns record_id, person_id), e.g. a reviewed sample.

        Replaces the fixed priors with the agreement rates seen among confirmed matches; levels never
        seen in the labels keep their prior.
        """
        table = labels.select(
            pl.lit(_RECORDS).alias("source_dataset_l"),
            pl.col("record_id").alias("unique_id_l"),
            pl.lit(_REGISTRY).alias("source_dataset_r"),
            pl.col("person_id").alias("unique_id_r"),
            pl.lit(1.0).alias("clerical_match_score"),
        )
        registered = self.linker.table_management.register_table(
            table.to_arrow(), "__chiiki_labels", overwrite=True
        )
        for comparison in self.linker._settings_obj.comparisons:
            for level in comparison.comparison_levels:
                level._fix_m_probability = False
        self.linker.training.estimate_m_from_pairwise_labels(registered.physical_name)  # type: ignore[no-untyped-call]

    def predict(self, threshold_probability: float) -> pl.DataFrame:
        """Score every blocked pair and return those at or above ``threshold_probability``."""
        predictions = self.linker.inference.predict(
            threshold_match_probability=threshold_probability, warning_mode="never"
        )
        return self._as_pairs(predictions.physical_name)

    def predict_given(self, pairs: pl.DataFrame, threshold_probability: float) -> pl.DataFrame:
        """Score only the given (record_id, person_id) pairs; return those at or above the threshold."""
        given = pairs.select(
            pl.lit("0").alias("match_key"),
            (pl.lit(f"{_RECORDS}-__-") + pl.col("record_id")).alias("join_key_l"),
            (pl.lit(f"{_REGISTRY}-__-") + pl.col("person_id")).alias("join_key_r"),
        ).unique()
        self.connection.register("__chiiki_given_view", given.to_arrow())
        self.connection.execute("CREATE OR REPLACE TABLE __chiiki_given AS SELECT * FROM __chiiki_given_view")
        registered = self.linker._db_api.table_to_splink_dataframe("__chiiki_given", "__chiiki_given")
        self.linker.table_management.register_blocked_pairs_for_predict(registered)
        predictions = self.linker.inference.predict(
            threshold_match_probability=threshold_probability, warning_mode="never"
        )
        return self._as_pairs(predictions.physical_name)

    def predict_with_pairs(self, pairs: pl.DataFrame, threshold_probability: float) -> pl.DataFrame:
        """Like :meth:`predict`, but also score the given (record_id, person_id) pairs whatever their score."""
        blocked = self.linker.inference.compute_blocked_pairs_for_predict()
        extra = pairs.select(
            pl.lit("99").alias("match_key"),
            (pl.lit(f"{_RECORDS}-__-") + pl.col("record_id")).alias("join_key_l"),
            (pl.lit(f"{_REGISTRY}-__-") + pl.col("person_id")).alias("join_key_r"),
        ).to_arrow()
        self.connection.register("__chiiki_extra_pairs", extra)
        # Table names below are Splink's own generated identifiers, never user input.
        self.connection.execute(
            "CREATE OR REPLACE TABLE __chiiki_all_pairs AS "  # noqa: S608
            f"SELECT min(match_key) AS match_key, join_key_l, join_key_r FROM ("
            f"SELECT * FROM {blocked.physical_name} UNION ALL SELECT * FROM __chiiki_extra_pairs) "
            "GROUP BY join_key_l, join_key_r"
        )
        db_api = self.linker._db_api
        registered = db_api.table_to_splink_dataframe("__chiiki_all_pairs", "__chiiki_all_pairs")
        self.linker.table_management.register_blocked_pairs_for_predict(registered)
        predictions = self.linker.inference.predict(warning_mode="never")
        frame = self._as_pairs(predictions.physical_name)
        wanted = pairs.select("record_id", "person_id").with_columns(pl.lit(True).alias("_given"))
        frame = frame.join(wanted, on=["record_id", "person_id"], how="left")
        return frame.filter(
            pl.col("_given").is_not_null() | (pl.col("match_probability") >= threshold_probability)
        ).drop("_given")

    def _as_pairs(self, table: str) -> pl.DataFrame:
        # Splink orders the two sides by dataset name; put the record on the left whatever it chose.
        names = [row[0] for row in self.connection.execute(f"DESCRIBE {table}").fetchall()]
        query = pairs_query(table, names)
        frame = pl.from_arrow(self.connection.sql(query).to_arrow_table())
        assert isinstance(frame, pl.DataFrame)  # noqa: S101 - a table always converts to a frame
        return frame


def prior_probability(registry_size: int) -> float:
    """The prior: a record has at most one true person among all registry entries."""
    return min(0.5, 1.0 / max(registry_size, 2))


def term_frequencies(
    registry: pl.DataFrame | pl.LazyFrame, records: pl.DataFrame | pl.LazyFrame, *, total: int | None = None
) -> dict[str, pl.DataFrame]:
    """Splink's term-frequency tables (share of each value among both sides' non-blank values), per column.

    ``total``: the number of rows of the whole registry plus the records, when ``registry`` is only the part of
    it that holds every person sharing a value with a record (the counts of those values are then complete).
    Lazy frames (e.g. a sharded run's Parquet files) are read one column at a time, never whole.
    """

    columns = sorted({level.tf_column for c in COMPARISONS for level in c.levels if level.tf_column})
    tables = {}
    for column in columns:
        values = pl.concat([registry.lazy().select(column), records.lazy().select(column)]).drop_nulls()
        count = total or int(values.select(pl.len()).collect().item())
        tables[column] = (
            values.group_by(column)
            .agg((pl.len().cast(pl.Float64) / max(count, 1)).alias(f"tf_{column}"))
            .collect()
        )
    return tables


def even_sample(features: pl.DataFrame, size: int) -> pl.DataFrame:
    """``size`` rows spread evenly over the frame sorted by id: the same rows whatever the backend or order."""
    ordered = features.sort("unique_id")
    if ordered.height <= size:
        return ordered
    step = ordered.height / size
    return ordered[[int(i * step) for i in range(size)]]


def estimate_u(
    registry: pl.DataFrame, records: pl.DataFrame, options: ScoringOptions | None = None
) -> UValues:
    """u of every level, counted on all pairs of an even sample of each side (about ``u_max_pairs`` pairs).

    Runs on its own small DuckDB connection and is deterministic, so every backend can share the result.
    """
    options = options or ScoringOptions()
    side = max(int(math.sqrt(options.u_max_pairs)), 2)
    left, right = even_sample(records, side), even_sample(registry, side)
    connection = duckdb.connect()
    try:
        if options.threads:
            connection.execute(f"SET threads = {int(options.threads)}")
        db_api = DuckDBAPI(connection)
        linker = Linker(
            [
                db_api.register(left.to_arrow(), dataset_display_name=_RECORDS),
                db_api.register(right.to_arrow(), dataset_display_name=_REGISTRY),
            ],
            build_settings(prior_probability(registry.height)),
            log_level=logging.ERROR,
        )
        logging.getLogger("splink").setLevel(logging.ERROR)
        linker.training.estimate_u_using_random_sampling(
            max_pairs=float(left.height * right.height + 1),
            seed=options.seed,
            min_count_per_level=None,
            num_chunks=1,
        )
        return [
            [level._u_probability for level in comparison.comparison_levels if not level.is_null_level]
            for comparison in linker._settings_obj.comparisons
        ]
    finally:
        connection.close()


def set_u(linker: Linker, values: UValues) -> None:
    """Give every non-null level of ``linker`` its u from :func:`estimate_u`."""
    for comparison, u_of_levels in zip(linker._settings_obj.comparisons, values, strict=True):
        levels = [level for level in comparison.comparison_levels if not level.is_null_level]
        for level, value in zip(levels, u_of_levels, strict=True):
            level._u_probability = value


def empty_pairs() -> pl.DataFrame:
    """A frame of scored pairs with no rows (no pair was blocked)."""
    schema: dict[str, Any] = {
        "record_id": pl.String,
        "person_id": pl.String,
        "match_weight": pl.Float64,
        "match_probability": pl.Float64,
    }
    for comparison in COMPARISONS:
        schema[f"gamma_{comparison.name}"] = pl.Int32
        schema[f"weight_{comparison.name}"] = pl.Float64
    return pl.DataFrame(schema=schema)


def pairs_query(table: str, column_names: list[str]) -> str:
    """SELECT of the scored pairs in :class:`PairScorer`'s shape (record on the left) from a Splink table."""
    swap = f"source_dataset_l = '{_REGISTRY}'"
    select = [
        f"CASE WHEN {swap} THEN unique_id_r ELSE unique_id_l END AS record_id",
        f"CASE WHEN {swap} THEN unique_id_l ELSE unique_id_r END AS person_id",
        # Rounded so that DuckDB and Spark, whose floating-point sums may differ in the last bit, rank alike.
        "round(match_weight, 6) AS match_weight",
        "round(match_probability, 9) AS match_probability",
    ]
    for comparison in COMPARISONS:
        select.append(f"gamma_{comparison.name}")
        parts = [f"mw_{comparison.name}"]
        if f"mw_tf_adj_{comparison.name}" in column_names:
            parts.append(f"coalesce(mw_tf_adj_{comparison.name}, 0)")
        select.append(f"{' + '.join(parts)} AS weight_{comparison.name}")
    return f"SELECT {', '.join(select)} FROM {table}"  # noqa: S608 - Splink's table, our column names
