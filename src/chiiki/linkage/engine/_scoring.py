"""Scoring candidate pairs with Splink on DuckDB: blocking, u estimation, prediction, labelled m training."""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from types import TracebackType

import duckdb
import polars as pl
from splink import DuckDBAPI, Linker

from chiiki.linkage.engine._model import COMPARISONS, build_settings

_RECORDS = "records"
_REGISTRY = "registry"


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
    ) -> None:
        self.options = options or ScoringOptions()
        self._spill = tempfile.TemporaryDirectory(prefix="chiiki-linkage-")
        self.connection = duckdb.connect()
        self.connection.execute(f"SET memory_limit = '{self.options.memory_limit}'")
        self.connection.execute(f"SET temp_directory = '{self._spill.name}'")
        self.connection.execute("SET preserve_insertion_order = false")
        if self.options.threads:
            self.connection.execute(f"SET threads = {int(self.options.threads)}")
        db_api = DuckDBAPI(self.connection)
        left = db_api.register(records.to_arrow(), dataset_display_name=_RECORDS)
        right = db_api.register(registry.to_arrow(), dataset_display_name=_REGISTRY)
        # The prior: a record has at most one true person among all registry entries.
        prior = min(0.5, 1.0 / max(registry.height, 2))
        self.linker = Linker(
            [left, right],
            build_settings(prior, m_overrides=m_overrides),
            log_level=logging.ERROR,
        )
        logging.getLogger("splink").setLevel(logging.ERROR)

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

    def estimate_u(self) -> None:
        """Measure u ("how often different people agree like this") on random record pairs."""
        self.linker.training.estimate_u_using_random_sampling(
            max_pairs=self.options.u_max_pairs, seed=self.options.seed
        )

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
        swap = f"source_dataset_l = '{_REGISTRY}'"
        select = [
            f"CASE WHEN {swap} THEN unique_id_r ELSE unique_id_l END AS record_id",
            f"CASE WHEN {swap} THEN unique_id_l ELSE unique_id_r END AS person_id",
            "match_weight",
            "match_probability",
        ]
        for comparison in COMPARISONS:
            select.append(f"gamma_{comparison.name}")
            parts = [f"mw_{comparison.name}"]
            if f"mw_tf_adj_{comparison.name}" in names:
                parts.append(f"coalesce(mw_tf_adj_{comparison.name}, 0)")
            select.append(f"{' + '.join(parts)} AS weight_{comparison.name}")
        query = f"SELECT {', '.join(select)} FROM {table}"  # noqa: S608 - Splink's table, our column names
        frame = pl.from_arrow(self.connection.sql(query).to_arrow_table())
        assert isinstance(frame, pl.DataFrame)  # noqa: S101 - a table always converts to a frame
        return frame
