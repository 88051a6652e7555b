"""`chiiki opendata merge KIND SCOPE`: build one merged, deduplicated dataset of a standard kind across a
prefecture (SCOPE = 2-digit code, e.g. 35) or a region (chugoku, kinki, ...), published as its own dataset
and rebuilt automatically whenever a source dataset changes. Exit 0 on success, 1 on bad input.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from chiiki.core.acting import Actor
from chiiki.opendata import actions, merge


class Command(BaseCommand):
    """Define (or rebuild) a merged dataset."""

    help = "標準データセットを都道府県・地方単位で統合します / merge a standard dataset across municipalities"

    def add_arguments(self, parser: ArgumentParser) -> None:
        """KIND, SCOPE."""
        parser.add_argument("kind", help="標準データセットの種類（aed、AED設置箇所一覧 など）")
        parser.add_argument(
            "scope", help=f"都道府県コード2桁（例 35）または地方名（{', '.join(merge.REGIONS)}）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Merge and print the counts."""
        try:
            target = actions.define_merge(
                options["kind"], options["scope"], by=Actor.system("chiiki opendata merge")
            )
        except (merge.MergeError, KeyError) as error:
            raise CommandError(str(error.args[0]) if error.args else str(error)) from error
        data = target.dataset.resources.filter(role="data").first()
        self.stdout.write(
            f"統合しました: {target.dataset.name}（{target.dataset.title}）"
            f" 元データ {len(target.sources)} 件、{data.rows if data else 0} 行"
        )
