"""``chiiki survey simulate-responses``: give a survey (the demo census) a realistic, deterministic response pattern.

Demo data (chiiki.demo.census_responses); the CLI finds the command here by its name.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from chiiki.core.acting import Actor
from chiiki.demo.census_responses import SimulationError, simulate_responses
from chiiki.evidence.analysis import MODE_LABELS, PATH_LABELS
from chiiki.surveys.models import Survey

ACTOR = "chiiki survey simulate-responses"


def _survey(value: str) -> Survey:
    try:
        survey_id = int(value)
    except ValueError as error:
        raise CommandError(
            f"調査IDは数字で指定してください: {value!r} (survey ID must be a number)"
        ) from error
    survey = Survey.objects.select_related("municipality").filter(pk=survey_id).first()
    if survey is None:
        raise CommandError(f"調査ID {survey_id} が見つかりません (survey not found)")
    return survey


class Command(BaseCommand):
    help = (
        "調査に模擬の回答を作ります(依頼状・督促・調査員の訪問と回答、住民基本台帳と整合した回答内容)。"
        "同じ種なら同じ結果 (simulate a deterministic, realistic response pattern for a survey)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--survey", required=True, help="調査ID (survey ID)")
        parser.add_argument("--seed", default="2025", help="乱数の種 (seed; default 2025)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            seed = int(options["seed"])
        except ValueError as error:
            raise CommandError(
                f"種は整数で指定してください: {options['seed']!r} (seed must be an integer)"
            ) from error
        try:
            survey = _survey(options["survey"])
            summary = simulate_responses(survey, seed=seed, by=Actor.system(ACTOR))
        except SimulationError as error:
            raise CommandError(str(error)) from error
        except DatabaseError as error:
            raise CommandError(
                f"データベースを読めません。chiiki migrate は実行済みですか? (database error: {error})"
            ) from error
        modes = " / ".join(f"{MODE_LABELS.get(k, k)} {v:,}" for k, v in summary.by_mode.items())
        paths = " / ".join(f"{PATH_LABELS.get(k, k)} {v:,}" for k, v in summary.by_path.items())
        self.stdout.write(
            f"調査 {survey.pk}「{survey.title}」に模擬回答を作りました (responses simulated, seed {seed})"
        )
        self.stdout.write(
            f"  対象世帯 {summary.cases:,}(アクセスキー発行済みの {summary.skipped_with_keys:,} 世帯は対象外)"
        )
        self.stdout.write(f"  回答 {summary.responded:,} 世帯({summary.rate:.1f}%): {modes}")
        self.stdout.write(f"  回答の経路: {paths}(訪問 {summary.visits:,} 回)")
        self.stdout.write(
            f"  督促: 受付開始から {', '.join(map(str, summary.reminder_days))} 日目、訪問: {summary.follow_up_day} 日目から"
        )
        self.stdout.write(f"  回答の少ない地区: {'、'.join(summary.low_response_districts) or 'なし'}")
        for note in summary.notes:
            self.stdout.write(f"  注意: {note}")
