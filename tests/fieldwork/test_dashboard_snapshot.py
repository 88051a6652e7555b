"""Large surveys: the dashboard shows the worker's last aggregation, asks for one when it is old, never two."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.fieldwork.conftest import answer

from chiiki.core.acting import Actor
from chiiki.core.models import Role, User
from chiiki.fieldwork import actions, queries
from chiiki.fieldwork.models import DashboardSnapshot
from chiiki.surveys.models import Survey

DB_BACKEND = {
    "default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend", "QUEUES": ["default", "long"]}
}
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _url(survey: Survey) -> str:
    return f"/staff/m/{survey.municipality.code}/fieldwork/surveys/{survey.pk}/dashboard/"


@pytest.fixture
def large(settings: Any) -> None:
    """Any survey of more than two cases counts as large here."""
    settings.CHIIKI_DASHBOARD_LIVE_CASES = 2


@pytest.fixture
def manager(survey_a: Survey, make_staff: Callable[..., User], login: Callable[[User], Client]) -> Client:
    return login(make_staff("a-manager", survey_a.municipality, Role.SURVEY_MANAGER))


def test_a_small_survey_is_aggregated_on_each_view_and_stores_nothing(
    survey_a: Survey, manager: Client
) -> None:
    assert queries.dashboard_is_live(survey_a)
    assert manager.get(_url(survey_a)).status_code == 200
    assert not DashboardSnapshot.objects.exists()


def test_the_stored_figures_are_the_live_ones(survey_a: Survey) -> None:
    case = survey_a.cases.order_by("id").first()
    assert case is not None
    answer(case, mode="web", at=timezone.now())
    live = queries.dashboard(survey_a)
    snapshot = actions.refresh_dashboard(survey_a, by=Actor.system("test"))
    assert snapshot.data is not None
    assert queries.dashboard_from_data(survey_a, snapshot.data) == live


@pytest.mark.usefixtures("large")
def test_a_large_survey_asks_the_worker_once_and_shows_a_wait_page(
    survey_a: Survey, manager: Client, settings: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DB_BACKEND
    assert not queries.dashboard_is_live(survey_a)
    first = manager.get(_url(survey_a))
    assert first.status_code == 200
    assert "裏側で集計しています" in first.content.decode()
    second = manager.get(_url(survey_a))
    assert "裏側で集計しています" in second.content.decode()
    queued = DBTaskResult.objects.filter(task_path__endswith="refresh_dashboard_snapshot")
    assert queued.count() == 1, "two views queued two aggregations"
    assert queued.get().queue_name == "long"


@pytest.mark.usefixtures("large")
def test_a_large_survey_shows_the_snapshot_with_its_time(
    survey_a: Survey, manager: Client, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = IMMEDIATE  # the worker's job runs once the request's transaction commits
    case = survey_a.cases.order_by("id").first()
    assert case is not None
    answer(case, mode="web", at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert "裏側で集計しています" in manager.get(_url(survey_a)).content.decode()
    page = manager.get(_url(survey_a)).content.decode()
    assert "に集計したものです" in page
    assert f"対象 {survey_a.cases.count()} 世帯のうち 1 世帯が回答済み" in page
    snapshot = DashboardSnapshot.objects.get(survey=survey_a)
    assert snapshot.requested_at is None
    assert snapshot.computed_at is not None

    # A second answer is not seen until the snapshot is old or staff ask for a new one.
    other = survey_a.cases.order_by("id")[1]
    answer(other, mode="web", at=timezone.now())
    assert "1 世帯が回答済み" in manager.get(_url(survey_a)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        refreshed = manager.post(_url(survey_a))
    assert refreshed.status_code == 302
    assert "2 世帯が回答済み" in manager.get(_url(survey_a)).content.decode()


@pytest.mark.usefixtures("large")
def test_an_old_snapshot_is_replaced_and_a_lost_request_is_asked_again(
    survey_a: Survey, manager: Client, settings: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DB_BACKEND
    snapshot = actions.refresh_dashboard(survey_a, by=Actor.system("test"))
    page = manager.get(_url(survey_a)).content.decode()
    assert "に集計したものです" in page
    assert "新しい集計を準備しています" not in page
    assert not DBTaskResult.objects.exists()

    old = timezone.now() - timedelta(seconds=settings.CHIIKI_DASHBOARD_MAX_AGE_SECONDS + 1)
    DashboardSnapshot.objects.filter(pk=snapshot.pk).update(computed_at=old)
    page = manager.get(_url(survey_a)).content.decode()
    assert "新しい集計を準備しています" in page
    assert DBTaskResult.objects.count() == 1
    manager.get(_url(survey_a))
    assert DBTaskResult.objects.count() == 1

    # The worker died with the request: after twice the allowed age it is asked for again.
    lost = timezone.now() - timedelta(seconds=2 * settings.CHIIKI_DASHBOARD_MAX_AGE_SECONDS + 1)
    DashboardSnapshot.objects.filter(pk=snapshot.pk).update(requested_at=lost)
    manager.get(_url(survey_a))
    assert DBTaskResult.objects.count() == 2


@pytest.mark.usefixtures("large")
def test_the_worker_task_aggregates_the_survey(survey_a: Survey) -> None:
    from chiiki.fieldwork.tasks import refresh_dashboard_snapshot

    seconds = refresh_dashboard_snapshot.call(survey_a.pk)
    assert seconds is not None
    assert seconds >= 0
    assert DashboardSnapshot.objects.get(survey=survey_a).data["total"]["cases"] == survey_a.cases.count()
    assert refresh_dashboard_snapshot.call(10**9) is None
