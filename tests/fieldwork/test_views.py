"""Fieldwork pages: enumerators see only their own households; managers see the dashboard; all audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from tests.fieldwork.conftest import answer

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.fieldwork import actions, queries, views
from chiiki.fieldwork.models import FollowUpAssignment
from chiiki.registry.models import Person
from chiiki.surveys.models import CaseEvent, Survey

DAY = date(2025, 10, 6)


def _head_name(assignment: FollowUpAssignment) -> str:
    person = Person.objects.filter(household_id=assignment.case.household_id).order_by("id").first()
    assert person is not None
    return f"{person.family_name} {person.given_name}"


def test_an_enumerator_sees_only_the_households_assigned_to_them(
    survey_a: Survey, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    town = survey_a.municipality
    first = make_staff("e1", town, Role.ENUMERATOR)
    make_staff("e2", town, Role.ENUMERATOR)
    actions.build_follow_up(survey_a, by=Actor.system("test"), today=DAY)
    page = login(first).get(f"/staff/m/{town.code}/fieldwork/")
    assert page.status_code == 200
    html = page.content.decode()
    mine = FollowUpAssignment.objects.filter(area__enumerator=first).select_related("case__household")
    others = FollowUpAssignment.objects.exclude(area__enumerator=first).select_related("case__household")
    assert mine.exists()
    assert others.exists()
    for assignment in mine:
        assert assignment.case.household.address in html
        # The visit link comes before the address: on a phone the last column is off screen.
        row = html.split(f'id="assignment-{assignment.pk}"', 1)[1].split("</tr>", 1)[0]
        assert row.index("/visit/") < row.index(f">{assignment.case.household.address}</span>")
    for assignment in others:
        assert f'id="assignment-{assignment.pk}"' not in html
        assert assignment.case.household.address not in html
    viewed = AuditEvent.objects.get(action="fieldwork.assignments_viewed", actor=first)
    assert sorted(viewed.detail["cases"]) == sorted(a.case_id for a in mine)


def test_an_enumerator_cannot_open_another_enumerators_household(
    survey_a: Survey, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    town = survey_a.municipality
    first = make_staff("e1", town, Role.ENUMERATOR)
    make_staff("e2", town, Role.ENUMERATOR)
    actions.build_follow_up(survey_a, by=Actor.system("test"), today=DAY)
    other = FollowUpAssignment.objects.exclude(area__enumerator=first).first()
    assert other is not None
    client = login(first)
    url = f"/staff/m/{town.code}/fieldwork/assignments/{other.pk}/visit/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"outcome": "absent"}).status_code == 404
    assert not CaseEvent.objects.filter(kind="visit").exists()


def test_an_enumerator_records_a_visit_on_their_household(
    survey_a: Survey, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    town = survey_a.municipality
    enumerator = make_staff("e1", town, Role.ENUMERATOR)
    actions.build_follow_up(survey_a, by=Actor.system("test"), today=DAY)
    mine = FollowUpAssignment.objects.select_related("case__household").first()
    assert mine is not None
    client = login(enumerator)
    url = f"/staff/m/{town.code}/fieldwork/assignments/{mine.pk}/visit/"
    form = client.get(url)
    assert form.status_code == 200
    assert _head_name(mine) in form.content.decode()
    # The same questionnaire, answered with the household in enumerator mode (the surveys app's pages).
    assert f'href="/staff/m/{town.code}/surveys/enumerate/{mine.case_id}/"' in form.content.decode()
    assert AuditEvent.objects.filter(
        action="fieldwork.assignment_viewed", object_id=str(mine.case_id)
    ).exists()
    invalid = client.post(url, {"outcome": "teleported"})
    assert invalid.status_code == 200
    assert 'role="alert"' in invalid.content.decode()
    done = client.post(url, {"outcome": "absent", "note": "夕方に再訪"})
    assert done.status_code == 302
    mine.refresh_from_db()
    assert (mine.outcome, mine.visits) == ("absent", 1)
    event = CaseEvent.objects.get(kind="visit")
    assert event.detail == {"note": "夕方に再訪"}
    assert event.by_id == enumerator.pk


def test_town_b_enumerators_and_other_roles_cannot_see_town_a_lists(
    survey_a: Survey,
    town_b: Municipality,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    town = survey_a.municipality
    make_staff("e1", town, Role.ENUMERATOR)
    actions.build_follow_up(survey_a, by=Actor.system("test"), today=DAY)
    assignment = FollowUpAssignment.objects.first()
    assert assignment is not None
    outsider = login(make_staff("b-enum", town_b, Role.ENUMERATOR))
    assert outsider.get(f"/staff/m/{town.code}/fieldwork/").status_code == 403
    visit_url = f"/staff/m/{town.code}/fieldwork/assignments/{assignment.pk}/visit/"
    assert outsider.get(visit_url).status_code == 403
    # Through the own town's URL the other town's assignment does not exist.
    assert (
        outsider.get(f"/staff/m/{town_b.code}/fieldwork/assignments/{assignment.pk}/visit/").status_code
        == 404
    )
    # A survey manager of town A sees the dashboard, not the enumerators' lists of names.
    manager = login(make_staff("a-manager", town, Role.SURVEY_MANAGER))
    assert manager.get(f"/staff/m/{town.code}/fieldwork/").status_code == 403
    assert manager.get(f"/staff/m/{town.code}/fieldwork/surveys/{survey_a.pk}/dashboard/").status_code == 200
    b_manager = login(make_staff("b-manager", town_b, Role.SURVEY_MANAGER))
    assert (
        b_manager.get(f"/staff/m/{town.code}/fieldwork/surveys/{survey_a.pk}/dashboard/").status_code == 403
    )
    assert (
        b_manager.get(f"/staff/m/{town_b.code}/fieldwork/surveys/{survey_a.pk}/dashboard/").status_code == 404
    )
    enumerator_b = login(make_staff("a-enum2", town, Role.ENUMERATOR))
    assert (
        enumerator_b.get(f"/staff/m/{town.code}/fieldwork/surveys/{survey_a.pk}/dashboard/").status_code
        == 403
    )


def test_a_manager_sets_the_schedule_and_builds_lists_on_the_page(
    survey_a: Survey, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    town = survey_a.municipality
    make_staff("e1", town, Role.ENUMERATOR)
    client = login(make_staff("a-manager", town, Role.SURVEY_MANAGER))
    url = f"/staff/m/{town.code}/fieldwork/surveys/{survey_a.pk}/"
    survey_list = client.get(f"/staff/m/{town.code}/fieldwork/surveys/")
    assert survey_list.status_code == 200
    exports_url = f"/staff/m/{town.code}/surveys/{survey_a.pk}/exports/"
    assert exports_url in survey_list.content.decode()  # the export page is reachable from the menu
    assert client.get(exports_url).status_code == 200
    bad = client.post(url, {"action": "schedule", "days": "7, soon"})
    assert bad.status_code == 200
    assert "1〜365" in bad.content.decode()
    assert client.post(url, {"action": "schedule", "days": "14,7"}).status_code == 302
    assert survey_a.reminder_schedule.days_after_opening == [7, 14]
    assert client.post(url, {"action": "build"}).status_code == 302  # the follow-up date (2025) has passed
    assert FollowUpAssignment.objects.count() == survey_a.cases.count()
    page = client.get(url)
    assert "e1" in page.content.decode()
    assert client.post(url, {"action": "remind"}).status_code == 302
    assert CaseEvent.objects.filter(kind="reminder_sent").count() == survey_a.cases.count()


def test_a_household_that_answers_leaves_the_enumerators_list(
    survey_a: Survey, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    town = survey_a.municipality
    enumerator = make_staff("e1", town, Role.ENUMERATOR)
    actions.build_follow_up(survey_a, by=Actor.system("test"), today=DAY)
    done = FollowUpAssignment.objects.select_related("case__household").order_by("id").first()
    assert done is not None
    answer(done.case)
    client = login(enumerator)
    html = client.get(f"/staff/m/{town.code}/fieldwork/").content.decode()
    assert f'id="assignment-{done.pk}"' not in html
    assert client.get(f"/staff/m/{town.code}/fieldwork/assignments/{done.pk}/visit/").status_code == 404


def test_malformed_ids_in_urls_are_not_found(
    survey_a: Survey, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    town = survey_a.municipality
    manager = login(make_staff("a-manager", town, Role.SURVEY_MANAGER))
    assert manager.get(f"/staff/m/{town.code}/fieldwork/surveys/1x/dashboard/").status_code == 404
    assert manager.get(f"/staff/m/{town.code}/fieldwork/surveys/１/").status_code == 404
    enumerator = login(make_staff("e1", town, Role.ENUMERATOR))
    assert enumerator.get(f"/staff/m/{town.code}/fieldwork/assignments/-1/visit/").status_code == 404


def test_a_long_list_comes_a_page_at_a_time_in_visiting_order_and_the_audit_names_that_page(
    survey_a: Survey,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(views, "ASSIGNMENTS_PER_PAGE", 2)
    town = survey_a.municipality
    only = make_staff("e1", town, Role.ENUMERATOR)
    actions.build_follow_up(survey_a, by=Actor.system("test"), today=DAY)
    ordered = list(queries.assignments_of(town, only))
    assert len(ordered) > 2
    client = login(only)
    first = client.get(f"/staff/m/{town.code}/fieldwork/").content.decode()
    # Keyset pagination: "next" names the last household shown (no OFFSET).
    assert f"?after={ordered[1].pk}" in first
    second = client.get(f"/staff/m/{town.code}/fieldwork/?after={ordered[1].pk}").content.decode()
    for html, expected in ((first, ordered[:2]), (second, ordered[2:4])):
        shown = [a for a in ordered if f'id="assignment-{a.pk}"' in html]
        assert shown == expected
    assert f"全 {len(ordered)} 世帯" in first
    views_audited = AuditEvent.objects.filter(action="fieldwork.assignments_viewed", actor=only).order_by(
        "id"
    )
    assert [sorted(e.detail["cases"]) for e in views_audited] == [
        sorted(a.case_id for a in ordered[:2]),
        sorted(a.case_id for a in ordered[2:4]),
    ]
    # An id that names nothing of this enumerator's starts from the top rather than failing.
    assert (
        f'id="assignment-{ordered[0].pk}"'
        in client.get(f"/staff/m/{town.code}/fieldwork/?after=999999").content.decode()
    )
