"""The state of background jobs: claimed, alive, finished, retried or given up. Run by `chiiki.core.jobs`.

Each function is one conditional UPDATE, so two workers can never both claim a job, and a late heartbeat or
finish from a worker that lost its job (reaped meanwhile) changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TypeVar

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string

from chiiki.core.models import Job

J = TypeVar("J", bound=Job)

# The task queues: short jobs first (the worker for it also books the periodic work), then long ones.
QUEUES = ("default", "long")


def claim_job(model: type[J], job_id: object, *, worker: str) -> J | None:
    """Move a queued job to running for `worker`; None when it is not queued (done, taken or gone)."""
    now = timezone.now()
    with transaction.atomic():
        claimed = model._default_manager.filter(pk=job_id, status=Job.Status.QUEUED).update(
            status=Job.Status.RUNNING,
            attempts=F("attempts") + 1,
            started_at=now,
            heartbeat_at=now,
            finished_at=None,
            worker=worker[:100],
        )
    if not claimed:
        return None
    return model._default_manager.get(pk=job_id)


def record_heartbeat(model: type[Job], job_id: object, *, worker: str) -> bool:
    """Note that `worker` is still working on the job; False when the job is no longer its own."""
    updated = model._default_manager.filter(pk=job_id, status=Job.Status.RUNNING, worker=worker[:100]).update(
        heartbeat_at=timezone.now()
    )
    return bool(updated)


def finish_job(job: Job, *, failed: bool = False, message: str | None = None) -> bool:
    """Mark a running job done (or failed), keeping `message` for staff; a job already finished is left as is.

    `message` None keeps what the job's own action wrote (an action may finish the job itself).
    """
    fields: dict[str, object] = {
        "status": Job.Status.FAILED if failed else Job.Status.DONE,
        "finished_at": timezone.now(),
    }
    if message is not None:
        fields["message"] = message
    updated = _this(job).filter(status=Job.Status.RUNNING, worker=job.worker).update(**fields)
    return bool(updated)


def requeue_job(job: Job, *, reason: str, from_status: str = Job.Status.RUNNING) -> bool:
    """Put a job back in the queue after a failure that may pass (a crash, a dead worker), saying why."""
    updated = (
        _this(job)
        .filter(status=from_status)
        .update(
            status=Job.Status.QUEUED,
            message=reason,
            worker="",
            heartbeat_at=None,
            queued_at=timezone.now(),
        )
    )
    return bool(updated)


def give_up_job(job: Job, *, reason: str) -> bool:
    """Fail a running job whose worker stopped or that failed too often, with the reason for staff."""
    updated = (
        _this(job)
        .filter(status=Job.Status.RUNNING)
        .update(status=Job.Status.FAILED, message=reason, finished_at=timezone.now())
    )
    return bool(updated)


def _this(job: Job) -> QuerySet[Job]:
    return type(job)._default_manager.filter(pk=job.pk)


def enqueue_job(job: Job, *, delay: timedelta | None = None) -> None:
    """Queue the task that runs `job`: with the database task backend inside the caller's transaction (so the
    job and its task are committed together), with any other backend once the transaction commits."""
    task = import_string(job.job_task)
    if task.get_backend().__class__.__module__.startswith("django_tasks_db"):
        _enqueue_now(job, delay=delay)
    else:
        transaction.on_commit(lambda: _enqueue_now(job, delay=delay))


def _enqueue_now(job: Job, *, delay: timedelta | None = None) -> None:
    task = import_string(job.job_task)
    backend = task.get_backend()
    # A backend configured with one queue only (the tests' immediate backend) runs every job there.
    if job.job_queue != task.queue_name and (not backend.queues or job.job_queue in backend.queues):
        task = task.using(queue_name=job.job_queue)
    if delay and backend.supports_defer:
        task = task.using(run_after=timezone.now() + delay)
    task.enqueue(job.pk)


@transaction.atomic
def retry_job(job: Job, *, reason: str, delay: timedelta | None = None) -> bool:
    """Back to the queue with its task enqueued again, in one transaction; False when it was not running."""
    if not requeue_job(job, reason=reason):
        return False
    enqueue_job(job, delay=delay)
    return True
