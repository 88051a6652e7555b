"""`chiiki opendata import FILE --dataset KIND --municipality CODE [--name NAME] [--title T] [--license L] [--publish]
[--other-municipality-confirmed]`.

Converts the file with the engine and stores the standard CSV, the validation report and the original file
as resources of the municipality's dataset (created on first import, a new version afterwards). Needs the
database. Exit 0 when stored (even with data errors, which the report lists), 1 when nothing was stored.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.opendata.actions import CatalogError, import_file
from chiiki.opendata.models import LICENSES


class Command(BaseCommand):
    """Import one file into the catalog."""

    help = "ファイルを標準形式に直してカタログに取り込みます / import a file into the open-data catalog"

    def add_arguments(self, parser: ArgumentParser) -> None:
        """FILE, --dataset, --municipality, --name, --title, --license, --publish."""
        parser.add_argument("file", help="CSV または XLSX のファイル")
        parser.add_argument("--dataset", help="標準データセットの種類（省略すると見出しから判定）")
        parser.add_argument("--municipality", required=True, help="全国地方公共団体コード（6桁）")
        parser.add_argument(
            "--name", default="", help="データセットの名前（URL用。省略すると <コード>-<種類>）"
        )
        parser.add_argument("--title", default="", help="データセットのタイトル")
        parser.add_argument("--license", default="cc-by-4.0", choices=sorted(LICENSES), help="ライセンス")
        parser.add_argument("--publish", action="store_true", help="取り込んだらすぐ公開する")
        parser.add_argument(
            "--other-municipality-confirmed",
            action="store_true",
            help="別の団体の全国地方公共団体コードの行があっても、確認済みとして取り込む",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Import and print the outcome."""
        path = Path(options["file"])
        if not path.exists() and not path.is_symlink():
            raise CommandError(f"ファイルがありません: {path} / file not found")
        municipality = Municipality.objects.filter(code=options["municipality"]).first()
        if municipality is None:
            raise CommandError(
                f"地方公共団体 {options['municipality']} が登録されていません / unknown municipality"
            )
        try:
            outcome = import_file(
                municipality,
                path,
                options.get("dataset"),
                by=Actor.system("chiiki opendata import"),
                name=options["name"],
                title=options["title"],
                license_id=options["license"],
                publish_now=options["publish"],
                other_codes_confirmed=options["other_municipality_confirmed"],
            )
        except CatalogError as error:
            self.stderr.write(str(error))
            sys.exit(1)
        except DatabaseError:
            raise  # `chiiki` itself explains an unusable database
        except Exception as error:  # the engine reports bad files itself; this is the last safety net
            self.stderr.write(
                f"取り込めませんでした: {type(error).__name__}: {error} / import failed, nothing was stored"
            )
            sys.exit(1)
        dataset = outcome.dataset
        self.stdout.write(outcome.report_text)
        state = "公開しました" if dataset.is_published else "非公開のまま保存しました"
        self.stdout.write(
            f"{'作成' if outcome.created else '更新'}: {dataset.name}（版 {dataset.version}、{outcome.rows} 行）を{state}"
        )
