"""Running background jobs (`chiiki.core.models.Job`): one shape for every upload, run and export.

A job's task calls `run_job(Model, job_id, work)`. The runner claims the job (queued → running), keeps a
heartbeat while `work` runs, and ends the job whatever happens:

- `work` returns a message for staff → done;
- `work` raises `JobFailed` (bad input: the message says what to fix) → failed, never retried;
- anything else (a bug, a lost connection) → queued again once (`Job.max_attempts`), then failed, with the
  exception's kind kept for the staff page and the traceback in the worker's log.

- `work` runs past its time limit (`Job.time_limit`, else CHIIKI_JOB_TIME_LIMIT_SECONDS for the default queue
  and CHIIKI_LONG_JOB_TIME_LIMIT_SECONDS for the long one) → failed with that reason, never retried. The limit
  interrupts Python code at once; code stuck in a C library is stopped by the heartbeat thread a minute later,
  which fails the job and ends the worker process (its supervisor starts a new one).

A worker killed outright (SIGKILL, power cut) cannot end its job; `reap_stale_jobs`, run when `chiiki worker`
starts and every few minutes after (`chiiki.core.tasks.reap_jobs`), retries or fails every running job whose
worker process is gone or whose heartbeat stopped.

Two queues: `default` for short jobs (exports, letters, reminders) and `long` for conversions and runs, each
served by its own worker process, so an export never waits behind an hour-long conversion. A job's class
names its queue in `job_queue`.

Jobs are queued with `enqueue_job`: with the database task backend the task row is written in the caller's
transaction, so a job is never committed without its task (nor a task without its job).
"""

from __future__ import annotations

import logging
import math
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connections
from django.utils import timezone

from chiiki.core.actions.jobs import (
    QUEUES,
    claim_job,
    enqueue_job,
    finish_job,
    give_up_job,
    record_heartbeat,
    retry_job,
)
from chiiki.core.models import Job

__all__ = [
    "QUEUES",
    "JobFailed",
    "allow_hard_stop",
    "enqueue_job",
    "job_models",
    "reap_stale_jobs",
    "run_job",
    "time_limit_of",
    "worker_id",
]

logger = logging.getLogger("chiiki.jobs")

J = TypeVar("J", bound=Job)

WORKER_STOPPED = "処理していたワーカーが停止しました。"


# A job still running this long after its time limit (stuck in C code the limit cannot interrupt) is failed
# by the heartbeat thread, which then ends the worker process when `allow_hard_stop` was called.
HARD_STOP_GRACE_SECONDS = 60.0
_hard_stop = threading.Event()


class JobFailed(Exception):
    """The job cannot be done as asked (a malformed file, a missing registry); the message is for staff."""


class JobTimeLimitExceeded(BaseException):
    """Raised inside a job's work when its time limit passes. A BaseException, so that the work's own
    `except Exception` cannot swallow it."""


def allow_hard_stop() -> None:
    """Let the heartbeat thread end this process when a job overruns its limit (only `chiiki worker --queue`,
    which runs under a supervisor, calls this: a test or a web process must never exit)."""
    _hard_stop.set()


def time_limit_of(job: Job) -> float:
    """Seconds `job` may run: its class's `time_limit`, else the limit of its queue."""
    if job.time_limit is not None:
        return float(job.time_limit)
    if job.job_queue == "long":
        return float(getattr(settings, "CHIIKI_LONG_JOB_TIME_LIMIT_SECONDS", 3600))
    return float(getattr(settings, "CHIIKI_JOB_TIME_LIMIT_SECONDS", 600))


def _over_limit_message(limit: float) -> str:
    minutes = max(1, math.ceil(limit / 60))
    return (
        f"処理が時間制限({minutes}分)を超えたため中止しました。ファイルを分けるなどして小さくし、"
        "もう一度お試しください。"
    )


def worker_id() -> str:
    """This process as `host:pid`, recorded on the jobs it runs so a dead worker's jobs can be told apart."""
    return f"{socket.gethostname()}:{os.getpid()}"


def run_job(model: type[J], job_id: object, work: Callable[[J], str | None]) -> str:
    """Run one queued job of `model` through `work`; return the job's status afterwards.

    `work` returns the message shown to staff when done, or None to keep what its own action wrote.
    """
    worker = worker_id()
    job = claim_job(model, job_id, worker=worker)
    if job is None:
        current = model._default_manager.filter(pk=job_id).values_list("status", flat=True).first()
        return str(current or "missing")
    limit = time_limit_of(job)
    with _heartbeat(model, job.pk, worker, limit):
        return _attempt(job, work, limit)


