import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import import_string

from chiiki.core.jobs import QUEUES, allow_hard_stop, reap_stale_jobs, worker_id
from chiiki.core.supervisor import Child, Supervisor


def worker_children() -> list[Child]:
    """One worker process per queue: short jobs never wait behind a long conversion."""
    return [
        Child(f"worker[{queue}]", [sys.executable, "-m", "chiiki", "worker", "--queue", queue])
        for queue in QUEUES
    ]


class Command(BaseCommand):
    help = (
        "バックグラウンド処理を実行します。短い処理と長い処理のワーカーを1つずつ起動し、止まれば再起動します "
        "(run one task worker per queue — default for short jobs, long for conversions — and restart any that stops)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queue", choices=QUEUES, help="run one worker for this queue only (no supervisor)"
        )
        parser.add_argument(
            "--batch", action="store_true", help="process every queue once, in this process, and exit"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch"]:
            self._prepare(book_schedules=True)
            call_command("db_worker", "--queue-name", options["queue"] or "*", "--no-reload", "--batch")
            return
        if options["queue"] is None:
            sys.exit(Supervisor(worker_children()).run())
        self._prepare(book_schedules=options["queue"] == QUEUES[0])
        # A job past its time limit that does not stop ends this process; the supervisor starts a new one.
        allow_hard_stop()
        call_command(
            "db_worker", "--queue-name", options["queue"], "--no-reload", "--worker-id", worker_id()[:64]
        )

    def _prepare(self, *, book_schedules: bool) -> None:
        # Jobs left running by a worker that died are retried or failed now; the reaper's own schedule checks
        # again every few minutes (a worker on another host may die while this one runs).
        reaped = reap_stale_jobs()
        if reaped:
            self.stdout.write(
                f"停止したワーカーの処理 {reaped} 件を再実行または中止しました (stale jobs reaped)"
            )
        if not book_schedules:
            return
        # Periodic work (the job reaper, audit chaining, daily reminders) runs from the queue itself, without
        # cron; each starter books one pending run at most, so restarts never stack copies.
        for path in settings.CHIIKI_WORKER_SCHEDULES:
            booked = import_string(path)()
            if booked is not None:
                self.stdout.write(f"定期処理を予約しました (booked {path} for {booked:%Y-%m-%d %H:%M})")
