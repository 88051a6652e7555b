"""Run the due tasks of a queue in this process, as `chiiki worker --batch` would, inside the test's transaction.

`chiiki worker` itself closes the database connection between tasks; inside a test's transaction PostgreSQL cannot
reconnect, so tests that are not about the worker process run the queued tasks here (the worker process is
tested with a real process in tests/security/test_worker_supervision.py).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult


def run_due_tasks(queue: str = "default") -> int:
    """Run every task of `queue` that is ready and due, oldest first; return how many ran."""
    # django_tasks_db stores "no run_after" as the largest date (year 9999).
    due = (
        DBTaskResult.objects.filter(status=TaskResultStatus.READY, queue_name=queue)
        .filter(Q(run_after__lte=timezone.now()) | Q(run_after__year=9999))
        .order_by("enqueued_at")
    )
    ran = 0
    for row in list(due):
        DBTaskResult.objects.filter(pk=row.pk).update(status=TaskResultStatus.SUCCESSFUL)
        import_string(row.task_path).call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        ran += 1
    return ran
