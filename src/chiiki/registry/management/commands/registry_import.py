from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.registry.actions import RegistryNotEmptyError, import_registry
from chiiki.registry.extract import LABEL, ExtractError, parse_extract
from chiiki.tables import TableReadError, read_table_bytes


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
            data = read_table_bytes(path, label=LABEL)  # refuses pipes, devices, PDFs and workbooks by name
        except TableReadError as error:
            raise CommandError(str(error)) from error
        try:
            rows = parse_extract(data)
            summary = import_registry(
                municipality, rows, by=Actor.system("chiiki registry import"), replace=options["replace"]
            )
        except ExtractError as error:
            raise CommandError(f"読み込みませんでした(何も書き込んでいません):\n{error}") from error
        except RegistryNotEmptyError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{municipality.display_name}: {summary.persons} 人 / {summary.households} 世帯 / "
            f"{summary.districts} 地区を読み込みました"
        )
