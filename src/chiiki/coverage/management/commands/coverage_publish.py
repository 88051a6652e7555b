"""`chiiki coverage publish --municipality CODE`: publish the aggregated coverage map in the open-data catalog."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.coverage.actions import publish_coverage_map


class Command(BaseCommand):
    help = (
        "500mメッシュごとの通信環境をオープンデータのカタログに公開・更新します"
        " (publish the aggregated coverage map as an open-data dataset)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", required=True, help="団体コード(6桁)")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = Municipality.objects.filter(code=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"団体コード {options['municipality']} の市区町村がありません")
        dataset = publish_coverage_map(municipality, by=Actor.system("chiiki coverage publish"))
        state = "非公開のまま更新" if dataset.private else "公開"
        self.stdout.write(
            f"データセット {dataset.name} を{state}しました({dataset.resources.count()} ファイル)。"
        )
