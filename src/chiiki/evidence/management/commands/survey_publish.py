"""``chiiki survey publish``: publish a disclosure-checked table of a survey as an open-data dataset."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from chiiki.evidence import tables
from chiiki.evidence.actions import EvidenceError, latest_run, publish_table, run_now
from chiiki.evidence.management.commands.survey_simulate_responses import _survey
from chiiki.evidence.models import EvidenceRun

ACTOR = "chiiki survey publish"


class Command(BaseCommand):
    help = (
        "調査の集計表を秘匿の検査のうえでオープンデータとして公開します(CSV とメタデータ)。"
        "検査に通らない表は公開しません (publish a disclosure-checked table in the open-data catalog)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--survey", required=True, help="調査ID (survey ID)")
        parser.add_argument("--table", help=f"表の名前 (table name): {', '.join(tables.TABLE_NAMES)}")
        parser.add_argument("--list", action="store_true", help="表と検査結果の一覧を表示 (list tables)")
        parser.add_argument(
            "--recompute", action="store_true", help="先に集計をやり直す (compute a fresh run first)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["list"] and not options["table"]:
            raise CommandError(
                f"--table で表を指定してください: {', '.join(tables.TABLE_NAMES)} (give --table NAME or --list)"
            )
        try:
            survey = _survey(options["survey"])
            run = None if options["recompute"] else latest_run(survey)
            if run is None:
                self.stdout.write(f"調査 {survey.pk} を集計しています… (computing weights and estimates)")
                run = run_now(survey, actor_label=ACTOR)
                if run.status != EvidenceRun.Status.DONE:
                    raise CommandError(f"集計できませんでした: {run.message} (the evidence run failed)")
            if options["list"]:
                for name, table in (run.result or {}).get("tables", {}).items():
                    state = "公開可" if table["passed"] else f"公開不可: {table['message']}"
                    self.stdout.write(f"{name}\t{table['title']}\t秘匿 {table['suppressed']} セル\t{state}")
                return
            published = publish_table(survey, options["table"], by=None, run=run, actor_label=ACTOR)
        except EvidenceError as error:
            raise CommandError(str(error)) from error
        except DatabaseError as error:
            raise CommandError(
                f"データベースを読めません。chiiki migrate は実行済みですか? (database error: {error})"
            ) from error
        name = published.dataset.name
        self.stdout.write(f"公開しました: データセット {name} (published)")
        self.stdout.write(
            f"  /opendata/dataset/{name}/ — 集計 #{run.pk}、秘匿したセル {published.suppressed_cells}"
        )
