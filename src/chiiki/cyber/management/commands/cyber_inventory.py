from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.cyber import engine
from chiiki.cyber.actions import CyberError, import_inventory, register_body
from chiiki.cyber.models import Asset, Body
from chiiki.tables import TableReadError, check_regular_file


class Command(BaseCommand):
    help = (
        "団体の機器・ソフトウェア一覧(CycloneDX・SPDX 2.3/3.0 の SBOM または CSV)を読み込み、照合します "
        "(load a body's inventory and match it). See docs/apps/cyber.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--municipality", required=True, help="the operator's 6-digit code (a prefecture)"
        )
        parser.add_argument("--body", required=True, help="the member body's name")
        parser.add_argument("--kind", choices=Body.Kind.values, help="register the body first with this kind")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = Municipality.objects.filter(code=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"地方公共団体コード {options['municipality']} が見つかりません")
        by = Actor.system("chiiki cyber inventory")
        body = Body.objects.filter(municipality=municipality, name=options["body"]).first()
        try:
            if body is None and options["kind"]:
                body = register_body(municipality, kind=options["kind"], name=options["body"], by=by)
        except CyberError as error:
            raise CommandError(str(error)) from error
        if body is None:
            raise CommandError(f"団体「{options['body']}」は登録されていません(--kind で登録できます)")
        path: Path = options["file"]
        try:
            check_regular_file(path)
            data = path.read_bytes()
            spdx = engine.is_spdx_json(data)
            cyclonedx = not spdx and (data.lstrip()[:1] == b"<" or b'"CycloneDX"' in data[:2000])
            if spdx:
                components = engine.read_spdx(data, document=path.name)
            elif cyclonedx:
                components = engine.read_cyclonedx(data, document=path.name)
            else:
                components = engine.read_inventory_csv(data, document=path.name)
        except (TableReadError, engine.InventoryError) as error:
            raise CommandError(f"読み込みませんでした(何も変えていません):\n{error}") from error
        source = Asset.Source.SPDX if spdx else Asset.Source.CYCLONEDX if cyclonedx else Asset.Source.CSV
        summary = import_inventory(body, components, source=source, document=path.name, by=by)
        self.stdout.write(
            f"{body.name}: 追加 {summary.added} / 変更なし {summary.kept} / 一覧から外した {summary.retired} / "
            f"新しい通知 {summary.alerts}"
        )
