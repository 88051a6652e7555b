"""Finding 6 (core part): a job that runs too long ends FAILED with the reason, and short jobs have a queue of
their own, so they never wait behind a long conversion."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django_tasks_db.models import DBTaskResult

from chiiki.core.jobs import run_job, time_limit_of
from chiiki.core.models import Job, Municipality
from chiiki.registry.models import RegistryUpload

pytestmark = pytest.mark.django_db


def _upload(town: Municipality) -> RegistryUpload:
    return RegistryUpload.objects.create(
        municipality=town, file=ContentFile(b"x", name="extract.csv"), original_name="extract.csv"
    )


def _forever(job: RegistryUpload) -> str:
    """Work that never ends by itself (pure Python: the limit interrupts it)."""
    spins = 0
    while True:
        spins += 1


def test_a_job_past_its_time_limit_ends_failed_with_the_reason_and_is_not_retried(
    town_a: Municipality, settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.CHIIKI_LONG_JOB_TIME_LIMIT_SECONDS = 0.5
    upload = _upload(town_a)
    assert run_job(RegistryUpload, upload.pk, _forever) == Job.Status.FAILED
    upload.refresh_from_db()
    assert upload.status == Job.Status.FAILED
    assert "時間制限" in upload.message
    assert upload.attempts == 1


def test_each_queue_has_its_own_limit(town_a: Municipality, settings: Any) -> None:
    settings.CHIIKI_JOB_TIME_LIMIT_SECONDS = 600
    settings.CHIIKI_LONG_JOB_TIME_LIMIT_SECONDS = 3600
    assert RegistryUpload.job_queue == "long"
    assert time_limit_of(_upload(town_a)) == 3600


def test_a_long_job_is_queued_on_the_long_queue_and_periodic_work_on_the_default_one(
    town_a: Municipality, settings: Any
) -> None:
    from chiiki.core.actions.jobs import enqueue_job
    from chiiki.core.tasks import reap_jobs

    enqueue_job(_upload(town_a))
    reap_jobs.enqueue()
    queues = dict(DBTaskResult.objects.values_list("task_path", "queue_name"))
    assert queues["chiiki.registry.tasks.import_uploaded_registry"] == "long"
    assert queues["chiiki.core.tasks.reap_jobs"] == "default"


def test_a_backend_with_one_queue_runs_every_job_there(
    town_a: Municipality, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from chiiki.core.actions.jobs import enqueue_job

    upload = _upload(town_a)
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_job(upload)  # the immediate backend knows only "default": the job still runs
    upload.refresh_from_db()
    assert upload.status != Job.Status.QUEUED
