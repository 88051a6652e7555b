"""`chiiki coverage targets [FILE] --table-version V`: load a version of the coverage target table and show the diff."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chiiki.core.acting import Actor
from chiiki.coverage.actions import load_targets
from chiiki.coverage.grid import TargetFileError

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "targets.csv"
SHIPPED_VERSION = "2026-12-shipped"


class Command(BaseCommand):
    help = "通信環境の目標の表を読み込み、前の版との違いを表示します (load the coverage target table)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="目標の表(CSV)。省略すると同梱の表")
        parser.add_argument("--table-version", dest="table_version", help="この版の名前(例: 2027-04)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"]) if options["file"] else SHIPPED
        version = options["table_version"] or (SHIPPED_VERSION if options["file"] is None else "")
        if not version:
            raise CommandError("--table-version で版の名前を指定してください")
        try:
            loaded = load_targets(
                path.read_bytes(), version=version, by=Actor.system("chiiki coverage targets")
            )
        except (OSError, TargetFileError, ValueError) as error:
            raise CommandError(str(error)) from error
        if not loaded.created:
            self.stdout.write(f"変更はありません。版 {loaded.table.version} のままです。")
            return
        self.stdout.write(f"版 {loaded.table.version} を読み込みました({loaded.table.targets.count()} 行)。")
        for line in loaded.diff.lines():
            self.stdout.write(line)
