"""Inside /staff/m/<code>/: town A's staff, on town A's own code (where their roles hold), name an object of
town B by its id. Every such page must answer 403 or 404, never show or change town B's object.

tests/core/test_permissions.py checks the code itself; this checks the ids below it, walked from the URL
configuration: a new route with a parameter fails (KeyError) until it is given a town-B object here.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from tests.surveys.answering_setup import open_survey
from tests.url_routes import routes_where

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality, Role, User
from chiiki.fieldwork.models import FollowUpArea, FollowUpAssignment
from chiiki.linkage.models import LinkageRun, LinkCase
from chiiki.opendata import actions as opendata_actions
from chiiki.procedures.actions import HelpPointInput, save_help_point
from chiiki.registry.models import Household
from chiiki.surveys.models import SurveyExport, SurveyLetters

# The answering page name is not an object.
NOT_OBJECTS = {"page": "1", "table": "overall", "step": "assign"}
# Objects of the four newest apps are not created in town B here yet (their ids below name nothing, so these
# routes are only checked to answer 403/404 and never a 500 or a page); each app's own tests check that one
# municipality's staff cannot reach another's objects (e.g. tests/cyber/test_flow.py, tests/coverage/).
NEWEST_APPS_IDS = dict.fromkeys(
    (
        "report_id",
        "body_id",
        "alert_id",
        "advisory_id",
        "allowance_id",
        "batch_id",
        "entitlement_id",
        "eligibility_run_id",
        "application_id",
        "attachment_id",
        "claim_id",
        "challenge_id",
        "mode_id",
        "source_id",
    ),
    "1",
) | {"procedure_code": "juminhyo"}


def _routes() -> list[str]:
    return routes_where(lambda route: route.startswith("/staff/m/<str:code>/") and route.count("<") > 1)


@pytest.fixture
def town_b_objects(town_b: Municipality) -> dict[str, str]:
    """One object of each kind in town B, by the URL parameter that names it."""
    household = Household.objects.filter(municipality=town_b).first()
    assert household is not None
    dataset = opendata_actions.create_dataset(
        opendata_actions.organization_for(town_b, by=Actor.system("test")),
        name="b-private",
        title="宇部市の未公開",
        by=Actor.system("test"),
    )
    survey, _letters = open_survey(town_b, letters=1)
    case = survey.cases.order_by("id").first()
    assert case is not None
    export = SurveyExport.objects.create(
        survey=survey, fmt="csv", status=SurveyExport.Status.DONE, file_name="exports/b.zip"
    )
    letters = SurveyLetters.objects.create(
        survey=survey, status=SurveyLetters.Status.DONE, file_name="letters/b.zip", letters=1
    )
    run = LinkageRun.objects.create(
        municipality=town_b, records_file="linkage-records/b.csv", original_name="b.csv", status="done"
    )
    link_case = LinkCase.objects.create(
        run=run, municipality=town_b, record_id="r1", decision="review", state="open"
    )
    area = FollowUpArea.objects.create(
        municipality=town_b, survey=survey, number=1, enumerator=User.objects.create_user("b-enumerator")
    )
    assignment = FollowUpAssignment.objects.create(municipality=town_b, area=area, case=case)
    help_point = save_help_point(
        town_b,
        HelpPointInput("宇部市役所 窓口", "counter", "山口県宇部市常盤町一丁目7番1号", "平日", 33.95, 131.25),
        by=Actor.system("test"),
    )
    return {
        "household_id": str(household.pk), "name": dataset.name, "survey_id": str(survey.pk),
        "export_id": str(export.pk), "job_id": str(letters.pk), "run_id": str(run.pk), "assignment_id": str(assignment.pk),
        "survey_case_id": str(case.pk), "link_case_id": str(link_case.pk), **NOT_OBJECTS, **NEWEST_APPS_IDS,
        "help_point_id": str(help_point.pk),
    }  # fmt: skip


def _case_ids(objects: dict[str, str], route: str) -> str:
    """case_id names a survey case under surveys/ and a link case under linkage/."""
    return objects["link_case_id"] if "/linkage/" in route else objects["survey_case_id"]


@pytest.mark.parametrize("method", ["get", "post"])
def test_town_a_staff_cannot_reach_town_b_objects_through_their_own_code(
    town_a: Municipality,
    town_b_objects: dict[str, str],
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
    method: str,
) -> None:
    client = login(make_staff("a-everything", town_a, *Role))
    values = {**town_b_objects, "code": town_a.code}
    # A case not opened in this session sends the supporter back to the search by login ID: a refusal too.
    assist_search = f"/staff/m/{town_a.code}/surveys/assist/"
    leaks = {}
    for route in _routes():
        route_values = {**values, "case_id": _case_ids(values, route)}
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: route_values[m.group(1)], route)  # noqa: B023
        response = getattr(client, method)(url)
        # The cyber app first asks for the second factor (tests/cyber/test_two_factor.py): nothing is shown.
        second_factor = f"/staff/m/{town_a.code}/cyber/two-factor/"
        refused = response.status_code in (403, 404, 405) or (
            response.status_code == 302
            and (response["Location"] == assist_search or response["Location"].startswith(second_factor))
        )
        if not refused:
            leaks[url] = response.status_code
    assert not leaks, f"{method.upper()} on town B's objects answered: {leaks}"
