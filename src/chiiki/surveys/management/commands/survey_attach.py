"""``chiiki survey attach``: attach the files a survey's questionnaire reads, or list them.

A form may read files (``select_one_from_file``, ``instance('name')``, ``pulldata('name', …)``) that were not
uploaded with it. The survey cannot be answered until they are attached; this command attaches them, all or
nothing (the action `chiiki.surveys.actions.attach_questionnaire_files`), and without files lists them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from chiiki.core.acting import Actor
from chiiki.surveys import actions, queries
from chiiki.surveys.cli_args import database_errors, rejected_message, survey_from
from chiiki.surveys.models import Survey
from chiiki.surveys.xlsform import FormRejected

ACTOR = "chiiki survey attach"


def _rejected(error: FormRejected) -> str:
    return rejected_message(error, "ファイルを添付できません (files refused; nothing was written):")


class Command(BaseCommand):
    help = (
        "調査票が読むファイル(CSV・XML・GeoJSON)を調査に添付します。ファイルを指定しなければ一覧を表示します "
        "(attach the files the survey's questionnaire reads; without FILE, list them with their status)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--survey", required=True, help="調査ID (survey ID)")
        parser.add_argument(
            "files", nargs="*", metavar="FILE", help="添付するファイル (named as the form names them)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        survey = survey_from(options["survey"])
        files: dict[str, bytes] = {}
        for name in options["files"]:
            try:
                files[Path(name).name] = Path(name).read_bytes()
            except OSError as error:
                raise CommandError(f"ファイルを開けません: {name} ({error.strerror})") from error
        if files:
            self._attach(survey, files)
        with database_errors(writing=False):
            survey.refresh_from_db()
            self._list(survey)

    def _attach(self, survey: Survey, files: dict[str, bytes]) -> None:
        try:
            with database_errors():
                done = actions.attach_questionnaire_files(survey, files, by=Actor.system(ACTOR))
        except FormRejected as error:
            raise CommandError(_rejected(error)) from error
        except (actions.SurveyError, PermissionDenied) as error:
            raise CommandError(f"{error}\n(何も書き込んでいません nothing was written)") from error
        self.stdout.write(
            f"調査 {survey.pk}: {', '.join(done.attached)} を添付しました (attached; questionnaire "
            f"version {done.version.number})"
        )
        for problem in done.warnings:
            self.stdout.write(f"  注意 warning: {problem.describe()}")

    def _list(self, survey: Survey) -> None:
        declared = queries.declared_files(survey.questionnaire_version)
        if not declared:
            self.stdout.write(f"調査 {survey.pk}: 調査票はファイルを読みません (the form reads no file)")
            return
        for f in declared:
            status = f"添付済み attached ({f.items} 件)" if f.attached else "未添付 missing"
            self.stdout.write(f"  {f.name}: {status}; 列 columns: {', '.join(f.columns) or '-'}")
        missing = [f.name for f in declared if not f.attached]
        if missing:
            self.stdout.write(
                f"未添付のファイルがあるため、回答できません (cannot be answered until attached): {', '.join(missing)}"
            )
        else:
            self.stdout.write("すべて添付済みです。回答できます (every file is attached)")
