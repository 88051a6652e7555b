from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chiiki.core.actions import seal_audit_records
from chiiki.core.backup import BackupError, backup, manifest_path


class Command(BaseCommand):
    help = (
        "データベースをファイルに保存し、検証用のマニフェストを添えます "
        "(back up the database: SQLite online backup or pg_dump, with a manifest of row counts and audit chain heads)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the backup file to write (must not exist)")

    def handle(self, *args: Any, **options: Any) -> None:
        seal_audit_records()  # so the manifest's chain heads cover every record written so far
        try:
            manifest = backup(options["file"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["row_counts"].values())
        self.stdout.write(
            f"保存しました (backed up): {options['file']} — {len(manifest['row_counts'])} tables, {rows} rows; "
            f"manifest {manifest_path(options['file'])}. Keep both off this server."
        )
