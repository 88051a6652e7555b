"""Background work of core, run by `chiiki worker`: picking up the jobs of workers that died, chaining the
audit records."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from chiiki.core.actions import seal_audit_records
from chiiki.core.jobs import reap_stale_jobs
from chiiki.core.schedule import book_once


@task()
def reap_jobs() -> int:
    """Retry or fail the jobs of stopped workers, then book the next check; returns how many were reaped."""
    schedule_job_reaper()
    return reap_stale_jobs()


def schedule_job_reaper(now: datetime | None = None) -> datetime | None:
    """Book the next reaper run CHIIKI_JOB_REAP_SECONDS from now (120 by default), unless one waits."""
    seconds = float(getattr(settings, "CHIIKI_JOB_REAP_SECONDS", 120))
    return book_once(reap_jobs, (now or timezone.now()) + timedelta(seconds=seconds))


@task()
def seal_audit() -> int:
    """Chain the audit records committed since the last run, then book the next run; returns how many."""
    schedule_audit_sealing()
    return seal_audit_records()


def schedule_audit_sealing(now: datetime | None = None) -> datetime | None:
    """Book the next sealing CHIIKI_AUDIT_SEAL_SECONDS from now (60 by default), unless one waits."""
    seconds = float(getattr(settings, "CHIIKI_AUDIT_SEAL_SECONDS", 60))
    return book_once(seal_audit, (now or timezone.now()) + timedelta(seconds=seconds))
