"""Survey management in the browser (issue 18, part 2): create a survey from an XLSForm, draw its households,
produce the letters through the worker and download them, reissue one household's key without touching others."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from tests.surveys.answering_setup import DEMO_FORM

from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.registry.models import Household
from chiiki.surveys.models import Survey, SurveyCase, SurveyLetters
from chiiki.surveys.tasks import write_letters


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def manager(town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]) -> Client:
    return login(make_staff("manager", town_a, Role.SURVEY_MANAGER))


def _new(client: Client, town: Municipality, **fields: Any) -> Any:
    data = {
        "form_file": SimpleUploadedFile(DEMO_FORM.name, DEMO_FORM.read_bytes()),
        "title": "府中町 くらしの調査",
        "reference_date": "令和8年10月1日",
        "sample_size": "",
        **fields,
    }
    return client.post(f"/staff/m/{town.code}/surveys/new/", data)


def _run_queued_letters() -> None:
    """Run the queued letters task the way the worker does, with the queued arguments."""
    queued = DBTaskResult.objects.get(task_path=write_letters.module_path, status=TaskResultStatus.READY)
    write_letters.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])


def test_a_manager_creates_a_survey_from_an_xlsform_and_it_draws_the_households(
    manager: Client, town_a: Municipality
) -> None:
    too_small = _new(manager, town_a, sample_size="3", seed="7")
    assert too_small.status_code == 400
    assert "各層の最低数" in too_small.content.decode()  # said plainly, nothing saved
    assert not Survey.objects.exists()
    response = _new(manager, town_a)  # a census
    survey = Survey.objects.get(municipality=town_a)
    assert response["Location"] == f"/staff/m/{town_a.code}/surveys/{survey.pk}/"
    assert survey.cases.count() == Household.objects.filter(municipality=town_a).count() > 0
    assert survey.reference_date.isoformat() == "2026-10-01"  # 令和8年 typed, understood
    listing = manager.get(f"/staff/m/{town_a.code}/surveys/").content.decode()
    assert "府中町 くらしの調査" in listing


def test_a_form_that_does_not_import_is_shown_with_its_problems_and_nothing_is_saved(
    manager: Client, town_a: Municipality
) -> None:
    broken = SimpleUploadedFile("broken.xlsx", b"this is not a workbook")
    response = _new(manager, town_a, form_file=broken)
    assert response.status_code == 400
    assert "何も保存していません" in response.content.decode()
    assert not Survey.objects.exists()
    response = _new(manager, town_a, reference_date="そのうち")
    assert response.status_code == 400
    assert "日付として読めません" in response.content.decode()


def test_letters_are_written_by_the_worker_and_downloaded_with_an_audit_record(
    manager: Client, town_a: Municipality, django_capture_on_commit_callbacks: Any
) -> None:
    _new(manager, town_a)
    survey = Survey.objects.get()
    households = survey.cases.count()
    page = f"/staff/m/{town_a.code}/surveys/{survey.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        assert manager.post(page, {"large_print": "on"}).status_code == 302
    job = SurveyLetters.objects.get(survey=survey)
    assert (job.status, job.large_print) == ("queued", True)
    _run_queued_letters()
    job.refresh_from_db()
    assert (job.status, job.letters) == ("done", households), job.message
    assert not survey.cases.filter(access_key_hash="").exists()
    download = f"{page}letters/{job.pk}/download/"
    assert download in manager.get(page).content.decode()
    response = manager.get(download)
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    names = archive.namelist()
    assert any(name.endswith(".pdf") for name in names)
    assert any(name.endswith("printer.csv") for name in names)
    assert AuditEvent.objects.filter(action="surveys.letters_downloaded", object_id=str(job.pk)).exists()
    # The loose files with plaintext keys are gone; only the ZIP is kept.
    folder = Path(job.file_name).parent
    assert sorted(p.name for p in Path(default_storage.path(str(folder))).iterdir()) == [
        Path(job.file_name).name
    ]


def test_reissuing_one_key_changes_that_household_only(manager: Client, town_a: Municipality) -> None:
    _new(manager, town_a)
    survey = Survey.objects.get()
    SurveyCase.objects.filter(survey=survey).update(access_key_hash="pbkdf2_sha256$1$salt$old")
    lost, *others = list(survey.cases.order_by("id"))
    response = manager.post(
        f"/staff/m/{town_a.code}/surveys/{survey.pk}/reissue/", {"login_id": lost.login_id}
    )
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    lost.refresh_from_db()
    assert lost.access_key_hash != "pbkdf2_sha256$1$salt$old"
    assert all(
        SurveyCase.objects.get(pk=other.pk).access_key_hash == "pbkdf2_sha256$1$salt$old" for other in others
    )
    assert AuditEvent.objects.filter(action="surveys.key_reissued", object_id=str(lost.pk)).exists()
    refused = manager.post(
        f"/staff/m/{town_a.code}/surveys/{survey.pk}/reissue/", {"login_id": "0000-0000-0000"}
    )
    assert refused.status_code == 400
    assert "この調査にありません" in refused.content.decode()


def test_other_roles_and_other_towns_cannot_manage_surveys(
    town_a: Municipality,
    town_b: Municipality,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    helpdesk = login(make_staff("desk", town_a, Role.HELPDESK))
    assert helpdesk.get(f"/staff/m/{town_a.code}/surveys/").status_code == 403
    other = login(make_staff("b-manager", town_b, Role.SURVEY_MANAGER))
    assert other.get(f"/staff/m/{town_a.code}/surveys/new/").status_code == 403
