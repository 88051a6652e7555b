from typing import Any

from django.core.management.base import BaseCommand

from chiiki.core.acting import Actor
from chiiki.core.actions import load_municipalities


class Command(BaseCommand):
    help = "全国の都道府県・市区町村を読み込みます (load every prefecture and municipality)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = load_municipalities(by=Actor.system("chiiki municipalities load"))
        self.stdout.write(f"地方公共団体 {count} 件を読み込みました ({count} municipalities loaded).")
