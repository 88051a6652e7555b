"""Survey actions on the test database: questionnaire import, survey creation, sampling and access keys."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.registry.models import Household
from chiiki.surveys import actions
from chiiki.surveys.contact import credentials
from chiiki.surveys.contact.credentials import ACCESS_KEY_ALPHABET, is_valid_login_id
from chiiki.surveys.contact.credentials import format_access_key as credentials_format
from chiiki.surveys.contact.letters import write_letters_csv
from chiiki.surveys.models import QuestionnaireInUseError, QuestionnaireVersion, Survey, SurveyCase
from chiiki.surveys.xlsform import Form, FormRejected

DEMO_FORM = Path(__file__).resolve().parents[2] / "src/chiiki/demo/forms/census_demo.xlsx"
REFERENCE_DATE = date(2025, 10, 1)


@pytest.fixture
def version(town_a: Municipality) -> QuestionnaireVersion:
    return actions.import_questionnaire(
        town_a, DEMO_FORM.read_bytes(), filename=DEMO_FORM.name, by=Actor.system("test")
    )


def make_survey(town: Municipality, version: QuestionnaireVersion, **options: object) -> Survey:
    return actions.create_survey(
        town,
        questionnaire_version=version,
        title="令和7年 府中町生活実態調査",
        reference_date=REFERENCE_DATE,
        opens_at=datetime(2025, 9, 20, tzinfo=UTC),
        closes_at=datetime(2025, 10, 20, tzinfo=UTC),
        by=Actor.system("test"),
        **options,  # type: ignore[arg-type]
    )


def test_an_imported_questionnaire_keeps_the_form_json(version: QuestionnaireVersion) -> None:
    form = Form.from_json(version.definition)
    assert form.form_id == version.questionnaire.form_id
    assert version.number == 1
    assert AuditEvent.objects.filter(action="surveys.questionnaire_import").count() == 1


def test_importing_the_same_file_twice_gives_the_same_version(
    town_a: Municipality, version: QuestionnaireVersion
) -> None:
    again = actions.import_questionnaire(
        town_a, DEMO_FORM.read_bytes(), filename="x.xlsx", by=Actor.system("test")
    )
    assert again.pk == version.pk


def test_a_malformed_form_is_rejected(town_a: Municipality) -> None:
    with pytest.raises(FormRejected):
        actions.import_questionnaire(town_a, b"not a workbook", filename="bad.xlsx", by=Actor.system("test"))


def test_a_census_has_one_case_per_current_household(
    town_a: Municipality, version: QuestionnaireVersion
) -> None:
    survey = make_survey(town_a, version)
    summary = actions.draw_sample(survey, by=Actor.system("test"))
    households = Household.objects.filter(municipality=town_a, removed_on__isnull=True).count()
    assert summary.cases == summary.frame == households
    assert survey.cases.count() == households
    assert all(p == 1.0 for p in survey.cases.values_list("selection_probability", flat=True))
    assert all(is_valid_login_id(i) for i in survey.cases.values_list("login_id", flat=True))
    assert AuditEvent.objects.filter(action="surveys.sample_draw", object_id=str(survey.pk)).exists()


def test_households_registered_after_the_reference_date_are_not_in_the_frame(
    town_a: Municipality, version: QuestionnaireVersion
) -> None:
    late = Household.objects.filter(municipality=town_a).first()
    assert late is not None
    late.registered_on = date(2025, 10, 2)
    late.save()
    survey = make_survey(town_a, version)
    actions.draw_sample(survey, by=Actor.system("test"))
    assert not survey.cases.filter(household=late).exists()


def test_a_stratified_sample_is_reproducible_from_its_seed(
    town_a: Municipality, version: QuestionnaireVersion
) -> None:
    first = make_survey(town_a, version, sample_size=12, seed=99, minimum_per_stratum=0)
    second = make_survey(town_a, version, sample_size=12, seed=99, minimum_per_stratum=0)
    actions.draw_sample(first, by=Actor.system("test"))
    actions.draw_sample(second, by=Actor.system("test"))
    assert first.cases.count() == 12
    picked = sorted(first.cases.values_list("household_id", "stratum", "selection_probability"))
    assert picked == sorted(second.cases.values_list("household_id", "stratum", "selection_probability"))
    assert set(first.cases.values_list("login_id", flat=True)).isdisjoint(
        second.cases.values_list("login_id", flat=True)
    )


def test_a_sample_is_drawn_only_once(town_a: Municipality, version: QuestionnaireVersion) -> None:
    survey = make_survey(town_a, version)
    actions.draw_sample(survey, by=Actor.system("test"))
    with pytest.raises(actions.SurveyError, match="抽出済み"):
        actions.draw_sample(survey, by=Actor.system("test"))


def test_a_sample_larger_than_the_frame_is_refused_and_creates_nothing(
    town_a: Municipality, version: QuestionnaireVersion
) -> None:
    survey = make_survey(town_a, version, sample_size=10_000)
    with pytest.raises(actions.SurveyError, match="母集団"):
        actions.draw_sample(survey, by=Actor.system("test"))
    assert not SurveyCase.objects.exists()


def test_access_keys_are_returned_once_and_stored_only_as_hashes(
    town_a: Municipality, version: QuestionnaireVersion
) -> None:
    survey = make_survey(town_a, version, sample_size=5, seed=1, minimum_per_stratum=0)
    actions.draw_sample(survey, by=Actor.system("test"))
    issued = actions.issue_access_keys(survey, by=Actor.system("test"))
    assert len(issued) == 5
    for key in issued:
        case = SurveyCase.objects.get(pk=key.case_id)
        assert case.status == SurveyCase.Status.ISSUED
        assert set(key.access_key) <= set(ACCESS_KEY_ALPHABET)
        assert key.access_key not in case.access_key_hash
        assert case.access_key_hash.startswith("pbkdf2_sha256$30000$")
        assert credentials.verify_access_key(case, f"{key.access_key[:4].lower()}-{key.access_key[4:]}")
        assert not credentials.verify_access_key(
            case, "ACEFHK34" if key.access_key != "ACEFHK34" else "ACEFHK37"
        )
    assert actions.issue_access_keys(survey, by=Actor.system("test")) == []  # nothing left without a key
    assert len(actions.issue_access_keys(survey, by=Actor.system("test"), reissue=True)) == 5


def test_the_letters_csv_has_a_bom_and_one_row_per_letter(
    town_a: Municipality, version: QuestionnaireVersion
) -> None:
    survey = make_survey(town_a, version, sample_size=4, seed=1, minimum_per_stratum=0)
    actions.draw_sample(survey, by=Actor.system("test"))
    issued = actions.issue_access_keys(survey, by=Actor.system("test"))
    stream = io.StringIO()
    assert write_letters_csv(issued, stream, url="https://chiiki.example/answer/") == 4
    text = stream.getvalue()
    assert text.startswith("\ufefflogin_id,access_key,postal_code,address,url\r\n")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [row["login_id"] for row in rows] == [key.login_id for key in issued]
    assert all(row["url"] == "https://chiiki.example/answer/" for row in rows)
    assert all(len(row["access_key"]) == 9 and row["access_key"][4] == "-" for row in rows)


def test_a_version_used_by_a_survey_cannot_change(
    town_a: Municipality, version: QuestionnaireVersion
) -> None:
    make_survey(town_a, version)
    version.form_version = "changed"
    with pytest.raises(QuestionnaireInUseError):
        version.save()
    with pytest.raises(QuestionnaireInUseError):
        QuestionnaireVersion.objects.filter(pk=version.pk).update(form_version="changed")


def test_the_database_refuses_a_census_with_a_sample_size(
    town_a: Municipality, version: QuestionnaireVersion
) -> None:
    survey = make_survey(town_a, version)
    with pytest.raises(IntegrityError), transaction.atomic():
        Survey.objects.filter(pk=survey.pk).update(sample_size=3)


def test_the_database_refuses_a_short_login_id(town_a: Municipality, version: QuestionnaireVersion) -> None:
    survey = make_survey(town_a, version)
    household = Household.objects.filter(municipality=town_a).first()
    assert household is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyCase.objects.create(
            survey=survey, household=household, stratum="x", selection_probability=1.0, login_id="12345"
        )


def test_staff_without_the_survey_role_cannot_create_a_survey(
    town_a: Municipality, version: QuestionnaireVersion, make_staff: Callable[..., User]
) -> None:
    helper = make_staff("helper", town_a, Role.HELPDESK)
    manager = make_staff("manager", town_a, Role.SURVEY_MANAGER)
    with pytest.raises(PermissionDenied):
        actions.create_survey(
            town_a,
            questionnaire_version=version,
            title="t",
            reference_date=REFERENCE_DATE,
            opens_at=datetime(2025, 9, 20, tzinfo=UTC),
            closes_at=datetime(2025, 10, 20, tzinfo=UTC),
            by=Actor.for_user(helper),
        )
    survey = actions.create_survey(
        town_a,
        questionnaire_version=version,
        title="t",
        reference_date=REFERENCE_DATE,
        opens_at=datetime(2025, 9, 20, tzinfo=UTC),
        closes_at=datetime(2025, 10, 20, tzinfo=UTC),
        by=Actor.for_user(manager),
    )
    assert survey.created_by == manager


def run(*args: str) -> tuple[int, str, str]:
    """Run a chiiki management command the way the console script does; return exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except CommandError as error:
        return 1, out.getvalue(), str(error)
    return 0, out.getvalue(), err.getvalue()


