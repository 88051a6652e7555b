"""Every staff page that shows a person's data writes an audit record when it is read (issue 13, finding 3).

Each staff route is classified here: the routes that show personal data name the audit action their read
writes, the others say why they show none. A new route fails `test_every_staff_route_is_classified` until
someone decides which it is, so a page of a new app cannot show people's data unaudited by oversight. The
routes that a fixture can fill are then read as every role: a page that answers 200 must have written its record.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from tests.url_routes import routes_where

from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.registry.models import Household

STAFF = "/staff/m/<str:code>/"

# Route → the audit action written when it is read (GET).
SHOWS_PERSONAL_DATA = {
    f"{STAFF}cyber/": "cyber.alerts_viewed",
    f"{STAFF}cyber/bodies/<int:body_id>/": "cyber.inventory_viewed",
    f"{STAFF}cyber/alerts/<int:alert_id>/": "cyber.alert_viewed",
    f"{STAFF}cyber/inbox/": "cyber.alerts_viewed",
    f"{STAFF}procedures/applications/": "procedures.applications_viewed",
    f"{STAFF}procedures/applications.csv": "procedures.applications_exported",
    f"{STAFF}procedures/queue/": "procedures.applications_viewed",
    f"{STAFF}procedures/applications/<int:application_id>/": "procedures.application_viewed",
    f"{STAFF}procedures/applications/<int:application_id>/files/<int:attachment_id>/download": "procedures.attachment_downloaded",
    f"{STAFF}procedures/applications/<int:application_id>/decision/download": "procedures.decision_letter_downloaded",
    f"{STAFF}procedures/allowances/<int:allowance_id>/runs/<int:eligibility_run_id>/": "procedures.eligibility_run_viewed",
    f"{STAFF}procedures/allowances/<int:allowance_id>/runs/<int:eligibility_run_id>/notices.pdf": "procedures.notices_downloaded",
    f"{STAFF}procedures/allowances/<int:allowance_id>/follow-up/": "procedures.follow_up_viewed",
    f"{STAFF}procedures/allowances/<int:allowance_id>/payments/<int:batch_id>/file": "procedures.payment_file_downloaded",
    f"{STAFF}procedures/assist/<int:entitlement_id>/": "procedures.entitlement_viewed",
    f"{STAFF}procedures/help/<int:help_point_id>/bookings/": "procedures.help_bookings_viewed",
    f"{STAFF}procedures/messages/": "procedures.messages_viewed",
    f"{STAFF}registry/": "registry.households_viewed",
    f"{STAFF}registry/households/<int:household_id>/": "registry.household_viewed",
    f"{STAFF}linkage/": "linkage.queue_viewed",
    f"{STAFF}linkage/runs/<str:run_id>/": "linkage.queue_viewed",
    f"{STAFF}linkage/runs/<str:run_id>/links.csv": "linkage.links_exported",
    f"{STAFF}linkage/runs/<str:run_id>/cases/<str:case_id>/": "linkage.case_viewed",
    f"{STAFF}linkage/runs/<str:run_id>/cases/<str:case_id>/confirm/": "linkage.case_viewed",
    f"{STAFF}surveys/assist/<str:case_id>/": "surveys.case_viewed",
    f"{STAFF}surveys/assist/<str:case_id>/q/<str:page>/": "surveys.case_viewed",
    f"{STAFF}surveys/assist/<str:case_id>/review/": "surveys.case_viewed",
    f"{STAFF}surveys/assist/<str:case_id>/receipt/": "surveys.case_viewed",
    f"{STAFF}surveys/enumerate/<str:case_id>/": "surveys.enumerate_opened",
    f"{STAFF}surveys/enumerate/<str:case_id>/q/<str:page>/": "surveys.case_viewed",
    f"{STAFF}surveys/enumerate/<str:case_id>/review/": "surveys.case_viewed",
    f"{STAFF}surveys/enumerate/<str:case_id>/receipt/": "surveys.case_viewed",
    f"{STAFF}surveys/<str:survey_id>/exports/<int:export_id>/download/": "surveys.export_downloaded",
    f"{STAFF}surveys/<str:survey_id>/letters/<int:job_id>/download/": "surveys.letters_downloaded",
    f"{STAFF}fieldwork/": "fieldwork.assignments_viewed",
    f"{STAFF}fieldwork/assignments/<str:assignment_id>/visit/": "fieldwork.assignment_viewed",
    f"{STAFF}fieldwork/surveys/<str:survey_id>/dashboard/": "fieldwork.dashboard_viewed",
    f"{STAFF}talent/": "talent.dashboard_viewed",
    f"{STAFF}coverage/reports/": "coverage.reports_listed",
    f"{STAFF}coverage/reports/<int:report_id>/": "coverage.report_viewed",
    f"{STAFF}infosafety/": "infosafety.desk_viewed",
    f"{STAFF}infosafety/claims/<int:claim_id>/": "infosafety.claim_viewed",
    f"{STAFF}infosafety/reports/<int:report_id>/screenshot": "infosafety.screenshot_viewed",
    f"{STAFF}infosafety/sources/<int:source_id>/archive": "infosafety.archive_downloaded",
    f"{STAFF}infosafety/dashboard/": "infosafety.dashboard_viewed",
    f"{STAFF}infosafety/takedowns/": "infosafety.takedowns_viewed",
    f"{STAFF}infosafety/takedowns/<int:report_id>/": "infosafety.takedown_viewed",
    f"{STAFF}infosafety/takedowns/<int:report_id>/capture": "infosafety.capture_downloaded",
    f"{STAFF}infosafety/takedowns/<int:report_id>/report.zip": "infosafety.takedown_exported",
    f"{STAFF}infosafety/screening/batches/<int:batch_id>/": "infosafety.batch_viewed",
}

# Route → why it shows nobody's personal data.
SHOWS_NONE = {
    f"{STAFF}cyber/feeds/": "advisory feeds and their loading jobs, no person",
    f"{STAFF}cyber/two-factor/": "the person's own authenticator secret while enrolling, no one else's data",
    f"{STAFF}cyber/two-factor/verify/": "a form asking for the one-time code",
    f"{STAFF}cyber/bodies/new/": "a form for a new member body",
    f"{STAFF}cyber/bodies/<int:body_id>/contacts/": "a form naming a body's security contact (staff, not residents)",
    f"{STAFF}cyber/bodies/<int:body_id>/inventory/": "an upload form; importing is audited by its action",
    f"{STAFF}cyber/alerts/<int:alert_id>/acknowledge/": "a change (POST), audited by its action",
    f"{STAFF}cyber/alerts/<int:alert_id>/close/": "a change (POST), audited by its action",
    f"{STAFF}cyber/advisories/<int:advisory_id>/recipients/": "a form naming staff recipients; setting them is audited",
    f"{STAFF}cyber/advisories/new/": "a form to write a local advisory (member bodies by name); publishing is audited",
    f"{STAFF}cyber/export/": "counts of advisories per TLP label and a form; the download (POST) is audited as cyber.exported",
    f"{STAFF}cyber/recovery-codes/": "the person's own recovery codes, shown once; making them is audited",
    f"{STAFF}cyber/two-factor/recover/": "a form asking for a recovery code; each try is audited",
    f"{STAFF}procedures/": "the list of allowances and procedures",
    f"{STAFF}procedures/catalog/": "a change (POST) loading the catalog, audited by its action",
    f"{STAFF}procedures/import/": "upload forms and a dictionary's differences (no personal data); importing is audited",
    f"{STAFF}procedures/allowances/new/": "a form for a new allowance",
    f"{STAFF}procedures/allowances/<int:allowance_id>/": "an allowance's rules, runs and counts per status",
    f"{STAFF}procedures/allowances/<int:allowance_id>/payments/": "payment batches with counts and totals",
    f"{STAFF}procedures/data/": "upload forms; loading is audited by its action",
    f"{STAFF}procedures/assist/": "a form asking for the number on a notice",
    f"{STAFF}procedures/assist/apply/<slug:procedure_code>/": "an empty application form filled in with the resident",
    f"{STAFF}procedures/help/": "the directory of help points (public places)",
    f"{STAFF}procedures/help/new/": "a form for a new help point",
    f"{STAFF}procedures/help/<int:help_point_id>/": "a help point and its slots with counts, no booker",
    f"{STAFF}registry/import/": "an upload form; the import's outcome counts rows",
    f"{STAFF}opendata/": "the catalog of published data sets",
    f"{STAFF}opendata/tokens/": "the staff member's own API tokens",
    f"{STAFF}opendata/dataset/<str:name>/publish/": "a change (POST), audited by its action",
    f"{STAFF}opendata/dataset/<str:name>/unpublish/": "a change (POST), audited by its action",
    f"{STAFF}opendata/harvested/<str:name>/accept/": "a change (POST), audited by its action",
    f"{STAFF}opendata/dataset/<str:name>/period/": "a change (POST), audited by its action",
    f"{STAFF}opendata/uploads/<int:upload_id>/confirm/": "a change (POST), audited by its action",
    f"{STAFF}surveys/assist/": "a form asking for the login ID on a letter",
    f"{STAFF}surveys/<str:survey_id>/exports/": "the list of exports; downloading one is audited",
    f"{STAFF}surveys/": "the list of surveys with counts",
    f"{STAFF}surveys/new/": "a form for a new survey",
    f"{STAFF}surveys/<str:survey_id>/": "a survey's counts and its batches of letters; downloading one is audited",
    f"{STAFF}surveys/<str:survey_id>/reissue/": "a form; the letter it returns is audited by its action",
    f"{STAFF}surveys/<str:survey_id>/files/": "posts the questionnaire's choice files (audited by their action); no household",
    f"{STAFF}fieldwork/surveys/": "the list of surveys",
    f"{STAFF}fieldwork/surveys/<str:survey_id>/": "counts per area and enumerator, no household",
    f"{STAFF}evidence/": "the list of surveys",
    f"{STAFF}evidence/surveys/<int:survey_id>/": "weighted estimates and counts with disclosure control",
    f"{STAFF}evidence/surveys/<int:survey_id>/publish/": "a change (POST), audited by its action",
    f"{STAFF}evidence/surveys/<int:survey_id>/csv/<str:table>.csv": "the report's weighted estimates as CSV",
    f"{STAFF}talent/needs/new/": "a form for a new need",
    f"{STAFF}talent/organizations/": "organizations, not people",
    f"{STAFF}staff/": "staff accounts and their roles (audited as changes when granted or removed)",
    f"{STAFF}coverage/": "coverage per area and 250 m cell; reporter counts below 3 withheld",
    f"{STAFF}coverage/districts/": "coverage per district, no report",
    f"{STAFF}coverage/reports/new/": "a form for a report taken by phone",
    f"{STAFF}coverage/measurements/": "uploads of measurement logs and their counts",
    f"{STAFF}coverage/targets/": "the target table and a form for the town's own target",
    f"{STAFF}coverage/layers/": "carriers' coverage areas and the population they cover per district",
    f"{STAFF}coverage/census/": "census population totals per municipality (published statistics), no cell list",
    f"{STAFF}coverage/boundaries/": "imported municipal and district boundaries (public geography), no report",
    f"{STAFF}coverage/cells.csv": "cells with counts below 3 withheld",
    f"{STAFF}coverage/cells.geojson": "cells with counts below 3 withheld",
    f"{STAFF}coverage/challenges/": "confirmed dead 500 m cells and challenges, no report",
    f"{STAFF}coverage/challenges/<int:challenge_id>/": "a challenge's 500 m cells; household counts below 3 withheld",
    f"{STAFF}coverage/challenges/<int:challenge_id>/evidence.zip": "aggregates per 500 m cell, counts below 3 withheld",
    f"{STAFF}infosafety/report/": "a form for a report; taking it is audited by its action",
    f"{STAFF}infosafety/import/": "an upload form; importing posts is audited by its action",
    f"{STAFF}infosafety/claims/<int:claim_id>/<str:step>/": "a change (POST), audited by its action",
    f"{STAFF}infosafety/screening/": "a form and the list of files; a screening is audited by its action",
    f"{STAFF}infosafety/screening/upload/": "a change (POST), audited by its action",
    f"{STAFF}infosafety/signals/": "the signal set (words and weights), no person",
    f"{STAFF}infosafety/takedowns/new/": "a change (POST), audited by its action",
    f"{STAFF}infosafety/watch/<int:mode_id>/patterns/": "a change (POST) of the watch words, audited by its action",
    f"{STAFF}infosafety/takedowns/<int:report_id>/status/": "a change (POST), audited by its action",
    f"{STAFF}infosafety/takedowns/<int:report_id>/capture/": "a change (POST), audited by its action",
}


def _staff_routes() -> list[str]:
    return routes_where(lambda route: route.startswith(STAFF))


def test_every_staff_route_is_classified() -> None:
    unclassified = set(_staff_routes()) - SHOWS_PERSONAL_DATA.keys() - SHOWS_NONE.keys()
    assert not unclassified, f"decide whether these show personal data, and audit their reads: {unclassified}"


def test_the_classification_names_only_routes_that_exist() -> None:
    assert (SHOWS_PERSONAL_DATA.keys() | SHOWS_NONE.keys()) <= set(_staff_routes())


@pytest.mark.parametrize("role", list(Role))
def test_each_role_that_can_read_a_registry_page_leaves_an_audit_record(
    role: Role, town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    household = Household.objects.filter(municipality=town_a).first()
    assert household is not None
    user = make_staff(f"reader-{role}", town_a, role)
    client = login(user)
    for route in (f"{STAFF}registry/", f"{STAFF}registry/households/<int:household_id>/"):
        url = route.replace("<str:code>", town_a.code).replace("<int:household_id>", str(household.pk))
        before = AuditEvent.objects.filter(actor=user, action=SHOWS_PERSONAL_DATA[route]).count()
        status = client.get(url).status_code
        assert status in (200, 403), url
        after = AuditEvent.objects.filter(actor=user, action=SHOWS_PERSONAL_DATA[route]).count()
        assert after == before + (1 if status == 200 else 0), (role, url)
