"""`chiiki opendata validate FILE [--dataset KIND] [--json]`: check a file against the standard datasets.

Exit 0 when the file is valid, 1 when it is not or cannot be read. No database is touched.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from chiiki.opendata.engine import Problem, ReadError, Report, check_readable, validate_file


class Command(BaseCommand):
    """Validate one CSV/XLSX file and print the report."""

    help = "オープンデータのファイルを自治体標準オープンデータセットに照らして検査します / validate an open-data file"
    requires_system_checks: list[str] = []  # noqa: RUF012 - Django expects a list here
    requires_migrations_checks = False

    def add_arguments(self, parser: ArgumentParser) -> None:
        """FILE, --dataset, --json."""
        parser.add_argument("file", help="CSV または XLSX のファイル")
        parser.add_argument(
            "--dataset", help="データセットの種類（id または日本語名。省略すると見出しから判定）"
        )
        parser.add_argument("--json", action="store_true", help="報告を JSON で出力する")

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the validator; exit 0 when valid, 1 otherwise."""
        try:
            # Before any reader opens it: a FIFO would block the first open() forever.
            check_readable(options["file"])
            report = validate_file(options["file"], options.get("dataset")).report
        except ReadError as exc:
            report = Report(file=str(options["file"]))
            report.problems.append(Problem("error", "unreadable", str(exc)))
        except Exception as exc:  # the engine reports problems itself; this is the last safety net
            self.stderr.write(f"検査できませんでした: {type(exc).__name__}: {exc} / validation failed")
            sys.exit(1)
        self.stdout.write(report.to_json() if options["json"] else report.to_text())
        sys.exit(0 if report.valid else 1)
