from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "バックグラウンド処理(タスク)を実行します (run the task worker: django-tasks database backend)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="process the queue once and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        extra = ["--queue-name", "*", "--no-reload"] + (["--batch"] if options["batch"] else [])
        call_command("db_worker", *extra)
