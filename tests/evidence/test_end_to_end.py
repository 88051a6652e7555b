"""End to end on a small synthetic town: simulate (chiiki.demo) → weights → estimates → representativeness → evidence →
a disclosure-checked table published in the open-data catalog."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.demo.census_responses import SimulationError, simulate_responses
from chiiki.evidence import actions, queries, tables
from chiiki.evidence.models import EvidenceRun, PublishedTable
from chiiki.fieldwork.models import FollowUpAssignment
from chiiki.opendata.models import Dataset
from chiiki.registry.models import District
from chiiki.surveys.models import Answer, CaseEvent, Survey, SurveyCase


@pytest.mark.django_db
def test_a_simulated_census_is_weighted_estimated_checked_and_published(
    census: Survey,
    small_town: Municipality,
    manager: User,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
    immediate_tasks: None,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    summary = simulate_responses(census, seed=3, by=Actor.system("test"))
    assert 0 < summary.responded < summary.cases
    assert summary.by_path.get("visit", 0) > 0

    # The survey manager asks for a run on the page; the task computes it once the request commits.
    client = login(manager)
    page_url = f"/staff/m/{small_town.code}/evidence/surveys/{census.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page_url, {"action": "run"})
    assert response.status_code == 302
    run = EvidenceRun.objects.get(survey=census)
    assert run.status == EvidenceRun.Status.DONE, run.message
    assert run.requested_by == manager
    result = run.result
    assert result is not None

    weights = result["weights"]
    assert weights["respondents"] == summary.responded
    assert weights["diagnostics"]["converged"]
    # Calibration meets the registry on its margins (household counts by district and size).
    margins = [r for r in result["representativeness"]["bias"] if r["calibrated_on"]]
    assert max(abs(r["calibrated_bias"]) for r in margins) < 1e-6
    assert 0 < result["representativeness"]["r_indicator"] <= 1
    overall = {e["variable"]: e for e in result["estimates"]["overall"]}
    employment = overall["employment"]
    assert employment["ci_low"] < employment["estimate"] < employment["ci_high"]
    assert employment["se"] > 0
    assert result["estimates"]["by_district"]

    fieldwork = result["fieldwork"]
    assert sum(row["total"] for row in fieldwork["by_path"]) == summary.responded
    visit_row = next(r for r in fieldwork["by_path"] if r["path"] == "visit")
    assert visit_row["total"] == summary.by_path["visit"]
    scenarios = {s["key"]: s for s in result["scenarios"]}
    assert scenarios["no_visits"]["response_rate"] < scenarios["current"]["response_rate"]
    assert scenarios["no_visits"]["cost"] < scenarios["current"]["cost"]
    assert scenarios["fewer_50"]["visits"] < scenarios["current"]["visits"]

    table = result["tables"]["persons_by_district_age"]
    assert table["passed"], table["message"]
    assert table["suppressed"] > 0  # a town this small has districts with few households of some age

    response = client.post(f"{page_url}publish/", {"table": "persons_by_district_age"})
    assert response.status_code == 302
    published = PublishedTable.objects.get(run=run, table="persons_by_district_age")
    assert published.published_by == manager
    dataset = Dataset.objects.get(pk=published.dataset.pk)
    assert not dataset.private
    assert dataset.extras["survey_id"] == census.pk
    resources = {r.format: r for r in dataset.resources.all()}
    content = resources["CSV"].file.read().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    hidden = {(r["地区"], r["年齢階級"]) for r in rows if r["推計値"] == tables.SUPPRESSED}
    assert hidden == set(tables.hidden_cells(table))
    metadata = json.loads(resources["JSON"].file.read())
    assert metadata["survey"]["reference_date"] == "2025-10-01"
    assert "standard_errors" in metadata["method"]
    assert AuditEvent.objects.filter(action="evidence.table_publish", object_id=str(census.pk)).exists()

    # The staff page shows the report to the survey manager, with the published table listed.
    page = client.get(page_url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "R 指標" in text
    assert dataset.name in text
    # Age classes in words, not codes (issue 20).
    assert "39歳以下" in text
    assert '<th scope="row">-39</th>' not in text
    # Every estimate table offers its data as CSV; districts come in district-code order.
    base = f"/staff/m/{small_town.code}/evidence/surveys/{census.pk}/csv/"
    for name in ("overall", "by_district", "by_age_group", "response_rates", "bias", "scenarios"):
        assert f"{base}{name}.csv" in text
        got = client.get(f"{base}{name}.csv")
        assert got.status_code == 200
        assert got["Content-Type"].startswith("text/csv")
        assert len(list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))) > 2
    by_district = list(
        csv.DictReader(io.StringIO(client.get(f"{base}by_district.csv").content.decode("utf-8-sig")))
    )
    codes = dict(District.objects.filter(municipality=small_town).values_list("name", "code"))
    listed = list(dict.fromkeys(r["地区 (district)"] for r in by_district))
    assert listed == sorted(listed, key=lambda d: codes.get(d, "~"))
    assert client.get(f"{base}nonsense.csv").status_code == 404
    assert 'role="img"' in text
    enumerator = make_staff("enumerator-2", small_town, Role.ENUMERATOR)
    assert (
        login(enumerator).get(f"/staff/m/{small_town.code}/evidence/surveys/{census.pk}/").status_code == 403
    )


@pytest.mark.django_db
def test_simulation_writes_answers_paradata_and_visit_outcomes_consistent_with_the_registry(
    census: Survey,
) -> None:
    keyed = SurveyCase.objects.filter(survey=census).order_by("id").first()
    assert keyed is not None
    SurveyCase.objects.filter(pk=keyed.pk).update(status=SurveyCase.Status.ISSUED, access_key_hash="pbkdf2$x")
    summary = simulate_responses(census, seed=4, by=Actor.system("test"))

    answers = Answer.objects.filter(case__survey=census).select_related("case__household")
    assert answers.count() == summary.responded
    for answer in answers[:50]:
        assert answer.submitted_data == answer.data
        members = answer.case.household.members.filter(removed_on__isnull=True).count()
        assert answer.submitted_data["household"]["hh_size"] == len(answer.submitted_data["members"])
        assert len(answer.submitted_data["members"]) <= members
    submitted = SurveyCase.objects.filter(survey=census, status=SurveyCase.Status.SUBMITTED).count()
    assert submitted == summary.responded
    assert not Answer.objects.filter(case=keyed).exists()  # cases with a real key are left for people

    visits = CaseEvent.objects.filter(survey=census, kind=CaseEvent.Kind.VISIT)
    assert visits.count() == summary.visits
    assert not visits.filter(by__isnull=True).exists()
    settled = FollowUpAssignment.objects.filter(area__survey=census, visits__gt=0)
    assert settled.exists()
    assert not settled.filter(outcome="").exists()
    assert CaseEvent.objects.filter(survey=census, kind=CaseEvent.Kind.SUBMITTED).count() == summary.responded

    with pytest.raises(SimulationError, match="すでに"):
        simulate_responses(census, seed=4, by=Actor.system("test"))


@pytest.mark.django_db
def test_a_table_that_fails_the_disclosure_check_is_not_published(census: Survey, manager: User) -> None:
    failing = {
        "name": "households_by_district_size",
        "title": "表",
        "passed": False,
        "message": "周辺合計を秘匿しないと保護できません",
        "threshold": 3,
        "suppressed": 1,
    }
    run = EvidenceRun.objects.create(
        municipality=census.municipality,
        survey=census,
        status=EvidenceRun.Status.DONE,
        result={"tables": {"households_by_district_size": failing}},
    )
    with pytest.raises(actions.EvidenceError, match="秘匿の検査に通らなかった"):
        actions.publish_table(census, "households_by_district_size", by=Actor.for_user(manager), run=run)
    with pytest.raises(actions.EvidenceError, match="ありません"):
        actions.publish_table(census, "no_such_table", by=Actor.for_user(manager), run=run)
    assert not PublishedTable.objects.exists()
    assert not Dataset.objects.exists()


@pytest.mark.django_db
def test_publishing_without_a_finished_run_is_refused(census: Survey, manager: User) -> None:
    with pytest.raises(actions.EvidenceError, match="集計結果がありません"):
        actions.publish_table(census, "households_by_district_size", by=Actor.for_user(manager))


@pytest.mark.django_db
def test_costs_refuse_unknown_items_and_negative_values(census: Survey, manager: User) -> None:
    actions.set_costs(census, {"visit": 2500}, by=Actor.for_user(manager))
    assert queries.run_options(census)["costs"]["visit"] == 2500.0
    with pytest.raises(actions.EvidenceError):
        actions.set_costs(census, {"lunch": 1000}, by=Actor.for_user(manager))
    with pytest.raises(actions.EvidenceError):
        actions.set_costs(census, {"visit": -1}, by=Actor.for_user(manager))


@pytest.mark.django_db
def test_a_run_is_a_job_queued_once_and_a_survey_without_answers_fails_with_the_reason(
    census: Survey, manager: User
) -> None:
    from django_tasks_db.models import DBTaskResult

    from chiiki.evidence.tasks import compute_evidence_run

    run = actions.request_run(census, by=Actor.for_user(manager))
    assert (run.status, run.requested_by) == (EvidenceRun.Status.QUEUED, manager)
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path.endswith("compute_evidence_run")
    assert queued.args_kwargs["args"] == [run.pk]
    compute_evidence_run.call(run.pk)
    run.refresh_from_db()
    assert run.status == EvidenceRun.Status.FAILED
    assert "回答者がいません" in run.message
    assert run.attempts == 1  # bad input is not retried
    assert run.result is None


@pytest.mark.django_db
def test_staff_without_the_survey_permission_cannot_simulate_answers(
    census: Survey, small_town: Municipality, make_staff: Callable[..., User]
) -> None:
    from django.core.exceptions import PermissionDenied

    enumerator = make_staff("enumerator-9", small_town, Role.ENUMERATOR)
    with pytest.raises(PermissionDenied):
        simulate_responses(census, seed=1, by=Actor.for_user(enumerator))
    assert not Answer.objects.filter(case__survey=census).exists()
