"""`chiiki opendata harvest URL --municipality CODE [--fq FQ] [--full]`: pull datasets from another CKAN portal.

URL is the portal's site root (https://example.jp or https://example.jp/api/3/action both work). Later runs
only fetch datasets modified since the last one seen, unless --full. What is harvested waits, private, until
an open-data editor of the municipality CODE accepts it on the staff page. Exit 0 on success, 1 on any failure.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.opendata.actions import harvest_portal
from chiiki.opendata.harvest import HarvestError


class Command(BaseCommand):
    """Harvest a CKAN portal."""

    help = "ほかの CKAN ポータルからデータセットを取り込みます / harvest a CKAN portal"

    def add_arguments(self, parser: ArgumentParser) -> None:
        """URL, --fq, --full."""
        parser.add_argument("url", help="CKAN ポータルの URL")
        parser.add_argument(
            "--municipality", required=True, help="収集したデータを確認して公開する団体のコード（6桁）"
        )
        parser.add_argument("--fq", default="", help="絞り込み（例 organization:yamaguchi-pref）")
        parser.add_argument("--full", action="store_true", help="前回以降の差分でなく、すべて取り直す")

    def handle(self, *args: Any, **options: Any) -> None:
        """Harvest and print the counts."""
        municipality = Municipality.objects.filter(code=options["municipality"]).first()
        if municipality is None:
            raise CommandError(
                f"団体コード {options['municipality']} の団体がありません / unknown municipality"
            )
        try:
            summary = harvest_portal(
                options["url"],
                municipality=municipality,
                fq=options["fq"],
                full=options["full"],
                by=Actor.system("chiiki opendata harvest"),
            )
        except HarvestError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"取得 {summary.fetched} 件: 新規 {summary.created}、更新 {summary.updated}、"
            f"変更なし {summary.unchanged}、スキップ {summary.skipped}"
            "（新規・更新分は職員ページで確認してから公開されます）"
        )
