import os
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from chiiki.core.management.commands.worker import worker_children
from chiiki.core.supervisor import Child, Supervisor


def gunicorn_command(options: dict[str, Any]) -> list[str]:
    """gunicorn with the hooks of chiiki/core/gunicorn_config.py, trusting the proxies Chiiki trusts."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "chiiki.wsgi:application",
        # Hooks (each worker loads every view before its first request): chiiki/core/gunicorn_config.py
        "--config",
        "python:chiiki.core.gunicorn_config",
        "--bind",
        options["bind"],
        "--workers",
        str(options["workers"]),
        "--threads",
        str(options["threads"]),
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "30",
        # Django, the settings and every app's models load once in the master and are shared by the forked
        # workers (copy-on-write); the views load per worker after the fork (gunicorn_config.post_worker_init:
        # polars and duckdb start thread pools that do not survive a fork). bench/survey_intake.py and
        # tests/surveys/test_durability.py run gunicorn the same way.
        "--preload",
    ]
    if settings.CHIIKI_TRUSTED_PROXIES:
        # The same list chiiki.core.acting.client_address believes, for gunicorn's own X-Forwarded-Proto.
        command += ["--forwarded-allow-ips", ",".join(settings.CHIIKI_TRUSTED_PROXIES)]
    return command


class Command(BaseCommand):
    help = "本番用WSGIサーバー(gunicorn)で配信します (serve with gunicorn)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("CHIIKI_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("CHIIKI_WEB_WORKERS", "3")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("CHIIKI_WEB_THREADS", "4")))
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="also run the task workers, restarting any that stops (make demo)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        children = [Child("gunicorn", gunicorn_command(options), restart=False)]
        if options["with_worker"]:
            children += worker_children()
        self.stdout.write(f"Chiiki: http://{options['bind']}/ (Ctrl+C で停止)")
        self.stdout.flush()
        sys.exit(Supervisor(children).run())
