"""``chiiki fieldwork build-followup --survey ID``: put the non-responding households on enumerators' lists."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from chiiki.core.acting import Actor
from chiiki.fieldwork import actions
from chiiki.surveys.cli_args import database_errors, date_from, survey_from

ACTOR = "chiiki fieldwork build-followup"


class Command(BaseCommand):
    help = (
        "訪問開始日以降、未回答の世帯を地区ごとにまとめて統計調査員に割り当てます "
        "(build the non-response follow-up lists, balanced by workload)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--survey", required=True, help="調査ID (survey ID)")
        parser.add_argument(
            "--rebuild", action="store_true", help="作成済みのリストを作り直す (replace lists)"
        )
        parser.add_argument("--date", default=None, help="今日の代わりの日付 YYYY-MM-DD (for rehearsals)")

    def handle(self, *args: Any, **options: Any) -> None:
        survey = survey_from(options["survey"])
        try:
            with database_errors():
                summary = actions.build_follow_up(
                    survey,
                    by=Actor.system(ACTOR),
                    today=date_from(options["date"]),
                    rebuild=options["rebuild"],
                )
        except (actions.FieldworkError, PermissionDenied) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"調査 {survey.pk}「{survey.title}」: 未回答 {summary.non_responders} 世帯を "
            f"{len(summary.areas)} 人の調査員に割り当てました "
            f"({summary.non_responders} households to {len(summary.areas)} enumerators)"
        )
        for area in summary.areas:
            self.stdout.write(
                f"  調査区 {area.number}: {area.enumerator} — {area.households} 世帯, {area.districts} 地区"
            )
