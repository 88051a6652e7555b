"""``chiiki linkage run --registry REG --records REC --out DIR``: link records to the registry.

Writes DIR/links.csv (one row per record: record_id, person_id, match_probability, decision) and
DIR/review.csv (every candidate of every review case with per-field evidence), prints a summary.
Inputs are CSV (UTF-8, Shift_JIS, …) or Parquet (a file, or a folder of part files).

- ``--engine spark --spark-master local[2]`` (or ``spark://host:7077``) scores the pairs on Spark
  (``pip install 'chiiki[spark]'`` and Java 17); ``--work-dir`` must be shared storage on a cluster;
- ``--shard-by municipality|prefecture`` runs DuckDB one shard at a time from the files, read in batches (memory
  bounded by the largest shard; rows and scored pairs wait in Parquet under ``--work-dir``, by default a
  temporary folder), and also writes DIR/movers.csv;
- ``--parquet`` also writes links.parquet and review.parquet (and movers.parquet) with the same columns.

Needs no database. Bad input (missing file or column, unreadable value, duplicate ids) gives a plain message
naming the row and column, and exit 1.
"""

from __future__ import annotations

import tempfile
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chiiki.linkage.engine import (
    SHARD_KINDS,
    InputError,
    LinkageResult,
    SparkUnavailable,
    link,
    link_sharded_files,
    read_records,
    read_registry,
    spark_session,
    write_outputs,
)
from chiiki.linkage.management.commands._console import stage_progress


def _spark_conf(values: list[str]) -> dict[str, str]:
    conf = {}
    for value in values:
        key, sep, setting = value.partition("=")
        if not sep or not key.strip():
            raise CommandError(f"--spark-conf は KEY=VALUE で書いてください: {value} / expected KEY=VALUE")
        conf[key.strip()] = setting.strip()
    return conf


class Command(BaseCommand):
    help = "レコードを住民登録に紐付けます (link records to the resident registry)"
    requires_system_checks: list[str] = []  # noqa: RUF012 - Django's own attribute type
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--registry", required=True, help="住民登録 CSV/Parquet (registry)")
        parser.add_argument("--records", required=True, help="照合対象レコード CSV/Parquet (records)")
        parser.add_argument("--out", required=True, help="出力先フォルダ (output directory)")
        parser.add_argument(
            "--engine", choices=("duckdb", "spark"), default="duckdb", help="採点の実行基盤 (scoring engine)"
        )
        parser.add_argument(
            "--spark-master", default="local[2]", help="Spark の master: local[N] または spark://host:7077"
        )
        parser.add_argument(
            "--spark-conf", action="append", default=[], metavar="KEY=VALUE", help="Spark の設定 (repeatable)"
        )
        parser.add_argument(
            "--work-dir",
            help="作業フォルダ(Spark ではクラスタの共有ストレージ、--shard-by では一時ファイルの置き場)"
            " / work folder (Spark: shared storage; --shard-by: temporary Parquet files)",
        )
        parser.add_argument(
            "--shard-by",
            choices=SHARD_KINDS,
            help="DuckDB で市区町村/都道府県ごとに順に処理 (sharded DuckDB run)",
        )
        parser.add_argument(
            "--shard-batch-rows",
            type=int,
            help="小さなシャードをまとめる行数 (rows per batch of small shards)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            help="照合キーを作るプロセス数(既定: CPU コア数) / processes building the comparison keys "
            "(default: one per core)",
        )
        parser.add_argument("--parquet", action="store_true", help="Parquet も書き出す (also write Parquet)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["workers"] is not None and options["workers"] < 1:
            raise CommandError("--workers は 1 以上です / --workers must be at least 1")
        if options["engine"] == "spark" and options["shard_by"]:
            raise CommandError("--shard-by は DuckDB 用です / --shard-by is for the DuckDB engine")
        try:
            if options["shard_by"]:
                # Read from the files in batches: the inputs are never held whole.
                result = self._sharded(options)
                persons, size = int(result.timings["registry_rows"]), int(result.timings["record_rows"])
            else:
                registry = read_registry(options["registry"])
                records = read_records(options["records"])
                result = self._link(registry, records, options)
                persons, size = registry.height, records.height
        except InputError as error:
            raise CommandError(str(error)) from error
        except CommandError:
            raise
        except Exception as error:  # a bug or an exhausted machine must still end with a message, exit 1
            raise CommandError(f"紐付けを完了できませんでした: {error} / linkage failed") from error
        try:
            links_path, review_path = write_outputs(result, options["out"], parquet=options["parquet"])
        except OSError as error:
            raise CommandError(f"出力先に書き込めません: {error} / cannot write output") from error
        self._summary(persons, size, result, options)
        self.stdout.write(f"出力 output: {links_path} , {review_path}")

    def _sharded(self, options: dict[str, Any]) -> LinkageResult:
        with stage_progress() as on_progress, tempfile.TemporaryDirectory(prefix="chiiki-shards-") as temp:
            return link_sharded_files(
                options["registry"],
                options["records"],
                options["shard_by"],
                work_dir=options["work_dir"] or temp,
                on_progress=on_progress,
                batch_rows=options["shard_batch_rows"],
                workers=options["workers"],
            )

    def _link(self, registry: Any, records: Any, options: dict[str, Any]) -> LinkageResult:
        with stage_progress() as on_progress:
            if options["engine"] != "spark":
                return link(registry, records, on_progress=on_progress, workers=options["workers"])
            try:
                session = spark_session(options["spark_master"], config=_spark_conf(options["spark_conf"]))
            except SparkUnavailable as error:
                raise CommandError(str(error)) from error
            if options["work_dir"]:
                return link(
                    registry,
                    records,
                    on_progress=on_progress,
                    spark=session,
                    work_dir=options["work_dir"],
                    workers=options["workers"],
                )
            with tempfile.TemporaryDirectory(prefix="chiiki-linkage-spark-") as work_dir:
                return link(
                    registry,
                    records,
                    on_progress=on_progress,
                    spark=session,
                    work_dir=work_dir,
                    workers=options["workers"],
                )

    def _summary(self, persons: int, size: int, result: LinkageResult, options: dict[str, Any]) -> None:
        counts = result.counts()
        total = max(size, 1)
        engine = f"spark {options['spark_master']}" if options["engine"] == "spark" else "duckdb"
        if options["shard_by"]:
            engine += f", shards by {options['shard_by']}: {int(result.timings.get('shard_count', 0)):,}"
        self.stdout.write(
            f"住民登録 registry: {persons:,} 人 persons / レコード records: {size:,} ({engine})"
        )
        for decision, label in (("linked", "紐付け"), ("review", "要確認"), ("unmatched", "該当なし")):
            share = counts[decision] / total
            self.stdout.write(f"  {label} {decision}: {counts[decision]:,} ({share:.1%})")
        review_cases = result.review["record_id"].n_unique() if result.review.height else 0
        self.stdout.write(
            f"  要確認の候補 review candidates: {result.review.height:,} ({review_cases:,} 件 cases)"
        )
        if result.movers is not None:
            moved = result.movers["record_id"].n_unique() if result.movers.height else 0
            self.stdout.write(
                f"  他シャードの候補 cross-shard candidates: {result.movers.height:,} ({moved:,} 件 records)"
            )
        self.stdout.write(f"  所要時間 time: {result.timings['total']:.1f} s")