def test_survey_create_draws_a_census_and_issue_keys_writes_the_letters(
    town_a: Municipality, tmp_path: Path
) -> None:
    code, out, _ = run(
        "survey_create",
        "--municipality",
        town_a.code,
        "--form",
        str(DEMO_FORM),
        "--title",
        "令和7年 生活実態調査",
        "--reference-date",
        "令和7年10月1日",
    )
    assert code == 0
    assert "全数調査" in out
    survey = Survey.objects.get()
    assert survey.cases.count() == Household.objects.filter(municipality=town_a).count()
    letters = tmp_path / "letters.csv"
    code, out, _ = run("survey_issue_keys", "--survey", str(survey.pk), "--out", str(letters))
    assert code == 0, out
    data = letters.read_bytes()
    assert data.startswith(b"\xef\xbb\xbflogin_id,access_key,postal_code,address,url\r\n")
    assert len(data.decode("utf-8-sig").splitlines()) == survey.cases.count() + 1
    code, _, message = run("survey_issue_keys", "--survey", str(survey.pk), "--out", str(letters))
    assert code == 1
    assert "既にあります" in message


def test_survey_create_explains_bad_input_and_writes_nothing(town_a: Municipality) -> None:
    base = ["survey_create", "--form", str(DEMO_FORM), "--title", "t"]
    cases = [
        (["--municipality", "999999", "--reference-date", "2025-10-01"], "見つかりません"),
        (["--municipality", town_a.code, "--reference-date", "2025-13-01"], "日付"),
        (["--municipality", town_a.code, "--reference-date", "2025-10-01", "--sample", "x"], "整数"),
        (["--municipality", town_a.code, "--reference-date", "2025-10-01", "--sample", "100000"], "母集団"),
        (["--municipality", town_a.code, "--reference-date", "2025-10-01", "--strata", "ward"], "層化の変数"),
    ]
    for extra, expected in cases:
        code, _, message = run(*base, *extra)
        assert code == 1
        assert expected in message
    assert not Survey.objects.exists()
    assert not QuestionnaireVersion.objects.exists()


