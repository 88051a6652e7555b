from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "バックグラウンド処理(タスク)を実行します (run the task worker: django-tasks database backend)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="process the queue once and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        # Daily reminders to non-responders run from the queue itself (no cron); idempotent on restart.
        from chiiki.fieldwork.tasks import start_reminder_schedule

        booked = start_reminder_schedule()
        if booked is not None:
            self.stdout.write(
                f"督促の定期送信を予約しました (daily reminders booked for {booked:%Y-%m-%d %H:%M})"
            )
        extra = ["--queue-name", "*", "--no-reload"] + (["--batch"] if options["batch"] else [])
        call_command("db_worker", *extra)
