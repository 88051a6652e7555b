"""``chiiki survey export``: write a survey's submitted answers as files, one per repeat level, plus a codebook."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chiiki.core.acting import Actor
from chiiki.surveys import actions
from chiiki.surveys import export as engine
from chiiki.surveys.cli_args import database_errors, survey_from

ACTOR = "chiiki survey export"


def parse_formats(text: str) -> list[engine.Format]:
    """ "csv", "csv,parquet" or "all" as the list of formats; raise CommandError for an unknown one."""
    names: list[str] = (
        list(engine.FORMATS) if text.strip() == "all" else [part.strip() for part in text.split(",")]
    )
    chosen = [fmt for fmt in engine.FORMATS if fmt in names]
    unknown = [name for name in names if name not in engine.FORMATS]
    if unknown or not chosen:
        raise CommandError(
            f"形式は {' / '.join(engine.FORMATS)} / all から選んでください (unknown format: {', '.join(unknown)})"
        )
    return chosen


class Command(BaseCommand):
    help = (
        "提出済みの回答を書き出します。世帯票と繰り返し(世帯員など)ごとに1ファイル、世帯キーで結合、"
        "コードブック付き (export submitted answers: CSV with BOM, Parquet, Stata, SPSS)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--survey", required=True, help="調査ID (survey ID)")
        parser.add_argument(
            "--format",
            default="csv",
            help="csv | parquet | stata | spss | all (comma-separated list allowed)",
        )
        parser.add_argument("--out", required=True, type=Path, help="書き出すフォルダ (new or empty)")

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        formats = parse_formats(options["format"])
        survey = survey_from(options["survey"])
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise CommandError(
                f"{out} は空のフォルダではありません。上書きしません (choose a new or empty folder)"
            )
        try:
            with database_errors(writing=False):
                result = actions.export_survey(survey, formats, out, by=Actor.system(ACTOR))
        except OSError as error:
            raise CommandError(f"{out} に書き込めません: {error.strerror}") from error
        except engine.ExportError as error:
            raise CommandError(str(error)) from error
        rows = ", ".join(f"{table} {count}" for table, count in result.rows.items())
        self.stdout.write(
            f"調査 {survey.pk} ({survey.title}): 回答 {result.households} 世帯を {out} に書き出しました\n"
            f"  行数 rows: {rows}\n"
            f"  ファイル files: {', '.join(path.name for path in result.files)}"
        )
