from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.cyber.actions import request_feed_import
from chiiki.cyber.models import FeedImport, Tlp
from chiiki.tables import TableReadError, check_regular_file


class Command(BaseCommand):
    help = (
        "アドバイザリのファイル(OSV または CSAF 2.0 の JSON)を読み込みに回します。chiiki worker が読み込み、"
        "全団体と照合します (queue a file of advisories for loading and matching). See docs/apps/cyber.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--municipality", required=True, help="the operator's 6-digit code (a prefecture)"
        )
        parser.add_argument("--format", required=True, choices=FeedImport.Format.values)
        parser.add_argument(
            "--tlp", default=Tlp.CLEAR, choices=Tlp.values, help="TLP when a document has none"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = Municipality.objects.filter(code=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"地方公共団体コード {options['municipality']} が見つかりません")
        path: Path = options["file"]
        try:
            check_regular_file(path)  # refuses pipes and devices by name
        except TableReadError as error:
            raise CommandError(str(error)) from error
        with path.open("rb") as handle:
            feed = request_feed_import(
                municipality,
                source_format=options["format"],
                tlp=options["tlp"],
                file=File(handle, name=path.name),  # type: ignore[arg-type]
                by=Actor.system("chiiki cyber load"),
            )
        self.stdout.write(f"{path.name} を読み込みに回しました(job {feed.pk})。chiiki worker が処理します。")