def test_survey_issue_keys_refuses_an_unknown_survey(db: None, tmp_path: Path) -> None:
    code, _, message = run("survey_issue_keys", "--survey", "12345", "--out", str(tmp_path / "x.csv"))
    assert code == 1
    assert "見つかりません" in message
    assert not (tmp_path / "x.csv").exists()


def test_no_plaintext_access_key_is_left_in_the_database(
    town_a: Municipality, version: QuestionnaireVersion
) -> None:
    survey = make_survey(town_a, version, sample_size=3, seed=2, minimum_per_stratum=0)
    actions.draw_sample(survey, by=Actor.system("test"))
    issued = actions.issue_access_keys(survey, by=Actor.system("test"))
    stored = " ".join(
        str(row) for row in SurveyCase.objects.values_list("login_id", "access_key_hash", "password_hash")
    )
    stored += " ".join(str(row) for row in AuditEvent.objects.values_list("detail", "object_id"))
    for key in issued:
        assert key.access_key not in stored
        assert credentials_format(key.access_key) not in stored


def test_an_anonymous_visitor_is_never_taken_for_a_command(
    town_a: Municipality, version: QuestionnaireVersion, rf: Any
) -> None:
    survey = make_survey(town_a, version)
    visitor = Actor.from_request(rf.get("/"))  # a request without a signed-in user
    assert not actions.is_command(visitor)
    assert actions.is_command(Actor.system("chiiki survey create"))
    with pytest.raises(PermissionDenied):
        actions.draw_sample(survey, by=visitor)
    assert not survey.cases.exists()


def test_the_answering_period_can_be_extended_by_a_survey_manager_only(
    town_a: Municipality, version: QuestionnaireVersion, make_staff: Callable[..., User]
) -> None:
    survey = make_survey(town_a, version)
    later = datetime(2025, 11, 30, tzinfo=UTC)
    helper = make_staff("helper", town_a, Role.HELPDESK)
    with pytest.raises(PermissionDenied):
        actions.extend_answering(survey, closes_at=later, by=Actor.for_user(helper))
    manager = make_staff("manager", town_a, Role.SURVEY_MANAGER)
    with pytest.raises(actions.SurveyError, match="開始より後"):
        actions.extend_answering(survey, closes_at=survey.opens_at, by=Actor.for_user(manager))
    actions.extend_answering(survey, closes_at=later, by=Actor.for_user(manager))
    survey.refresh_from_db()
    assert survey.closes_at == later
    event = AuditEvent.objects.get(action="surveys.answering_extended")
    assert (event.actor_id, event.detail["to"]) == (manager.pk, later.isoformat())


def test_keys_for_chosen_cases_only_and_never_for_another_surveys_case(
    town_a: Municipality, version: QuestionnaireVersion
) -> None:
    first, second = make_survey(town_a, version), make_survey(town_a, version)
    actions.draw_sample(first, by=Actor.system("test"))
    actions.draw_sample(second, by=Actor.system("test"))
    chosen = list(first.cases.order_by("id")[:2])
    issued = actions.issue_access_keys_to(first, chosen, by=Actor.system("test"))
    assert [key.case_id for key in issued] == [case.pk for case in chosen]
    assert first.cases.exclude(access_key_hash="").count() == 2
    with pytest.raises(actions.SurveyError):
        actions.issue_access_keys_to(first, [second.cases.first()], by=Actor.system("test"))  # type: ignore[list-item]
    assert not second.cases.exclude(access_key_hash="").exists()
