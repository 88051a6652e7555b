"""`chiiki opendata standard load BOOK.xlsx [--dry-run]`: install a definition book's datasets as new versions.

Prints, per dataset sheet, what changes against the schema in use (+ added, - removed, ~ level or order), then
installs each changed dataset as a new version with the book's file name and date. `--dry-run` only prints.
`chiiki opendata standard list` shows the installed versions.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from chiiki.core.acting import Actor
from chiiki.opendata import actions
from chiiki.opendata.engine import BookError
from chiiki.opendata.models import StandardVersion


class Command(BaseCommand):
    """Load a データ項目定義書 workbook, or list the installed versions."""

    help = "データ項目定義書（xlsx）を標準データセットの新しい版として読み込みます / load a definition book"

    def add_arguments(self, parser: ArgumentParser) -> None:
        """load BOOK [--dry-run] | list."""
        parser.add_argument("verb", choices=["load", "list"])
        parser.add_argument("book", nargs="?", help="定義書のファイル（xlsx、公開されたままの形）")
        parser.add_argument("--dry-run", action="store_true", help="違いを表示するだけで、読み込まない")

    def handle(self, *args: Any, **options: Any) -> None:
        """Show the differences, then install (or list the versions)."""
        if options["verb"] == "list":
            for row in StandardVersion.objects.order_by("kind", "version"):
                self.stdout.write(f"{row.kind:28} v{row.version:<3} {row.book_date:10} {row.book_file}")
            return
        if not options["book"]:
            self.stderr.write("定義書のファイルを指定してください / give the book's file")
            sys.exit(2)
        try:
            changes, unknown = actions.preview_book(options["book"])
        except BookError as error:
            self.stderr.write(f"定義書を読めません: {error}")
            sys.exit(1)
        for change in changes:
            self.stdout.write(change.diff.to_text())
        for title in unknown:
            self.stdout.write(f"{title}: 標準データセットに当たるものがないため読み込みません")
        if options["dry_run"]:
            return
        installed = actions.install_book(options["book"], by=Actor.system("chiiki opendata standard load"))
        for row in installed:
            self.stdout.write(
                f"読み込みました: {row.kind} 第{row.version}版（{row.book_file} {row.book_date}）"
            )
        if not installed:
            self.stdout.write("変更がないため、新しい版は作りませんでした")
