from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import import_string

from chiiki.core.jobs import reap_stale_jobs


class Command(BaseCommand):
    help = "バックグラウンド処理(タスク)を実行します (run the task worker: django-tasks database backend)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="process the queue once and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        # Jobs left running by a worker that died are retried or failed now; the reaper's own schedule checks
        # again every few minutes (a worker on another host may die while this one runs).
        reaped = reap_stale_jobs()
        if reaped:
            self.stdout.write(
                f"停止したワーカーの処理 {reaped} 件を再実行または中止しました (stale jobs reaped)"
            )
        # Periodic work (the job reaper, daily survey reminders) runs from the queue itself, without cron;
        # each starter books one pending run at most, so restarts never stack copies.
        for path in settings.CHIIKI_WORKER_SCHEDULES:
            booked = import_string(path)()
            if booked is not None:
                self.stdout.write(f"定期処理を予約しました (booked {path} for {booked:%Y-%m-%d %H:%M})")
        extra = ["--queue-name", "*", "--no-reload"] + (["--batch"] if options["batch"] else [])
        call_command("db_worker", *extra)
