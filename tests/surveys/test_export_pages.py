"""The staff exports page: ask for an export, the task makes it, the page lists it, the download is audited."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from tests.surveys.answering_setup import open_survey

from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.surveys.models import Answer, Survey, SurveyExport
from chiiki.surveys.tasks import export_answers


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def survey(town_a: Municipality) -> Survey:
    """The demo census of town A with one submitted answer."""
    opened, _letters = open_survey(town_a, letters=1)
    case = opened.cases.order_by("id").first()
    assert case is not None
    data = {"household": {"hh_size": 1, "dwelling_type": "house"}, "members": [{"member_name": "甲"}]}
    Answer.objects.create(
        case=case,
        data=data,
        submitted_data=data,
        submitted_at=timezone.now(),
        submitted_version=1,
        receipt_number="R00000000001",
        submissions=1,
    )
    return opened


def _page(survey: Survey) -> str:
    return f"/staff/m/{survey.municipality.code}/surveys/{survey.pk}/exports/"


def test_a_manager_requests_an_export_and_downloads_it_with_an_audit_record(
    survey: Survey,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    manager = make_staff("manager", survey.municipality, Role.SURVEY_MANAGER)
    client = login(manager)
    assert "まだありません" in client.get(_page(survey)).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_page(survey), {"fmt": "csv"})
    assert response.status_code == 302
    export = SurveyExport.objects.get(survey=survey)
    assert (export.fmt, export.status, export.requested_by_id) == ("csv", "queued", manager.pk)
    assert AuditEvent.objects.filter(action="surveys.export_requested", object_id=str(export.pk)).exists()

    # The task sits in the database queue; run it the way the worker would, with the queued arguments.
    queued = DBTaskResult.objects.get(task_path=export_answers.module_path, status=TaskResultStatus.READY)
    export_answers.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])
    export.refresh_from_db()
    assert export.status == SurveyExport.Status.DONE
    assert export.households == 1

    listing = client.get(_page(survey)).content.decode()
    download = f"{_page(survey)}{export.pk}/download/"
    assert download in listing
    assert "完了" in listing

    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    with zipfile.ZipFile(io.BytesIO(content)) as bundle:
        assert "households.csv" in bundle.namelist()
    event = AuditEvent.objects.get(action="surveys.export_downloaded", object_id=str(export.pk))
    assert event.actor_id == manager.pk


def test_another_towns_manager_and_a_helpdesk_member_get_403(
    survey: Survey,
    town_b: Municipality,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    export = SurveyExport.objects.create(
        survey=survey, fmt="csv", status=SurveyExport.Status.DONE, file_name="x.zip"
    )
    download = f"{_page(survey)}{export.pk}/download/"
    outsider = login(make_staff("b_manager", town_b, Role.SURVEY_MANAGER))
    assert outsider.get(_page(survey)).status_code == 403
    assert outsider.post(_page(survey), {"fmt": "csv"}).status_code == 403
    assert outsider.get(download).status_code == 403
    helper = login(make_staff("helper", survey.municipality, Role.HELPDESK))
    assert helper.get(download).status_code == 403
    assert SurveyExport.objects.count() == 1
    assert not AuditEvent.objects.filter(action="surveys.export_downloaded").exists()


def test_a_bad_survey_id_or_another_towns_survey_is_404(
    survey: Survey, town_b: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    client = login(make_staff("manager", survey.municipality, Role.SURVEY_MANAGER))
    code = survey.municipality.code
    assert client.get(f"/staff/m/{code}/surveys/abc/exports/").status_code == 404
    assert client.get(f"/staff/m/{code}/surveys/９/exports/").status_code == 404
    assert client.get(f"/staff/m/{code}/surveys/{survey.pk + 1000}/exports/").status_code == 404
    b_client = login(make_staff("b_manager", town_b, Role.SURVEY_MANAGER))
    assert b_client.get(f"/staff/m/{town_b.code}/surveys/{survey.pk}/exports/").status_code == 404


def test_an_unknown_format_is_refused_on_the_page(
    survey: Survey, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    client = login(make_staff("manager", survey.municipality, Role.SURVEY_MANAGER))
    response = client.post(_page(survey), {"fmt": "xlsx"})
    assert response.status_code == 200
    assert "入力内容を確認してください" in response.content.decode()
    assert not SurveyExport.objects.exists()


def test_a_queued_export_has_no_download_link_and_a_failed_task_is_recorded(
    survey: Survey, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    client = login(make_staff("manager", survey.municipality, Role.SURVEY_MANAGER))
    export = SurveyExport.objects.create(survey=survey, fmt="csv")
    assert "/download/" not in client.get(_page(survey)).content.decode()
    assert client.get(f"{_page(survey)}{export.pk}/download/").status_code == 404
    # An export that cannot be made (here: a format the engine does not know) fails with a reason, once.
    broken = SurveyExport.objects.create(survey=survey, fmt="xlsx")
    assert export_answers.call(broken.pk) == SurveyExport.Status.FAILED
    broken.refresh_from_db()
    assert broken.status == SurveyExport.Status.FAILED
    assert "xlsx" in broken.message
    assert broken.attempts == 1
    assert "/download/" not in client.get(_page(survey)).content.decode()
