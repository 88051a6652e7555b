"""``chiiki survey publish``: publish a disclosure-checked table of a survey as an open-data dataset."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from chiiki.core.acting import Actor
from chiiki.evidence import queries, tables
from chiiki.evidence.actions import EvidenceError, publish_table, request_run
from chiiki.evidence.models import EvidenceRun
from chiiki.evidence.tasks import compute_evidence_run
from chiiki.surveys.models import Survey

ACTOR = "chiiki survey publish"


def _survey(value: str) -> Survey:
    try:
        survey_id = int(value)
    except ValueError as error:
        raise CommandError(
            f"調査IDは数字で指定してください: {value!r} (survey ID must be a number)"
        ) from error
    survey = queries.find_survey(None, survey_id)
    if survey is None:
        raise CommandError(f"調査ID {survey_id} が見つかりません (survey not found)")
    return survey


def _compute_now(survey: Survey, by: Actor) -> EvidenceRun:
    """Request a run and compute it in this process (the worker, when it gets the task, finds it done)."""
    run = request_run(survey, by=by)
    compute_evidence_run.call(run.pk)
    run.refresh_from_db()
    return run


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
            by = Actor.system(ACTOR)
            survey = _survey(options["survey"])
            run = None if options["recompute"] else queries.latest_run(survey)
            if run is None:
                self.stdout.write(f"調査 {survey.pk} を集計しています… (computing weights and estimates)")
                run = _compute_now(survey, by)
                if run.status != EvidenceRun.Status.DONE:
                    raise CommandError(f"集計できませんでした: {run.message} (the evidence run failed)")
            if options["list"]:
                for name, table in (run.result or {}).get("tables", {}).items():
                    state = "公開可" if table["passed"] else f"公開不可: {table['message']}"
                    self.stdout.write(f"{name}\t{table['title']}\t秘匿 {table['suppressed']} セル\t{state}")
                return
            published = publish_table(survey, options["table"], by=by, run=run)
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
