from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chiiki.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "`chiiki backup` の保存ファイルを空のデータベースに復元し、行数と監査ログの連鎖を確かめます "
        "(restore a backup into an empty database and check row counts and the audit chains)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", type=Path, help="a file written by `chiiki backup` (its manifest beside it)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            restored = restore(options["file"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        for table, (want, got) in sorted(restored.count_mismatches.items()):
            self.stderr.write(f"行数が足りません / rows missing: {table}: backup had {want}, restored {got}")
        for line in restored.chain_breaks:
            self.stderr.write(f"監査ログの連鎖が壊れています / audit chain broken: {line}")
        if not restored.ok:
            raise CommandError(
                "復元したデータがマニフェストと一致しません (the restore does not match its manifest)"
            )
        self.stdout.write(
            f"復元して確認しました (restored and checked): {restored.tables} tables, {restored.rows} rows; "
            "row counts and audit chains match the manifest"
        )
