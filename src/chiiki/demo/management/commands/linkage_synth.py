"""``chiiki linkage synth --persons N --records M --out DIR --seed S``: synthetic test data.

Writes DIR/registry.csv, DIR/records.csv and DIR/truth.csv (record_id, person_id or blank for people
outside the registry, and the mistakes applied to the record). Needs no database.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chiiki.demo.linkage import RECORD_COLUMNS, REGISTRY_COLUMNS, TRUTH_COLUMNS, generate


def _write(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


class Command(BaseCommand):
    help = "紐付けの検証用データを生成します (generate a synthetic registry, records and ground truth)"
    requires_system_checks: list[str] = []  # noqa: RUF012 - Django's own attribute type
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--persons", type=int, required=True, help="住民登録の人数 (registry size)")
        parser.add_argument("--records", type=int, required=True, help="レコード数 (number of records)")
        parser.add_argument("--out", required=True, help="出力先フォルダ (output directory)")
        parser.add_argument("--seed", type=int, default=0, help="乱数の種 (random seed)")

    def handle(self, *args: Any, **options: Any) -> None:
        persons, records = int(options["persons"]), int(options["records"])
        if persons < 1 or records < 0:
            raise CommandError("--persons は1以上、--records は0以上にしてください / sizes must be positive")
        data = generate(persons, records, seed=int(options["seed"]))
        out = Path(options["out"])
        try:
            out.mkdir(parents=True, exist_ok=True)
            _write(out / "registry.csv", REGISTRY_COLUMNS, data.registry)
            _write(out / "records.csv", RECORD_COLUMNS, data.records)
            _write(out / "truth.csv", TRUTH_COLUMNS, data.truth)
        except OSError as error:
            raise CommandError(f"出力先に書き込めません: {error} / cannot write output") from error
        outside = sum(1 for row in data.truth if not row["person_id"])
        self.stdout.write(f"住民登録 registry: {len(data.registry):,} 人 persons -> {out / 'registry.csv'}")
        self.stdout.write(
            f"レコード records: {len(data.records):,} (登録外 outside the registry: {outside:,}) -> {out / 'records.csv'}"
        )
        self.stdout.write(f"正解 truth -> {out / 'truth.csv'}")
