"""`chiiki opendata convert FILE [--dataset KIND] --out OUT.csv [--report REPORT.json]`.

Writes the standard UTF-8 CSV (and the JSON report). Nothing is written when the file cannot be read or matched
to a dataset. Exit 0 when the converted data is valid, 1 otherwise.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from chiiki.opendata.engine import convert_file


class Command(BaseCommand):
    """Convert one CSV/XLSX file to the standard CSV."""

    help = "オープンデータのファイルを標準の CSV（UTF-8）に変換します / convert to the standard CSV"
    requires_system_checks: list[str] = []  # noqa: RUF012 - Django expects a list here
    requires_migrations_checks = False

    def add_arguments(self, parser: ArgumentParser) -> None:
        """FILE, --dataset, --out, --report, --bom."""
        parser.add_argument("file", help="CSV または XLSX のファイル")
        parser.add_argument(
            "--dataset", help="データセットの種類（id または日本語名。省略すると見出しから判定）"
        )
        parser.add_argument("--out", required=True, help="書き出す標準 CSV のパス")
        parser.add_argument("--report", help="検査報告（JSON）を書き出すパス")
        parser.add_argument("--bom", action="store_true", help="Excel 向けに BOM 付き UTF-8 で書く")

    def handle(self, *args: Any, **options: Any) -> None:
        """Convert; print a short summary to stderr-free stdout and exit 0/1."""
        try:
            result = convert_file(
                options["file"],
                options["out"],
                dataset=options.get("dataset"),
                report_path=options.get("report"),
                bom=options["bom"],
            )
        except Exception as exc:
            self.stderr.write(f"変換できませんでした: {type(exc).__name__}: {exc} / conversion failed")
            sys.exit(1)
        report = result.report
        self.stdout.write(report.to_text())
        if result.frame is None:
            self.stderr.write("変換できませんでした（出力ファイルは作っていません） / nothing written")
            sys.exit(1)
        self.stdout.write(f"書き出しました: {options['out']}（{report.rows} 行）")
        sys.exit(0 if report.valid else 1)
