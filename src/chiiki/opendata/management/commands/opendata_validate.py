"""`chiiki opendata validate FILE [--dataset KIND [--standard-version N]] [--json]`: check a file against the
standard datasets.

Exit 0 when the file is valid, 1 when it is not or cannot be read. Without `--standard-version` no database is
touched (the shipped schemas); with it, the file is checked against that installed version of the definition
book (0: the shipped schema), as a file made for an older book is.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from chiiki.opendata.engine import (
    Problem,
    ReadError,
    Report,
    StandardSchema,
    check_readable,
    resolve_kind,
    validate_file,
)


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
        parser.add_argument(
            "--standard-version",
            type=int,
            help="定義書の版（chiiki opendata standard list の番号。0 は同梱の定義。--dataset と一緒に）",
        )
        parser.add_argument("--json", action="store_true", help="報告を JSON で出力する")

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the validator; exit 0 when valid, 1 otherwise."""
        try:
            # Before any reader opens it: a FIFO would block the first open() forever.
            check_readable(options["file"])
            report = validate_file(options["file"], self._dataset(options)).report
        except ReadError as exc:
            report = Report(file=str(options["file"]))
            report.problems.append(Problem("error", "unreadable", str(exc)))
        except Exception as exc:  # the engine reports problems itself; this is the last safety net
            self.stderr.write(f"検査できませんでした: {type(exc).__name__}: {exc} / validation failed")
            sys.exit(1)
        self.stdout.write(report.to_json() if options["json"] else report.to_text())
        sys.exit(0 if report.valid else 1)

    def _dataset(self, options: dict[str, Any]) -> str | StandardSchema | None:
        """The kind as given, or with --standard-version that version of its schema (exit 1 when unknown)."""
        version = options.get("standard_version")
        if version is None:
            return options.get("dataset")
        from chiiki.opendata import queries

        if not options.get("dataset"):
            self.stderr.write(
                "--standard-version には --dataset で種類も指定してください / give --dataset too"
            )
            sys.exit(1)
        try:
            kind = resolve_kind(options["dataset"]).id
        except KeyError as exc:
            self.stderr.write(f"{exc.args[0] if exc.args else exc}")
            sys.exit(1)
        schema = queries.standard_schema(kind, version)
        if schema is None:
            known = ", ".join(str(v) for v in queries.standard_version_numbers(kind))
            self.stderr.write(
                f"{kind} の版 {version} はありません（ある版: {known}） / no such version of the standard"
            )
            sys.exit(1)
        return schema
