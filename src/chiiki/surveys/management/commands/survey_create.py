"""``chiiki survey create``: import the questionnaire, create a survey round and draw its households.

All or nothing: the questionnaire version, the survey and its cases are written in one transaction (the
action `chiiki.surveys.actions.create_survey_round`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.jp import DateParseError, parse_date
from chiiki.surveys import actions, queries
from chiiki.surveys.cli_args import database_errors, rejected_message
from chiiki.surveys.models import Survey
from chiiki.surveys.xlsform import FormRejected

ACTOR = "chiiki survey create"


def _date(text: str | None, label: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return parse_date(text)
    except DateParseError as error:
        raise CommandError(f"{label}が日付として読めません: {text!r} ({error})") from error


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _rejected(error: FormRejected) -> str:
    return rejected_message(
        error,
        "調査票を読み込めません (form rejected; nothing was written):",
        more=" (chiiki survey check-form で全件を表示)",
    )


class Command(BaseCommand):
    help = (
        "調査を作成し、住民基本台帳から対象世帯を抽出します "
        "(create a survey from an XLSForm and draw its households: census, or --sample N)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", required=True, help="6-digit 全国地方公共団体コード")
        parser.add_argument(
            "--form", required=True, type=Path, help="XLSForm questionnaire (.xlsx, .md, .csv)"
        )
        parser.add_argument(
            "--files",
            nargs="+",
            default=[],
            metavar="FILE",
            help="フォームと一緒に使うファイル (choice files .csv .xml .geojson the form reads)",
        )
        parser.add_argument("--title", required=True, help="調査名 (survey title)")
        parser.add_argument("--reference-date", required=True, help="調査期日 (2025-10-01 or 令和7年10月1日)")
        parser.add_argument(
            "--sample", type=str, default=None, help="標本の世帯数; 省略時は全数調査 (census)"
        )
        parser.add_argument("--seed", type=str, default=None, help="乱数の種 (integer; random when omitted)")
        parser.add_argument("--minimum", type=str, default="2", help="層ごとの最低世帯数 (default 2)")
        parser.add_argument(
            "--strata",
            default="district,size,age",
            help="層化の変数 (strata variables: any of district,size,age; default all three)",
        )
        parser.add_argument(
            "--opens", default=None, help="回答受付開始日 (default: reference date - 14 days)"
        )
        parser.add_argument(
            "--closes", default=None, help="回答受付最終日 (default: reference date + 7 days)"
        )
        parser.add_argument("--follow-up", default=None, help="未回答世帯への訪問開始日 (optional)")

    def handle(self, *args: Any, **options: Any) -> None:
        new = self._new_survey(options)
        path: Path = options["form"]
        try:
            source = path.read_bytes()
        except OSError as error:
            raise CommandError(f"調査票のファイルを開けません: {path} ({error.strerror})") from error
        files: dict[str, bytes] = {}
        for name in options["files"]:
            try:
                files[Path(name).name] = Path(name).read_bytes()
            except OSError as error:
                raise CommandError(f"ファイルを開けません: {name} ({error.strerror})") from error
        with database_errors():
            municipality = Municipality.objects.filter(code=options["municipality"]).first()
            if municipality is None:
                raise CommandError(
                    f"地方公共団体コード {options['municipality']} が見つかりません "
                    "(municipality not found; 先に chiiki municipalities load を実行してください)"
                )
            try:
                created = actions.create_survey_round(
                    municipality, source, new, form_filename=path.name, by=Actor.system(ACTOR), files=files
                )
            except FormRejected as error:
                raise CommandError(_rejected(error)) from error
            except (actions.SurveyError, PermissionDenied) as error:
                raise CommandError(f"{error}\n(何も書き込んでいません nothing was written)") from error
        self._report(created)

    def _new_survey(self, options: dict[str, Any]) -> actions.NewSurvey:
        """The survey round the options describe (dates in 西暦 or 和暦; defaults around the reference date)."""
        reference_date = _date(options["reference_date"], "調査期日 (--reference-date)")
        assert reference_date is not None  # noqa: S101 - a required argument
        opens = _date(options["opens"], "受付開始日 (--opens)") or reference_date - dt.timedelta(days=14)
        closes = _date(options["closes"], "受付最終日 (--closes)") or reference_date + dt.timedelta(days=7)
        sample_size = self._integer(options["sample"], "標本の世帯数 (--sample)")
        seed = self._integer(options["seed"], "乱数の種 (--seed)")
        minimum = self._integer(options["minimum"], "層ごとの最低数 (--minimum)")
        if sample_size is None and seed is not None:
            raise CommandError("--seed は --sample と一緒に指定してください (seed only applies to a sample)")
        return actions.NewSurvey(
            title=options["title"],
            reference_date=reference_date,
            opens_at=_start_of(opens),
            closes_at=_start_of(closes + dt.timedelta(days=1)),
            follow_up_on=_date(options["follow_up"], "訪問開始日 (--follow-up)"),
            sample_size=sample_size,
            seed=seed,
            minimum_per_stratum=2 if minimum is None else minimum,
            strata_variables=options["strata"],
        )

    def _integer(self, text: str | None, label: str) -> int | None:
        if text is None:
            return None
        try:
            value = int(text)
        except ValueError as error:
            raise CommandError(f"{label}は整数で指定してください: {text!r}") from error
        if value < 0:
            raise CommandError(f"{label}は0以上にしてください: {value}")
        return value

    def _report(self, created: actions.SurveyRound) -> None:
        survey, summary = created.survey, created.sample
        form_id, number = created.version.questionnaire.form_id, created.version.number
        closes_on = timezone.localtime(survey.closes_at).date() - dt.timedelta(days=1)
        if survey.design == Survey.Design.CENSUS:
            design = "全数調査 (census)"
        else:
            design = (
                f"層化無作為抽出 (stratified sample) n={survey.sample_size} seed={survey.seed} "
                f"strata={survey.strata_variables} minimum={survey.minimum_per_stratum}"
            )
        lines = [
            f"調査を作成しました (survey created): ID {survey.pk}",
            f"  調査名 title: {survey.title}",
            f"  団体 municipality: {survey.municipality.display_name} ({survey.municipality_id})",
            f"  調査票 questionnaire: {form_id} 第{number}版",
            f"  調査期日 reference date: {survey.reference_date}",
            f"  回答期間 answering: {timezone.localtime(survey.opens_at).date()} - {closes_on}",
            f"  方法 design: {design}",
            f"  対象世帯 cases: {summary.cases} / 母集団 frame: {summary.frame} 世帯, 層 strata: {len(summary.strata)}",
        ]
        missing = queries.missing_files(survey)
        if missing:
            lines += [
                f"  未添付のファイル files not attached yet: {', '.join(missing)}",
                "  添付するまで回答できません (the survey cannot be answered until they are attached):",
                f"  chiiki survey attach --survey {survey.pk} {' '.join(missing)}",
            ]
        else:
            lines.append(
                f"次に依頼状のキーを発行します: chiiki survey issue-keys --survey {survey.pk} --out letters.csv"
            )
        self.stdout.write("\n".join(lines))
