"""``chiiki fieldwork remind --survey ID``: send today's scheduled reminder to households that have not answered."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from chiiki.fieldwork import actions
from chiiki.fieldwork.cli_args import date_from, survey_from

ACTOR = "chiiki fieldwork remind"


class Command(BaseCommand):
    help = (
        "督促の予定日に、未回答の世帯へ督促を送ります。同じ回の督促は二度送りません "
        "(send the scheduled reminder to non-responders; never twice per round)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--survey", required=True, help="調査ID (survey ID)")
        parser.add_argument(
            "--days",
            default=None,
            help="督促の予定を先に設定する: 回答受付開始からの日数, 例 7,14 (set the schedule first)",
        )
        parser.add_argument("--date", default=None, help="今日の代わりの日付 YYYY-MM-DD (for rehearsals)")

    def handle(self, *args: Any, **options: Any) -> None:
        survey = survey_from(options["survey"])
        today = date_from(options["date"])
        try:
            if options["days"] is not None:
                days = actions.parse_days(options["days"])
                actions.set_reminder_schedule(survey, days, by=None, actor_label=ACTOR)
            result = actions.send_reminders(survey, by=None, today=today, actor_label=ACTOR)
        except (actions.FieldworkError, PermissionDenied) as error:
            raise CommandError(str(error)) from error
        except DatabaseError as error:
            raise CommandError(f"データベースに書き込めません (database error: {error})") from error
        if result.round is None:
            self.stdout.write(f"調査 {survey.pk}: 督促は送りませんでした — {result.reason}")
            return
        self.stdout.write(
            f"調査 {survey.pk}: 第{result.round}回の督促を {result.sent} 世帯に送りました(経路: {result.channel}) "
            f"(round {result.round}: {result.sent} reminders via {result.channel})"
        )
