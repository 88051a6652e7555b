"""`chiiki cyber export`: the operator's advisories and aggregated exposure as STIX 2.1 or a MISP event."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.cyber import actions, engine


class Command(BaseCommand):
    help = (
        "運営団体の脆弱性情報と参加団体の影響の集計を STIX 2.1 または MISP の形で書き出します。TLP:RED と "
        "AMBER+STRICT は書き出さず、機器一覧は書き出しません (export advisories and aggregated exposure as a "
        "STIX 2.1 bundle or a MISP event). See docs/apps/cyber.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--municipality", required=True, help="the operator's 6-digit code (a prefecture)"
        )
        parser.add_argument("--format", required=True, choices=["stix", "misp"])
        parser.add_argument(
            "--tlp", default=engine.AMBER, choices=[engine.CLEAR, engine.GREEN, engine.AMBER],
            help="the most restrictive label to include (AMBER by default; RED and AMBER+STRICT never)",
        )  # fmt: skip
        parser.add_argument("--out", type=Path, help="file to write (standard output by default)")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = Municipality.objects.filter(code=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"地方公共団体コード {options['municipality']} が見つかりません")
        result = actions.export_shared(
            municipality, fmt=options["format"], ceiling=options["tlp"], by=Actor.system("chiiki cyber export"),
            out=str(options["out"] or ""),
        )  # fmt: skip
        text = result.text
        if options["out"]:
            options["out"].write_text(text, encoding="utf-8")
            self.stdout.write(
                f"{result.exported} 件を {options['out']} に書き出しました(出さなかったもの {result.withheld} 件)"
            )
        else:
            self.stdout.write(text)
