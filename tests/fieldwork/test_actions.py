"""Follow-up lists, visit outcomes and reminders on the test database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from tests.fieldwork.conftest import answer

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.fieldwork import actions
from chiiki.fieldwork.models import FollowUpArea, FollowUpAssignment
from chiiki.surveys import actions as survey_actions
from chiiki.surveys.contact.notifier import Recipient
from chiiki.surveys.models import CaseEvent, NotificationOutbox, Survey, SurveyCase, VisitOutcome

DAY = date(2025, 10, 6)


def _enumerators(
    make_staff: Callable[..., User], town: Municipality, count: int, prefix: str = "e"
) -> list[User]:
    return [make_staff(f"{prefix}{i}", town, Role.ENUMERATOR) for i in range(count)]


def test_the_follow_up_list_holds_exactly_the_households_without_an_answer(
    survey_a: Survey, make_staff: Callable[..., User]
) -> None:
    _enumerators(make_staff, survey_a.municipality, 2)
    cases = list(survey_a.cases.order_by("id"))
    for case in cases[::3]:
        answer(case)
    summary = actions.build_follow_up(survey_a, by=Actor.system("test"), today=DAY)
    listed = set(FollowUpAssignment.objects.values_list("case_id", flat=True))
    expected = {c.pk for i, c in enumerate(cases) if i % 3}
    assert listed == expected
    assert summary.non_responders == len(expected)
    assert AuditEvent.objects.filter(action="fieldwork.follow_up_build", object_id=str(survey_a.pk)).exists()


def test_an_answer_submitted_but_not_yet_reflected_in_the_status_counts_as_answered(
    survey_a: Survey, make_staff: Callable[..., User]
) -> None:
    _enumerators(make_staff, survey_a.municipality, 1)
    case = survey_a.cases.first()
    assert case is not None
    answer(case)
    SurveyCase.objects.filter(pk=case.pk).update(status=SurveyCase.Status.STARTED)
    actions.build_follow_up(survey_a, by=Actor.system("test"), today=DAY)
    assert not FollowUpAssignment.objects.filter(case=case).exists()


def test_households_are_shared_evenly_among_the_towns_enumerators_only(
    survey_a: Survey, town_b: Municipality, make_staff: Callable[..., User]
) -> None:
    staff = _enumerators(make_staff, survey_a.municipality, 3)
    make_staff("b-enum", town_b, Role.ENUMERATOR)
    make_staff("a-manager", survey_a.municipality, Role.SURVEY_MANAGER)
    actions.build_follow_up(survey_a, by=Actor.system("test"), today=DAY)
    loads = {area.enumerator_id: area.assignments.count() for area in FollowUpArea.objects.all()}
    assert set(loads) == {u.pk for u in staff}
    assert max(loads.values()) - min(loads.values()) <= -(-survey_a.cases.count() // 3)
    assert sum(loads.values()) == survey_a.cases.count()


def test_the_list_is_not_built_before_the_follow_up_date_or_twice(
    survey_a: Survey, make_staff: Callable[..., User]
) -> None:
    _enumerators(make_staff, survey_a.municipality, 1)
    with pytest.raises(actions.FieldworkError, match="訪問開始日"):
        actions.build_follow_up(survey_a, by=Actor.system("test"), today=date(2025, 10, 4))
    actions.build_follow_up(survey_a, by=Actor.system("test"), today=DAY)
    with pytest.raises(actions.FieldworkError, match="--rebuild"):
        actions.build_follow_up(survey_a, by=Actor.system("test"), today=DAY)
    answer(survey_a.cases.order_by("id")[0])
    visited = FollowUpAssignment.objects.order_by("-id").first()
    assert visited is not None
    enumerator = visited.area.enumerator
    actions.record_visit(visited, VisitOutcome.VACANT, by=Actor.for_user(enumerator))
    summary = actions.build_follow_up(survey_a, by=Actor.system("test"), today=DAY, rebuild=True)
    assert FollowUpAssignment.objects.count() == summary.non_responders == survey_a.cases.count() - 1
    again = FollowUpAssignment.objects.get(case_id=visited.case_id)
    assert (again.outcome, again.visits) == ("vacant", 1)  # the rebuilt list keeps what was found


def test_without_enumerators_the_build_says_so(survey_a: Survey) -> None:
    with pytest.raises(actions.FieldworkError, match="統計調査員"):
        actions.build_follow_up(survey_a, by=Actor.system("test"), today=DAY)


def test_only_survey_managers_build_lists(survey_a: Survey, make_staff: Callable[..., User]) -> None:
    enumerator = _enumerators(make_staff, survey_a.municipality, 1)[0]
    with pytest.raises(PermissionDenied):
        actions.build_follow_up(survey_a, by=Actor.for_user(enumerator), today=DAY)


def test_a_visit_is_recorded_only_by_the_assigned_enumerator(
    survey_a: Survey, make_staff: Callable[..., User]
) -> None:
    first, second = _enumerators(make_staff, survey_a.municipality, 2)
    actions.build_follow_up(survey_a, by=Actor.system("test"), today=DAY)
    mine = FollowUpAssignment.objects.filter(area__enumerator=first).first()
    assert mine is not None
    with pytest.raises(PermissionDenied):
        actions.record_visit(mine, VisitOutcome.ABSENT, by=Actor.for_user(second))
    event = actions.record_visit(mine, VisitOutcome.REFUSED, by=Actor.for_user(first), note="玄関で断られた")
    mine.refresh_from_db()
    assert (mine.outcome, mine.visits, mine.is_settled) == ("refused", 1, True)
    assert (event.kind, event.outcome, event.by_id) == ("visit", "refused", first.pk)
    assert AuditEvent.objects.filter(action="fieldwork.visit_record", object_id=str(mine.case_id)).exists()
    with pytest.raises(actions.FieldworkError):
        actions.record_visit(mine, "gone fishing", by=Actor.for_user(first))


# --- reminders -------------------------------------------------------------------------------------------------


def test_reminders_go_only_to_households_that_have_not_answered_and_once_per_round(
    survey_a: Survey, make_staff: Callable[..., User]
) -> None:
    cases = list(survey_a.cases.order_by("id"))
    answer(cases[0])
    answer(cases[1])
    SurveyCase.objects.filter(pk=cases[2].pk).update(status=SurveyCase.Status.SAMPLED, access_key_hash="")
    actions.set_reminder_schedule(survey_a, [7, 14], by=Actor.system("test"))
    early = actions.send_reminders(survey_a, by=Actor.system("test"), today=date(2025, 9, 26))
    assert (early.round, early.sent) == (None, 0)

    first = actions.send_reminders(survey_a, by=Actor.system("test"), today=date(2025, 9, 27))
    reminded = set(
        CaseEvent.objects.filter(kind="reminder_sent", detail__round=1).values_list("case_id", flat=True)
    )
    assert first.round == 1
    assert reminded == {c.pk for c in cases[3:]}
    assert first.sent == len(cases) - 3
    assert first.channel == "outbox"  # no household has an electronic contact

    again = actions.send_reminders(survey_a, by=Actor.system("test"), today=date(2025, 9, 28))
    assert (again.round, again.sent) == (1, 0)

    answer(cases[3])
    second = actions.send_reminders(survey_a, by=Actor.system("test"), today=date(2025, 10, 4))
    assert (second.round, second.sent) == (2, len(cases) - 4)
    assert AuditEvent.objects.filter(action="fieldwork.reminders_send").count() == 3  # runs with a due round


def test_households_that_refused_are_not_reminded(survey_a: Survey, make_staff: Callable[..., User]) -> None:
    enumerator = _enumerators(make_staff, survey_a.municipality, 1)[0]
    actions.build_follow_up(survey_a, by=Actor.system("test"), today=DAY)
    refused = FollowUpAssignment.objects.order_by("id").first()
    assert refused is not None
    actions.record_visit(refused, VisitOutcome.REFUSED, by=Actor.for_user(enumerator))
    actions.set_reminder_schedule(survey_a, [10], by=Actor.system("test"))
    sent: list[int] = []

    def sender(survey: Survey, cases: list[SurveyCase], round_number: int, by: Actor) -> dict[int, str]:
        sent.extend(case.pk for case in cases)
        return {case.pk: "email" for case in cases}

    result = actions.send_reminders(survey_a, by=Actor.system("test"), today=DAY, sender=sender)
    assert result.channel == "email"
    assert refused.case_id not in sent
    assert len(sent) == survey_a.cases.count() - 1


def test_no_schedule_means_no_reminders(survey_a: Survey) -> None:
    result = actions.send_reminders(survey_a, by=Actor.system("test"), today=DAY)
    assert result.sent == 0
    assert "予定" in result.reason


def test_reminder_days_are_parsed_plainly() -> None:
    assert actions.parse_days("14, 7、7,,21") == [7, 14, 21]
    with pytest.raises(actions.FieldworkError, match="1〜365"):
        actions.parse_days("7, x")
    with pytest.raises(actions.FieldworkError):
        actions.parse_days("0")


def test_reminders_go_through_the_notifier_the_way_the_request_went(survey_a: Survey) -> None:
    cases = list(survey_a.cases.order_by("id"))
    survey_actions.queue_notifications(
        survey_a,
        [Recipient(case=cases[0], channel="email", to="tanaka@example.jp")],
        by=Actor.system("test"),
    )
    actions.set_reminder_schedule(survey_a, [7], by=Actor.system("test"))
    result = actions.send_reminders(survey_a, by=Actor.system("test"), today=date(2025, 9, 28))
    assert result.sent == len(cases)
    reminder = NotificationOutbox.objects.get(kind="reminder")
    assert (reminder.case_id, reminder.channel, reminder.recipient) == (
        cases[0].pk,
        "email",
        "tanaka@example.jp",
    )
    channels = dict(CaseEvent.objects.filter(kind="reminder_sent").values_list("case_id", "channel"))
    assert channels[cases[0].pk] == "email"
    assert {channels[c.pk] for c in cases[1:]} == {"outbox"}  # no electronic contact: the postal reminder
