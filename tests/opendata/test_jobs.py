"""The upload page's conversion as a core Job: how it ends when the file is bad or the engine breaks."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tasks_db.models import DBTaskResult

from chiiki.core.models import Job, Municipality, Role, User
from chiiki.opendata.models import Dataset, Upload
from chiiki.opendata.tasks import convert_upload

from .conftest import aed_csv, cut_short_xlsx


@pytest.fixture
def upload_page(
    town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> Callable[[str, bytes], Upload]:
    """Post one file on the staff page as an open-data editor; return the queued upload job."""
    editor = login(make_staff("ed", town_a, Role.OPENDATA_EDITOR))

    def post(name: str, content: bytes) -> Upload:
        response = editor.post(
            f"/staff/m/{town_a.code}/opendata/",
            {"file": SimpleUploadedFile(name, content), "kind": "aed", "dataset_name": ""},
        )
        assert response.status_code == 302
        return Upload.objects.get()

    return post


def test_the_upload_page_queues_a_job_that_the_task_runs(upload_page: Callable[[str, bytes], Upload]) -> None:
    csv = aed_csv("343021", "広島県府中町", [("1", "府中町役場", "34.39", "132.50")]).encode("cp932")
    upload = upload_page("aed.csv", csv)
    assert upload.status == Job.Status.QUEUED
    assert DBTaskResult.objects.get().args_kwargs["args"] == [upload.pk]
    assert convert_upload.call(upload.pk) == Job.Status.DONE
    upload.refresh_from_db()
    assert upload.dataset == Dataset.objects.get(name="343021-aed")
    assert upload.finished_at is not None
    assert upload.uploaded_by is not None
    assert upload.dataset.versions.filter(created_by=upload.uploaded_by).exists()


def test_a_workbook_cut_short_ends_failed_with_a_plain_reason(
    upload_page: Callable[[str, bytes], Upload], tmp_path: Path
) -> None:
    upload = upload_page("aed.xlsx", cut_short_xlsx(tmp_path / "aed.xlsx").read_bytes())
    assert convert_upload.call(upload.pk) == Job.Status.FAILED
    upload.refresh_from_db()
    assert upload.status == Job.Status.FAILED
    assert "壊れているか、途中で切れています" in upload.message
    assert "Traceback" not in upload.message
    assert upload.dataset is None
    assert not Dataset.objects.exists()


def test_an_engine_crash_is_retried_once_then_fails_never_left_running(
    upload_page: Callable[[str, bytes], Upload], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("engine bug")

    monkeypatch.setattr("chiiki.opendata.actions.imports.convert_file", broken)
    upload = upload_page("aed.csv", aed_csv("343021", "広島県府中町", []).encode())
    assert convert_upload.call(upload.pk) == Job.Status.QUEUED  # one retry, queued again with its task
    upload.refresh_from_db()
    assert "もう一度実行します" in upload.message
    assert DBTaskResult.objects.count() == 2
    assert convert_upload.call(upload.pk) == Job.Status.FAILED
    upload.refresh_from_db()
    assert upload.status == Job.Status.FAILED
    assert upload.message == "処理中にエラーが起きました（RuntimeError）。管理者にお知らせください。"
    assert not Dataset.objects.exists()


def test_the_actions_queue_tasks_without_importing_the_task_module() -> None:
    # actions -> tasks -> actions was an import cycle; actions now name their tasks by dotted path.
    code = (
        "import sys, django; django.setup()\n"
        "import chiiki.opendata.actions, chiiki.opendata.merge, chiiki.opendata.harvest, chiiki.opendata.views\n"
        "sys.exit('chiiki.opendata.tasks' in sys.modules)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "chiiki.settings"}
    assert subprocess.run([sys.executable, "-c", code], env=env, check=False).returncode == 0
