"""``chiiki linkage run --registry REG.csv --records REC.csv --out DIR``: link records to the registry.

Writes DIR/links.csv (one row per record: record_id, person_id, match_probability, decision) and
DIR/review.csv (every candidate of every review case with per-field evidence), prints a summary.
Needs no database. Bad input (missing file or column, not UTF-8, duplicate ids) gives a plain message
and exit 1.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chiiki.linkage.engine import InputError, link, read_records, read_registry, write_outputs
from chiiki.linkage.management.commands._console import stage_progress


class Command(BaseCommand):
    help = "レコードを住民登録に紐付けます (link records to the resident registry)"
    requires_system_checks: list[str] = []  # noqa: RUF012 - Django's own attribute type
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--registry", required=True, help="住民登録CSV (registry CSV)")
        parser.add_argument("--records", required=True, help="照合対象レコードCSV (records CSV)")
        parser.add_argument("--out", required=True, help="出力先フォルダ (output directory)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            registry = read_registry(options["registry"])
            records = read_records(options["records"])
        except InputError as error:
            raise CommandError(str(error)) from error
        try:
            with stage_progress() as on_progress:
                result = link(registry, records, on_progress=on_progress)
        except Exception as error:  # a bug or an exhausted machine must still end with a message, exit 1
            raise CommandError(f"紐付けを完了できませんでした: {error} / linkage failed") from error
        try:
            links_path, review_path = write_outputs(result, options["out"])
        except OSError as error:
            raise CommandError(f"出力先に書き込めません: {error} / cannot write output") from error
        counts = result.counts()
        total = max(records.height, 1)
        self.stdout.write(
            f"住民登録 registry: {registry.height:,} 人 persons / レコード records: {records.height:,}"
        )
        for decision, label in (("linked", "紐付け"), ("review", "要確認"), ("unmatched", "該当なし")):
            share = counts[decision] / total
            self.stdout.write(f"  {label} {decision}: {counts[decision]:,} ({share:.1%})")
        review_cases = result.review["record_id"].n_unique() if result.review.height else 0
        self.stdout.write(
            f"  要確認の候補 review candidates: {result.review.height:,} ({review_cases:,} 件 cases)"
        )
        self.stdout.write(f"  所要時間 time: {result.timings['total']:.1f} s")
        self.stdout.write(f"出力 output: {links_path} , {review_path}")
