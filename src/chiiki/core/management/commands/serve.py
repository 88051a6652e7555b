import os
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "本番用WSGIサーバー(gunicorn)で配信します (serve with gunicorn)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("CHIIKI_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("CHIIKI_WEB_WORKERS", "3")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("CHIIKI_WEB_THREADS", "4")))
        parser.add_argument("--with-worker", action="store_true", help="also run the task worker (make demo)")

    def handle(self, *args: Any, **options: Any) -> None:
        worker = None
        if options["with_worker"]:
            worker = subprocess.Popen([sys.executable, "-m", "chiiki", "worker"])
        gunicorn = [
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
            "--forwarded-allow-ips",
            os.environ.get("CHIIKI_FORWARDED_ALLOW_IPS", "127.0.0.1"),
            "--graceful-timeout",
            "30",
        ]
        self.stdout.write(f"Chiiki: http://{options['bind']}/ (Ctrl+C で停止)")
        try:
            subprocess.run(gunicorn, check=False)  # noqa: S603
        except KeyboardInterrupt:
            pass
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=30)
