"""Periodic work without cron: a task books its own next run on the database queue with `run_after`.

`book_once` enqueues a run only when none is waiting, so a worker restarting any number of times leaves one
pending run of each periodic task.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult


def pending_runs(task: Any) -> int:
    """How many runs of `task` wait in the database queue."""
    return DBTaskResult.objects.filter(task_path=task.module_path, status=TaskResultStatus.READY).count()


def book_once(task: Any, when: datetime) -> datetime | None:
    """Enqueue `task` to run at `when` unless a run already waits; None when nothing was booked.

    Nothing is booked when the task backend cannot defer (the immediate backend of the tests).
    """
    if not task.get_backend().supports_defer or pending_runs(task):
        return None
    task.using(run_after=when).enqueue()
    return when
