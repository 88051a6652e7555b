"""The one background-job shape: claim, finish, retry once, fail with a reason, and reap dead workers' jobs.

`RegistryUpload` serves as the concrete job; every job model shares the fields and the runner.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from chiiki.core.jobs import JobFailed, reap_stale_jobs, run_job, worker_id
from chiiki.core.models import Job, Municipality
from chiiki.registry.models import RegistryUpload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def dummy_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _upload(town: Municipality, **fields: object) -> RegistryUpload:
    return RegistryUpload.objects.create(
        municipality=town, file=ContentFile(b"x", name="extract.csv"), original_name="extract.csv", **fields
    )


def test_a_job_that_returns_is_done_with_its_message(town_a: Municipality) -> None:
    upload = _upload(town_a)
    assert run_job(RegistryUpload, upload.pk, lambda job: "読み込みました") == Job.Status.DONE
    upload.refresh_from_db()
    assert (upload.status, upload.message, upload.attempts) == (Job.Status.DONE, "読み込みました", 1)
    assert upload.finished_at is not None
    assert upload.worker == worker_id()


def test_bad_input_fails_at_once_with_the_reason_for_staff(town_a: Municipality) -> None:
    upload = _upload(town_a)

    def refuse(job: RegistryUpload) -> str:
        raise JobFailed("3行目「生年月日」列: 日付ではありません")

    assert run_job(RegistryUpload, upload.pk, refuse) == Job.Status.FAILED
    upload.refresh_from_db()
    assert upload.message == "3行目「生年月日」列: 日付ではありません"
    assert upload.attempts == 1


def test_a_crash_is_retried_once_then_failed_naming_its_kind(town_a: Municipality) -> None:
    upload = _upload(town_a)

    def crash(job: RegistryUpload) -> str:
        raise ZeroDivisionError("bug")

    assert run_job(RegistryUpload, upload.pk, crash) == Job.Status.QUEUED
    upload.refresh_from_db()
    assert upload.status == Job.Status.QUEUED
    assert "ZeroDivisionError" in upload.message
    assert run_job(RegistryUpload, upload.pk, crash) == Job.Status.FAILED
    upload.refresh_from_db()
    assert (upload.status, upload.attempts) == (Job.Status.FAILED, 2)
    assert "ZeroDivisionError" in upload.message
    assert "traceback" not in upload.message.lower()


def test_a_job_that_is_not_queued_is_not_run_again(town_a: Municipality) -> None:
    upload = _upload(town_a, status=Job.Status.DONE)
    ran: list[int] = []
    assert run_job(RegistryUpload, upload.pk, lambda job: str(ran.append(1))) == Job.Status.DONE
    assert ran == []


def _dead_worker() -> str:
    """A `host:pid` of this machine whose process has exited."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    host = worker_id().rpartition(":")[0]
    return f"{host}:{process.pid}"


def test_a_job_whose_worker_process_died_is_queued_again(town_a: Municipality) -> None:
    upload = _upload(
        town_a, status=Job.Status.RUNNING, attempts=1, worker=_dead_worker(), heartbeat_at=timezone.now()
    )
    assert reap_stale_jobs() == 1
    upload.refresh_from_db()
    assert upload.status == Job.Status.QUEUED
    assert "ワーカーが停止" in upload.message


def test_a_job_whose_worker_died_twice_is_failed_with_the_reason(town_a: Municipality) -> None:
    upload = _upload(
        town_a, status=Job.Status.RUNNING, attempts=2, worker=_dead_worker(), heartbeat_at=timezone.now()
    )
    assert reap_stale_jobs() == 1
    upload.refresh_from_db()
    assert upload.status == Job.Status.FAILED
    assert "ワーカーが停止" in upload.message
    assert upload.finished_at is not None


def test_a_job_on_another_host_is_reaped_only_when_its_heartbeat_is_old(town_a: Municipality) -> None:
    fresh = _upload(
        town_a, status=Job.Status.RUNNING, attempts=1, worker="elsewhere:1", heartbeat_at=timezone.now()
    )
    old = _upload(
        town_a,
        status=Job.Status.RUNNING,
        attempts=1,
        worker="elsewhere:2",
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )
    assert reap_stale_jobs() == 1
    fresh.refresh_from_db()
    old.refresh_from_db()
    assert fresh.status == Job.Status.RUNNING
    assert old.status == Job.Status.QUEUED


def test_a_living_worker_keeps_its_job(town_a: Municipality) -> None:
    upload = _upload(
        town_a, status=Job.Status.RUNNING, attempts=1, worker=worker_id(), heartbeat_at=timezone.now()
    )
    assert reap_stale_jobs() == 0
    upload.refresh_from_db()
    assert upload.status == Job.Status.RUNNING
