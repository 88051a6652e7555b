"""Dashboard figures on a small known dataset, and the page that shows them without JavaScript."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime

from django.test import Client
from tests.fieldwork.conftest import answer

from chiiki.core.acting import Actor
from chiiki.core.models import Role, User
from chiiki.fieldwork import actions, queries
from chiiki.fieldwork.models import FollowUpAssignment
from chiiki.registry.models import Person
from chiiki.surveys.actions import record_case_event
from chiiki.surveys.models import Survey, SurveyCase, VisitOutcome

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Mobile/15E148 Safari/604.1"
RESPONDENT_ON_PHONE = Actor(label="respondent", user_agent=PHONE)
TODAY = date(2025, 10, 7)


def _answer(case: SurveyCase, mode: str, at: datetime, by: User | None = None) -> None:
    answer(case, mode=mode, at=at, by=by)
    record_case_event(case, "submitted", at=at, mode=mode, by=Actor.for_user(by))


def _known_dataset(survey: Survey, make_staff: Callable[..., User]) -> dict[str, object]:
    cases = list(survey.cases.select_related("household__district").order_by("id"))
    heads = Person.objects.filter(relationship="世帯主", household__survey_cases__survey=survey)
    heads.update(birth_date=date(1970, 4, 1))  # 55 on the reference date: 40-64
    Person.objects.filter(relationship="世帯主", household=cases[0].household).update(
        birth_date=date(1950, 1, 1)
    )
    Person.objects.filter(relationship="世帯主", household=cases[1].household).update(
        birth_date=date(1990, 1, 1)
    )
    supporter = make_staff("helper", survey.municipality, Role.HELPDESK)
    _answer(cases[0], "web", datetime(2025, 9, 21, 1, tzinfo=UTC))  # 21st in Japan
    _answer(cases[1], "assisted", datetime(2025, 9, 21, 20, tzinfo=UTC), by=supporter)  # 22nd 05:00 in Japan
    _answer(cases[2], "web", datetime(2025, 9, 25, 3, tzinfo=UTC))
    first = make_staff("e1", survey.municipality, Role.ENUMERATOR)
    second = make_staff("e2", survey.municipality, Role.ENUMERATOR)
    actions.build_follow_up(survey, by=Actor.system("test"), today=date(2025, 10, 5))
    e1_items = list(FollowUpAssignment.objects.filter(area__enumerator=first).order_by("position"))
    actions.record_visit(e1_items[0], VisitOutcome.REFUSED, by=Actor.for_user(first))
    actions.record_visit(e1_items[1], VisitOutcome.ABSENT, by=Actor.for_user(first))
    _answer(e1_items[2].case, "enumerator", datetime(2025, 10, 6, 16, tzinfo=UTC), by=first)  # 7th in Japan
    record_case_event(cases[5], "login", at=datetime(2025, 10, 6, 16, 30, tzinfo=UTC), by=RESPONDENT_ON_PHONE)
    the_6th = datetime(2025, 10, 6, 14, tzinfo=UTC)  # 23:00 in Japan: not today
    record_case_event(cases[5], "login", at=the_6th, by=RESPONDENT_ON_PHONE)
    for seconds in (10, 50, 30):
        record_case_event(cases[5], "page_view", page="household", seconds=seconds, by=RESPONDENT_ON_PHONE)
    return {
        "cases": cases,
        "answered": [cases[0], cases[1], cases[2], e1_items[2].case],
        "e1": (first, len(e1_items)),
        "e2": (second, FollowUpAssignment.objects.filter(area__enumerator=second).count()),
    }


def test_the_dashboard_counts_a_known_dataset(survey_a: Survey, make_staff: Callable[..., User]) -> None:
    data = _known_dataset(survey_a, make_staff)
    cases: list[SurveyCase] = data["cases"]  # type: ignore[assignment]
    answered: list[SurveyCase] = data["answered"]  # type: ignore[assignment]
    n = len(cases)
    board = queries.dashboard(survey_a, today=TODAY)

    assert (board.total.cases, board.total.answered) == (n, 4)
    days = {row.day: row for row in board.by_day}
    assert min(days) == date(2025, 9, 20)
    assert max(days) == TODAY
    assert [days[date(2025, 9, d)].answered_that_day for d in (20, 21, 22, 23, 24, 25)] == [0, 1, 1, 0, 0, 1]
    assert days[date(2025, 9, 25)].answered_so_far == 3
    assert days[TODAY].answered_so_far == 4
    assert days[TODAY].rate == round(400 / n, 1)

    expected_cases = Counter(c.household.district.name for c in cases)
    expected_answered = Counter(c.household.district.name for c in answered)
    assert {row.label: (row.cases, row.answered) for row in board.by_district} == {
        name: (count, expected_answered[name]) for name, count in expected_cases.items()
    }

    assert {mode: count for mode, count, _rate in board.by_mode} == {"web": 2, "assisted": 1, "enumerator": 1}
    assert {row.label: (row.cases, row.answered) for row in board.by_age} == {
        "75+": (1, 1),
        "-39": (1, 1),
        "40-64": (n - 2, 2),
    }

    _first, first_load = data["e1"]  # type: ignore[misc]
    _second, second_load = data["e2"]  # type: ignore[misc]
    workload = {row.enumerator: row for row in board.workload}
    assert (workload["e1"].assigned, workload["e1"].visited, workload["e1"].settled) == (first_load, 2, 1)
    assert (workload["e1"].answered, workload["e1"].outstanding) == (1, first_load - 2)
    assert (workload["e2"].assigned, workload["e2"].outstanding) == (second_load, second_load)
    assert first_load + second_load == n - 3

    assert board.today_figures == {
        "answered": 1,
        "letter_sent": 0,
        "login": 1,
        "reminder_sent": 0,
        "visit": 0,
    }
    assert board.devices == [("mobile", 2)]
    assert [(p.page, p.views, p.median_seconds) for p in board.page_times] == [("household", 3, 30.0)]


def test_the_dashboard_page_has_tables_and_svg_charts_with_text_and_no_script(
    survey_a: Survey, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    _known_dataset(survey_a, make_staff)
    client = login(make_staff("a-manager", survey_a.municipality, Role.SURVEY_MANAGER))
    page = client.get(f"/staff/m/{survey_a.municipality.code}/fieldwork/surveys/{survey_a.pk}/dashboard/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<script" not in html
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" role="img"') == 5
    assert 'aria-labelledby="chart-district-title chart-district-desc"' in html
    assert '<desc id="chart-mode-desc">' in html
    assert re.search(r"<caption[ >]", html)
    assert "調査員による回答" in html
