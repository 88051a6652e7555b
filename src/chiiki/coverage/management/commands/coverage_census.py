"""`chiiki coverage census FILE --municipality CODE --source TEXT`: load e-Stat 500 m mesh population."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.coverage.actions import import_census_population
from chiiki.coverage.grid import CensusFileError


class Command(BaseCommand):
    help = (
        "国勢調査の500mメッシュ人口(e-Stat の KEY_CODE の CSV)を読み込みます (load census mesh population)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--municipality", required=True, help="団体コード(6桁)")
        parser.add_argument("--source", required=True, help="出典(例: 令和2年国勢調査 500mメッシュ 5339)")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = Municipality.objects.filter(code=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"団体コード {options['municipality']} の市区町村がありません")
        try:
            done = import_census_population(
                municipality,
                Path(options["file"]).read_bytes(),
                source=options["source"],
                by=Actor.system("chiiki coverage census"),
            )
        except (OSError, CensusFileError, ValueError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{done.cells} 区画、{done.population} 人を読み込みました(秘匿・合算 {done.suppressed} 区画)。"
        )
