"""Inside /staff/m/<code>/: town A's staff, on town A's own code (where their roles hold), name an object of
town B by its id. Every such page must answer 403 or 404, never show or change town B's object.

tests/core/test_permissions.py checks the code itself; this checks the ids below it, walked from the URL
configuration: a new route with a parameter fails (KeyError) until it is given a town-B object here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from tests.cyber.conftest import KEYS, pass_second_factor
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


def _newest_apps_objects(town_b: Municipality, household: Household) -> dict[str, str]:
    """One object of each kind of the four newest apps in town B (rows written directly: only their ids and
    their municipality matter here; each app's own tests build them through its actions)."""
    from chiiki.coverage.models import Challenge, DeadZoneReport
    from chiiki.cyber.models import Advisory, Alert, Asset, Body
    from chiiki.infosafety.models import Claim, Report, ScreenedPost, Source, TakedownReport, WatchMode
    from chiiki.procedures.models import (
        Allowance,
        Application,
        Attachment,
        EligibilityRun,
        Entitlement,
        PaymentBatch,
        Procedure,
    )

    report = DeadZoneReport.objects.create(
        municipality=town_b, reference="B00000000001", location_source="coordinates", place_kind="outdoor",
        carrier="docomo", technology="4G", problem="no_signal", frequency="always", observed_on=date(2026, 11, 1),
        time_band="daytime", reporter_key="town-b",
    )  # fmt: skip
    challenge = Challenge.objects.create(
        municipality=town_b, carrier="docomo", technology="4G", answer_due=date(2027, 1, 31)
    )
    allowance = Allowance.objects.create(
        municipality=town_b, code="b-kyufu", name="宇部市の給付金", rule_set="newly_exempt_household", parameters="{}",
        reference_date=date(2026, 6, 3), fiscal_year=2026,
    )  # fmt: skip
    run = EligibilityRun.objects.create(municipality=town_b, allowance=allowance)
    entitlement = Entitlement.objects.create(
        municipality=town_b,
        allowance=allowance,
        household=household,
        run=run,
        amount=100_000,
        status="notified",
    )
    batch = PaymentBatch.objects.create(
        municipality=town_b, allowance=allowance, transfer_date=date(2026, 12, 25), count=1, total=100_000,
        content=b"",
    )  # fmt: skip
    procedure = Procedure.objects.create(
        municipality=town_b,
        code="b-sodai-gomi",
        name="粗大ごみ収集申込",
        form={},
        xlsform=b"",
        dictionary_version="1",
    )
    application = Application.objects.create(
        municipality=town_b, procedure=procedure, receipt_number="B0000000001"
    )
    attachment = Attachment.objects.create(
        application=application, file="procedures/b.pdf", name="b.pdf", kind="pdf", size=1,
        sha256="0" * 64, scan="clean",
    )  # fmt: skip
    claim = Claim.objects.create(municipality=town_b, summary="宇部市のうわさ")
    source = Source.objects.create(municipality=town_b, claim=claim, title="宇部市の出典")
    rumour = Report.objects.create(municipality=town_b, claim=claim, text="宇部市で見た投稿")
    post = ScreenedPost.objects.create(
        municipality=town_b, text="高額バイト", score=0.9, level="watch", signal_version="1"
    )
    takedown = TakedownReport.objects.create(
        municipality=town_b, post=post, recipient="x", reason="犯罪実行者募集情報", url="https://x.com/b/1"
    )
    now = timezone.now()
    mode = WatchMode.objects.create(
        municipality=town_b,
        kind="disaster",
        title="宇部市の大雨",
        starts_at=now,
        ends_at=now + timedelta(days=1),
    )
    body = Body.objects.create(municipality=town_b, kind="hospital", name="宇部市の病院")
    asset = Asset.objects.create(
        municipality=town_b, body=body, source="csv", name="FortiOS", version="7.0.9"
    )
    advisory = Advisory.objects.create(
        municipality=town_b,
        identifier="OSV-B-1",
        source_format="osv",
        title="b",
        digest="0" * 64,
        document={},
    )
    alert = Alert.objects.create(
        municipality=town_b, body=body, asset=asset, advisory=advisory, matched_via="name", matched_range="*"
    )
    return {
        "report_id": str(report.pk), "challenge_id": str(challenge.pk), "allowance_id": str(allowance.pk),
        "eligibility_run_id": str(run.pk), "entitlement_id": str(entitlement.pk), "batch_id": str(batch.pk),
        "procedure_code": procedure.code, "application_id": str(application.pk),
        "attachment_id": str(attachment.pk), "claim_id": str(claim.pk), "source_id": str(source.pk),
        "mode_id": str(mode.pk), "body_id": str(body.pk), "advisory_id": str(advisory.pk),
        "alert_id": str(alert.pk), "rumour_report_id": str(rumour.pk), "takedown_report_id": str(takedown.pk),
    }  # fmt: skip


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
    from chiiki.opendata.models import Upload

    refused_upload = Upload.objects.create(  # refused for other codes: the confirmation route's object
        municipality=town_b, file="opendata-uploads/b.csv", original_name="b.csv", status="failed",
        other_codes=["343021"],
    )  # fmt: skip
    return {
        "upload_id": str(refused_upload.pk),
        "household_id": str(household.pk), "name": dataset.name, "survey_id": str(survey.pk),
        "export_id": str(export.pk), "job_id": str(letters.pk), "run_id": str(run.pk), "assignment_id": str(assignment.pk),
        "survey_case_id": str(case.pk), "link_case_id": str(link_case.pk), **NOT_OBJECTS,
        **_newest_apps_objects(town_b, household),
        "help_point_id": str(help_point.pk),
    }  # fmt: skip


def _report_ids(objects: dict[str, str], route: str) -> str:
    """report_id names a dead-zone report under coverage/, a rumour report or a takedown report under
    infosafety/."""
    if "/infosafety/takedowns/" in route:
        return objects["takedown_report_id"]
    return objects["rumour_report_id"] if "/infosafety/" in route else objects["report_id"]


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
    staff = make_staff("a-everything", town_a, *Role)
    client = login(staff)
    # Through the cyber app's second factor, so that its pages are reached and must refuse town B's objects.
    KEYS.pop(staff.username, None)  # a key enrolled by the other parametrization's (rolled back) test
    assert pass_second_factor(client, staff) is not None
    values = {**town_b_objects, "code": town_a.code}
    # A case not opened in this session sends the supporter back to the search by login ID: a refusal too.
    assist_search = f"/staff/m/{town_a.code}/surveys/assist/"
    leaks = {}
    for route in _routes():
        route_values = {
            **values,
            "case_id": _case_ids(values, route),
            "report_id": _report_ids(values, route),
        }
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: route_values[m.group(1)], route)  # noqa: B023
        response = getattr(client, method)(url)
        refused = response.status_code in (403, 404, 405) or (
            response.status_code == 302 and response["Location"] == assist_search
        )
        if not refused:
            leaks[url] = response.status_code
    assert not leaks, f"{method.upper()} on town B's objects answered: {leaks}"
