"""`chiiki coverage coarsen --municipality CODE [--keep-days 365]`: forget exact places of old reports."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.coverage.actions import coarsen_old_reports

DEFAULT_KEEP_DAYS = 365


class Command(BaseCommand):
    help = "古い報告の正確な場所を消し、250mメッシュと地区だけを残します (coarsen old reports to their cell)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", required=True, help="団体コード(6桁)")
        parser.add_argument("--keep-days", type=int, default=DEFAULT_KEEP_DAYS, help="正確な場所を残す日数")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = Municipality.objects.filter(code=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"団体コード {options['municipality']} の市区町村がありません")
        try:
            done = coarsen_old_reports(
                municipality, keep_days=options["keep_days"], by=Actor.system("chiiki coverage coarsen")
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{done.before} より前の報告 {done.reports} 件の正確な場所を消しました。")