def _attempt(job: J, work: Callable[[J], str | None], limit: float) -> str:
    try:
        with _time_limit(limit):
            message = work(job)
    except JobTimeLimitExceeded:
        logger.error("job %s %s stopped: over its time limit of %.0f s", job._meta.label, job.pk, limit)
        _finish(job, failed=True, message=_over_limit_message(limit))
        return Job.Status.FAILED
    except (SystemExit, KeyboardInterrupt):
        # The worker is told to stop now (a second SIGTERM, Ctrl+C twice): the job goes back to the queue.
        _safely(lambda: retry_job(job, reason=WORKER_STOPPED + "もう一度実行します。"))
        raise
    except JobFailed as error:
        _finish(job, failed=True, message=str(error))
        return Job.Status.FAILED
    except Exception as error:  # any crash must end in the job's state, never leave it running
        logger.exception("job %s %s failed (attempt %s)", job._meta.label, job.pk, job.attempts)
        return _after_crash(job, error)
    _finish(job, message=message)
    return Job.Status.DONE


def _after_crash(job: Job, error: Exception) -> str:
    kind = type(error).__name__
    if job.attempts < job.max_attempts:
        reason = f"処理中にエラーが起きたため、もう一度実行します（{kind}）。"
        if _safely(lambda: retry_job(job, reason=reason, delay=timedelta(seconds=30 * job.attempts))):
            return Job.Status.QUEUED
    reason = f"処理中にエラーが起きました（{kind}）。管理者にお知らせください。"
    _finish(job, failed=True, message=reason)
    return Job.Status.FAILED


def _finish(job: Job, *, failed: bool = False, message: str | None = None) -> None:
    if not _safely(lambda: finish_job(job, failed=failed, message=message)):
        logger.error("job %s %s: could not record its end; the reaper will", job._meta.label, job.pk)


def _safely(step: Callable[[], Any]) -> bool:
    """Run one bookkeeping step; on a database error retry once on a fresh connection, else give up."""
    for attempt in (1, 2):
        try:
            step()
        except DatabaseError:
            logger.warning("job bookkeeping failed (attempt %s)", attempt, exc_info=True)
            connections.close_all()
            continue
        return True
    return False


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise JobTimeLimitExceeded in the work after `seconds` (main thread only: signals go there)."""
    if threading.current_thread() is not threading.main_thread() or seconds <= 0:
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise JobTimeLimitExceeded

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _heartbeat(model: type[Job], job_id: object, worker: str, limit: float) -> Iterator[None]:
    """Beat every CHIIKI_JOB_HEARTBEAT_SECONDS from a thread of its own (with its own connection); stop a job
    stuck far past its limit."""
    stop = threading.Event()
    seconds = float(getattr(settings, "CHIIKI_JOB_HEARTBEAT_SECONDS", 20))
    give_up_at = time.monotonic() + limit + HARD_STOP_GRACE_SECONDS

    def beat() -> None:
        try:
            while not stop.wait(seconds):
                if time.monotonic() > give_up_at:
                    _stop_stuck_job(model, job_id, limit)
                    return
                try:
                    record_heartbeat(model, job_id, worker=worker)
                except DatabaseError:
                    # SQLite: the job's own long write may hold the lock; the next beat will get through.
                    logger.debug("heartbeat skipped", exc_info=True)
        finally:
            connections.close_all()

    thread = threading.Thread(target=beat, name=f"heartbeat {model._meta.label}:{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def _stop_stuck_job(model: type[Job], job_id: object, limit: float) -> None:
    """The work ignored its time limit (stuck in C code): fail the job, and end the process if allowed."""
    job = model._default_manager.filter(pk=job_id).first()
    if job is not None:
        _safely(lambda: give_up_job(job, reason=_over_limit_message(limit)))
    logger.critical("job %s %s is stuck past its time limit of %.0f s", model._meta.label, job_id, limit)
    if _hard_stop.is_set():
        logging.shutdown()
        os._exit(3)  # the supervisor logs the exit and starts a new worker


def job_models() -> list[type[Job]]:
    """Every installed model that is a Job."""
    return [model for model in apps.get_models() if issubclass(model, Job)]


def reap_stale_jobs(now: datetime | None = None) -> int:
    """Retry (or fail, after `max_attempts`) every running job whose worker is gone; return how many."""
    now = now or timezone.now()
    stale_after = timedelta(seconds=float(getattr(settings, "CHIIKI_JOB_STALE_SECONDS", 300)))
    reaped = 0
    for model in job_models():
        for job in model._default_manager.filter(status=Job.Status.RUNNING):
            if _worker_alive(job, now - stale_after):
                continue
            reaped += 1
            _recover(job)
    return reaped


def _recover(job: Job) -> None:
    if job.attempts < job.max_attempts:
        retry_job(job, reason=WORKER_STOPPED + "もう一度実行します。")
        logger.warning("job %s %s: worker %s stopped; queued again", job._meta.label, job.pk, job.worker)
    else:
        give_up_job(job, reason=WORKER_STOPPED + "もう一度お試しください。")
        logger.warning("job %s %s: worker %s stopped; failed", job._meta.label, job.pk, job.worker)


def _worker_alive(job: Job, beat_deadline: datetime) -> bool:
    """False when the job's worker ran on this host and its process is gone, or its heartbeat is too old."""
    host, _, pid = job.worker.rpartition(":")
    if host == socket.gethostname() and pid.isdigit() and not _process_exists(int(pid)):
        return False
    return job.heartbeat_at is not None and job.heartbeat_at >= beat_deadline


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True
