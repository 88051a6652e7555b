"""The same link on Splink's Spark backend, for registries too large for one machine.

What runs where: the comparison keys (`build_features`) and u (`_scoring.estimate_u`, on a sample) are
computed on the driver, exactly as on DuckDB; the keys are written as Parquet to the shared work folder;
Spark reads them and does the quadratic part (blocking, term frequencies, comparing and scoring every
candidate pair) with the same comparisons, fixed m priors, u and blocking rules, translated to Spark SQL;
the pairs above the candidate threshold come back as Parquet and the driver applies the same decision rule
(`_decision.decide`). So DuckDB and Spark decide every record alike.

pyspark is optional (``pip install chiiki[spark]``) and needs Java 17 or later; both are imported only here.
"""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from chiiki.linkage.engine._model import build_settings
from chiiki.linkage.engine._scoring import (
    ScoringOptions,
    UValues,
    empty_pairs,
    estimate_u,
    pairs_query,
    prior_probability,
    set_u,
)

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

_RECORDS = "records"
_REGISTRY = "registry"


class SparkUnavailable(RuntimeError):
    """pyspark or Java is missing; the message says what to install."""


def spark_available() -> str | None:
    """None when a Spark session can be started here, else the reason (for messages and skipped tests)."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark がありません: pip install 'chiiki[spark]' / pyspark is not installed"
    if shutil.which("java") is None and not _java_home():
        return "Java がありません: apt-get install openjdk-17-jre-headless / java is not installed"
    return None


def _java_home() -> str | None:
    import os

    home = os.environ.get("JAVA_HOME")
    return home if home and Path(home, "bin", "java").exists() else None


def spark_session(master: str, *, config: dict[str, str] | None = None) -> SparkSession:
    """Start (or reuse) a session on ``master``: ``local[N]`` or a cluster URL such as ``spark://host:7077``."""
    reason = spark_available()
    if reason:
        raise SparkUnavailable(reason)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(master).appName("chiiki-linkage")
    defaults = {
        # Few, larger partitions suit a registry-to-records link; a cluster operator overrides with --spark-conf.
        "spark.sql.shuffle.partitions": "16",
        "spark.sql.adaptive.enabled": "true",
        "spark.ui.showConsoleProgress": "false",
    }
    for key, value in {**defaults, **(config or {})}.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    logging.getLogger("py4j").setLevel(logging.WARNING)
    return session


def score_on_spark(
    spark: SparkSession,
    registry_features: pl.DataFrame,
    record_features: pl.DataFrame,
    threshold_probability: float,
    work_dir: str | Path,
    *,
    options: ScoringOptions | None = None,
    u_values: UValues | None = None,
    timings: dict[str, float] | None = None,
) -> pl.DataFrame:
    """Score every blocked pair on Spark and return those at or above ``threshold_probability``.

    ``work_dir`` must be readable and writable by the driver and every executor (shared storage on a
    cluster). The frame has the columns of `PairScorer.predict`.
    """
    from splink import Linker, SparkAPI

    timings = timings if timings is not None else {}
    work = Path(work_dir).resolve()
    work.mkdir(parents=True, exist_ok=True)
    mark = time.perf_counter()
    values = u_values if u_values is not None else estimate_u(registry_features, record_features, options)
    timings["estimate_u"] = time.perf_counter() - mark

    mark = time.perf_counter()
    paths = {_REGISTRY: work / "registry_features.parquet", _RECORDS: work / "record_features.parquet"}
    registry_features.write_parquet(paths[_REGISTRY])
    record_features.write_parquet(paths[_RECORDS])
    spark.sparkContext.setCheckpointDir(str(work / "spark_checkpoints"))
    db_api = SparkAPI(  # type: ignore[no-untyped-call]
        spark_session=spark, register_udfs_automatically=False, break_lineage_method="parquet"
    )
    left = db_api.register(spark.read.parquet(str(paths[_RECORDS])), dataset_display_name=_RECORDS)
    right = db_api.register(spark.read.parquet(str(paths[_REGISTRY])), dataset_display_name=_REGISTRY)
    linker = Linker(
        [left, right],
        build_settings(prior_probability(registry_features.height), dialect="spark"),
        log_level=logging.ERROR,
    )
    logging.getLogger("splink").setLevel(logging.ERROR)
    set_u(linker, values)
    predictions = linker.inference.predict(
        threshold_match_probability=threshold_probability, warning_mode="never"
    )
    frame: Any = predictions.as_spark_dataframe()
    frame.createOrReplaceTempView("__chiiki_predictions")
    pairs_path = work / "pairs.parquet"
    spark.sql(pairs_query("__chiiki_predictions", list(frame.columns))).write.mode("overwrite").parquet(
        str(pairs_path)
    )
    pairs = pl.read_parquet(pairs_path / "*.parquet") if any(pairs_path.glob("*.parquet")) else None
    timings["predict"] = time.perf_counter() - mark
    if pairs is None:  # no pair at all: Spark writes no part file
        return empty_pairs()
    return pairs
