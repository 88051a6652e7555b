"""``chiiki fieldwork remind --survey ID``: send today's scheduled reminder to households that have not answered."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from chiiki.core.acting import Actor
from chiiki.fieldwork import actions, queries
from chiiki.surveys.cli_args import database_errors, date_from, survey_from
from chiiki.surveys.models import Survey

ACTOR = "chiiki fieldwork remind"


class Command(BaseCommand):
    help = (
        "督促の予定日に、未回答の世帯へ督促を送ります。同じ回の督促は二度送りません "
        "(send the scheduled reminder to non-responders; never twice per round)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--survey", help="調査ID (survey ID)")
        target.add_argument(
            "--all",
            action="store_true",
            help="督促の予定がある受付中の全調査 (every open survey with a schedule; for a daily cron job)",
        )
        parser.add_argument(
            "--days",
            default=None,
            help="督促の予定を先に設定する: 回答受付開始からの日数, 例 7,14 (set the schedule first)",
        )
        parser.add_argument("--date", default=None, help="今日の代わりの日付 YYYY-MM-DD (for rehearsals)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = date_from(options["date"])
        if options["all"]:
            if options["days"] is not None:
                raise CommandError("--days は --survey と一緒に指定してください (--days needs --survey)")
            self._all(today)
            return
        survey = survey_from(options["survey"])
        by = Actor.system(ACTOR)
        try:
            with database_errors():
                if options["days"] is not None:
                    actions.set_reminder_schedule(survey, actions.parse_days(options["days"]), by=by)
                result = actions.send_reminders(survey, by=by, today=today)
        except (actions.FieldworkError, PermissionDenied) as error:
            raise CommandError(str(error)) from error
        self._report(survey, result)

    def _all(self, today: date | None) -> None:
        with database_errors():
            schedules = list(queries.open_schedules())
            for schedule in schedules:
                self._report(
                    schedule.survey,
                    actions.send_reminders(schedule.survey, by=Actor.system(ACTOR), today=today),
                )
        if not schedules:
            self.stdout.write(
                "督促の予定がある受付中の調査はありません (no open survey has a reminder schedule)"
            )

    def _report(self, survey: Survey, result: actions.ReminderSummary) -> None:
        if result.round is None:
            self.stdout.write(f"調査 {survey.pk}: 督促は送りませんでした — {result.reason}")
            return
        if result.sent == 0:
            self.stdout.write(
                f"調査 {survey.pk}: 第{result.round}回の督促を送る世帯はもうありません "
                f"(round {result.round}: everyone due has answered or was already reminded)"
            )
            return
        self.stdout.write(
            f"調査 {survey.pk}: 第{result.round}回の督促を {result.sent} 世帯に送りました(経路: {result.channel}) "
            f"(round {result.round}: {result.sent} reminders via {result.channel})"
        )
