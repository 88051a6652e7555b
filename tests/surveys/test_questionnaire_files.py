"""A questionnaire uploaded without the files it reads (as ODK Central allows): the survey is created, lists its
files as 未添付, cannot be opened for answering (no keys, no letters, no pages) until they are attached on its
page or with ``chiiki survey attach``; a bad file is refused naming file, row and column, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.demo.survey import issue_keys_to
from chiiki.surveys import actions, queries
from chiiki.surveys.answering.drafts import AnsweringClosed, Seat
from chiiki.surveys.models import Answer, QuestionnaireVersion, Survey
from chiiki.surveys.xlsform import FormRejected

from .answering_setup import (  # noqa: F401 - fast_password_hashing is a fixture
    fast_password_hashing,
    post_page,
    sign_in,
)
from .test_answer_choice_files import CITIES, FORM

pytestmark = pytest.mark.usefixtures("fast_password_hashing")
HOME = "/answer/q/home/"
SYSTEM = Actor.system("test")


def _round(town: Municipality, files: dict[str, bytes] | None = None) -> Survey:
    """The cities form as an open census of `town`, with `files` uploaded with it."""
    now = timezone.now()
    new = actions.NewSurvey(
        title="市の調査",
        reference_date=now.date(),
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=10),
    )
    created = actions.create_survey_round(
        town, FORM.encode(), new, form_filename="cities.md", by=SYSTEM, files=files
    )
    created.survey.refresh_from_db()
    return created.survey


@pytest.fixture
def manager(town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]) -> Client:
    return login(make_staff("manager", town_a, Role.SURVEY_MANAGER))


def test_the_query_lists_each_declared_file_with_its_columns_and_status(town_a: Municipality) -> None:
    survey = _round(town_a)
    [declared] = queries.declared_files(survey.questionnaire_version)
    assert (declared.name, declared.instance, declared.attached, declared.items) == (
        "cities.csv",
        "cities",
        False,
        0,
    )
    # select_one_from_file reads name and label; instance() reads population; pulldata() reads pref by name
    assert set(declared.columns) == {"name", "label", "population", "pref"}
    assert queries.missing_files(survey) == ["cities.csv"]
    done = actions.attach_questionnaire_files(survey, {"cities.csv": CITIES}, by=SYSTEM)
    [declared] = queries.declared_files(done.version)
    assert (declared.attached, declared.items) == (True, 3)
    survey.refresh_from_db()
    assert queries.missing_files(survey) == []


def test_a_survey_missing_a_file_cannot_be_opened_for_answering(town_a: Municipality) -> None:
    survey = _round(town_a)
    cases = list(survey.cases.order_by("id")[:1])
    for issue in (
        lambda: actions.issue_access_keys(survey, by=SYSTEM),
        lambda: actions.issue_access_keys_to(survey, cases, by=SYSTEM),
        lambda: actions.request_letters(survey, by=SYSTEM),
    ):
        with pytest.raises(actions.SurveyError) as refused:
            issue()
        assert "cities.csv" in str(refused.value)
        assert "添付されていません" in str(refused.value)
    assert not survey.cases.exclude(access_key_hash="").exists()
    actions.attach_questionnaire_files(survey, {"cities.csv": CITIES}, by=SYSTEM)
    survey.refresh_from_db()
    assert len(issue_keys_to(survey, cases, by=SYSTEM)) == 1


def test_answer_pages_reached_without_the_files_say_so_plainly(town_a: Municipality) -> None:
    survey = _round(town_a, {"cities.csv": CITIES})
    login_id, key = issue_keys_to(survey, list(survey.cases.order_by("id")[:1]), by=SYSTEM)[0]
    # A survey that somehow reached households without its files (the actions refuse to get there).
    bare = actions.import_questionnaire(town_a, FORM.encode(), filename="cities.md", by=SYSTEM)
    Survey.objects.filter(pk=survey.pk).update(questionnaire_version=bare)
    client = Client()
    assert sign_in(client, login_id, key).status_code == 302
    home = client.get("/answer/start/")
    assert home.status_code == 200
    assert "この調査はまだ回答を受け付けていません" in home.content.decode()
    assert "回答を始める" not in home.content.decode()
    for url in (HOME, "/answer/review/", "/answer/receipt/"):
        response = client.get(url, follow=True)
        assert response.status_code == 200
        assert "この調査はまだ回答を受け付けていません" in response.content.decode()
    posted = client.post(HOME, {"home/city": "sendai", "version": "1", "digest": "", "action": "next"})
    assert posted.status_code == 302
    assert not Answer.objects.exists()
    survey.refresh_from_db()
    case = survey.cases.get(login_id=login_id)
    with pytest.raises(AnsweringClosed):
        actions.submit_answers(Seat(case), version=1, by=SYSTEM, language="ja")


def test_the_survey_page_lists_the_files_and_takes_them_all_or_nothing(
    manager: Client, town_a: Municipality
) -> None:
    created = manager.post(
        f"/staff/m/{town_a.code}/surveys/new/",
        {
            "form_file": SimpleUploadedFile("cities.md", FORM.encode()),
            "title": "市の調査",
            "reference_date": "令和8年10月1日",
            "sample_size": "",
        },
    )
    assert created.status_code == 302
    survey = Survey.objects.get()
    url = created["Location"]
    page = manager.get(url).content.decode()
    assert "調査票が読むファイルがまだ添付されていません: cities.csv" in page  # the message after creating
    assert "未添付" in page
    assert "cities.csv" in page
    assert "population" in page  # the columns the file must hold
    assert "添付するまで、依頼状の作成も回答もできません" in page
    letters = manager.post(url, {"large_print": ""}, follow=True).content.decode()
    assert "cities.csv" in letters
    assert "添付されていません" in letters
    files_url = f"{url}files/"
    version = survey.questionnaire_version_id
    bad_rows = CITIES + b"osaka,\xe5\xa4\xa7\xe9\x98\xaa,Osaka,x,y,extra\n"
    for upload, reason in (
        (SimpleUploadedFile("cities.csv", bad_rows), "5 行目"),
        (SimpleUploadedFile("cities.csv", b"name,name\n"), "duplicate column"),
        (SimpleUploadedFile("cities.csv", "name\nsendai\n".encode("utf-16")), "UTF-8"),
        (SimpleUploadedFile("towns.csv", CITIES), "使われていません"),
    ):
        refused = manager.post(files_url, {"upload": [upload]})
        assert refused.status_code == 400
        text = refused.content.decode()
        assert reason in text
        assert "何も保存していません" in text
        survey.refresh_from_db()
        assert survey.questionnaire_version_id == version
    assert not AuditEvent.objects.filter(action="surveys.questionnaire_files_attached").exists()
    attached = manager.post(files_url, {"upload": [SimpleUploadedFile("cities.csv", CITIES)]})
    assert attached.status_code == 302
    page = manager.get(url).content.decode()
    assert "添付済み" in page
    assert "未添付" not in page
    survey.refresh_from_db()
    assert survey.questionnaire_version_id != version
    event = AuditEvent.objects.get(action="surveys.questionnaire_files_attached")
    assert list(event.detail["files"]) == ["cities.csv"]
    assert event.detail["missing"] == []
    assert manager.post(url, {"large_print": ""}).status_code == 302
    assert survey.letter_batches.exists()


def test_files_cannot_change_once_households_have_answered(town_a: Municipality) -> None:
    survey = _round(town_a, {"cities.csv": CITIES})
    login_id, key = issue_keys_to(survey, list(survey.cases.order_by("id")[:1]), by=SYSTEM)[0]
    client = Client()
    sign_in(client, login_id, key)
    assert post_page(client, HOME, {"home/city": "naha"}).status_code == 302
    with pytest.raises(actions.SurveyError) as refused:
        actions.attach_questionnaire_files(survey, {"cities.csv": CITIES}, by=SYSTEM)
    assert "回答が始まっている" in str(refused.value)


def test_the_command_lists_and_attaches_the_files(
    town_a: Municipality, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    survey = _round(town_a)
    call_command("survey_attach", "--survey", str(survey.pk))
    listed = capsys.readouterr().out
    assert "cities.csv: 未添付 missing" in listed
    broken = tmp_path / "cities.csv"
    broken.write_bytes("name,label\nsendai,仙台,extra\n".encode())
    with pytest.raises(CommandError) as refused:
        call_command("survey_attach", "--survey", str(survey.pk), str(broken))
    assert "cities.csv" in str(refused.value)
    assert "2 行目" in str(refused.value)
    assert queries.missing_files(Survey.objects.get()) == ["cities.csv"]
    broken.write_bytes(CITIES)
    out = StringIO()
    call_command("survey_attach", "--survey", str(survey.pk), str(broken), stdout=out)
    assert "cities.csv を添付しました" in out.getvalue()
    assert "cities.csv: 添付済み attached (3 件)" in out.getvalue()
    assert queries.missing_files(Survey.objects.get()) == []


def test_the_action_refuses_a_file_the_form_does_not_read_and_writes_nothing(town_a: Municipality) -> None:
    survey = _round(town_a)
    versions = QuestionnaireVersion.objects.count()
    with pytest.raises(FormRejected) as refused:
        actions.attach_questionnaire_files(survey, {"cities.csv": CITIES, "towns.xml": b"<root/>"}, by=SYSTEM)
    assert any("towns.xml" in p.describe() and "cities.csv" in p.message for p in refused.value.problems)
    assert QuestionnaireVersion.objects.count() == versions
    assert queries.missing_files(Survey.objects.get()) == ["cities.csv"]


def test_a_column_the_form_reads_that_the_file_lacks_is_named(town_a: Municipality) -> None:
    survey = _round(town_a)
    without_population = b"name,label::ja,pref\nsendai,\xe4\xbb\x99\xe5\x8f\xb0,x\n"
    done = actions.attach_questionnaire_files(survey, {"cities.csv": without_population}, by=SYSTEM)
    messages = [p.message for p in done.warnings]
    assert len(messages) == 1  # label is read from label::ja: not reported
    assert "'population'" in messages[0]
    assert "cities.csv" in messages[0]


def test_a_supporter_is_told_which_files_are_missing(
    town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    survey = _round(town_a, {"cities.csv": CITIES})
    case = survey.cases.order_by("id").first()
    assert case is not None
    bare = actions.import_questionnaire(town_a, FORM.encode(), filename="cities.md", by=SYSTEM)
    Survey.objects.filter(pk=survey.pk).update(questionnaire_version=bare)  # reached past the actions
    supporter = login(make_staff("helpdesk", town_a, Role.HELPDESK))
    opened = supporter.post(f"/staff/m/{town_a.code}/surveys/assist/", {"login_id": case.login_id})
    assert opened.status_code == 302
    home = supporter.get(opened["Location"])
    assert home.status_code == 200
    assert "調査票が読むファイルがまだ添付されていません: cities.csv" in home.content.decode()
    page = supporter.get(f"{opened['Location']}q/home/", follow=True)
    assert page.status_code == 200
    assert "この調査はまだ回答を受け付けていません" in page.content.decode()


def test_another_towns_manager_cannot_attach_files(
    town_a: Municipality,
    town_b: Municipality,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    survey = _round(town_a)
    other = login(make_staff("other", town_b, Role.SURVEY_MANAGER))
    upload = {"upload": [SimpleUploadedFile("cities.csv", CITIES)]}
    assert other.post(f"/staff/m/{town_a.code}/surveys/{survey.pk}/files/", upload).status_code == 403
    assert other.post(f"/staff/m/{town_b.code}/surveys/{survey.pk}/files/", upload).status_code == 404
    assert queries.missing_files(Survey.objects.get()) == ["cities.csv"]
