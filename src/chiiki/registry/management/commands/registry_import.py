from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.registry.actions import RegistryNotEmptyError, import_extract
from chiiki.registry.extract import ExtractError, ExtractStream
from chiiki.tables import TableReadError, check_regular_file


class Command(BaseCommand):
    help = "住民基本台帳の抽出ファイル(CSV)を読み込みます (import a registry extract). See docs/registry-import.md."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--municipality", required=True, help="6-digit 全国地方公共団体コード")
        parser.add_argument(
            "--replace", action="store_true", help="replace the municipality's current registry"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        municipality = Municipality.objects.filter(code=options["municipality"]).first()
        if municipality is None:
            raise CommandError(
                f"地方公共団体コード {options['municipality']} が見つかりません "
                "(先に chiiki municipalities load を実行してください)"
            )
        try:
            check_regular_file(
                path
            )  # refuses pipes and devices before opening; PDFs and workbooks by name below
            handle = path.open("rb")
        except (TableReadError, OSError) as error:
            message = str(error) if isinstance(error, TableReadError) else f"ファイルを開けません: {path}"
            raise CommandError(message) from error
        try:
            with handle:  # read in chunks, never whole: a city's extract is millions of rows
                summary = import_extract(
                    municipality,
                    ExtractStream(handle),
                    by=Actor.system("chiiki registry import"),
                    replace=options["replace"],
                )
        except ExtractError as error:
            raise CommandError(f"読み込みませんでした(何も書き込んでいません):\n{error}") from error
        except RegistryNotEmptyError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{municipality.display_name}: {summary.persons} 人 / {summary.households} 世帯 / "
            f"{summary.districts} 地区を読み込みました"
        )
