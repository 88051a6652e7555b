"""Daily reminders without cron: the worker books one run, each run sends and books exactly the next one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from chiiki.fieldwork import tasks
from chiiki.fieldwork.models import ReminderSchedule
from chiiki.surveys.models import CaseEvent, Survey

# 2025-09-28 10:30 in Japan: day 8 of survey_a, after the reminder hour.
NOW = datetime(2025, 9, 28, 1, 30, tzinfo=UTC)


def _pending() -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(
            task_path=tasks.send_due_reminders.module_path, status=TaskResultStatus.READY
        )
    )


@pytest.fixture
def frozen_now(monkeypatch: pytest.MonkeyPatch) -> datetime:
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


@pytest.mark.django_db
def test_starting_the_schedule_twice_leaves_one_pending_run(frozen_now: datetime) -> None:
    first = tasks.start_reminder_schedule()
    second = tasks.start_reminder_schedule()
    assert first is not None
    assert second is None
    assert len(_pending()) == 1


@pytest.mark.django_db
def test_the_worker_command_books_the_daily_run_once(
    frozen_now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[tuple[Any, ...]] = []
    monkeypatch.setattr("chiiki.core.management.commands.worker.call_command", lambda *args: ran.append(args))
    call_command("worker", "--batch")
    call_command("worker", "--batch")
    assert len(ran) == 2
    assert ran[0][0] == "db_worker"
    assert len(_pending()) == 1


@pytest.mark.django_db
def test_a_run_sends_due_reminders_and_books_tomorrow_at_the_hour(
    survey_a: Survey, frozen_now: datetime, settings: Any
) -> None:
    settings.CHIIKI_REMINDER_HOUR = 9
    ReminderSchedule.objects.create(survey=survey_a, days_after_opening=[7])
    sent = tasks.send_due_reminders.call()
    assert sent == survey_a.cases.count() > 0
    assert CaseEvent.objects.filter(kind="reminder_sent").count() == sent
    pending = _pending()
    assert len(pending) == 1
    run_after = timezone.localtime(pending[0].run_after)
    assert (run_after.date().isoformat(), run_after.hour, run_after.minute) == ("2025-09-29", 9, 0)
    # A second run the same day sends nothing again and still leaves one pending run.
    assert tasks.send_due_reminders.call() == 0
    assert len(_pending()) == 1


def test_the_next_run_is_later_today_when_the_hour_has_not_come(settings: Any) -> None:
    settings.CHIIKI_REMINDER_HOUR = 10
    early = datetime(2025, 9, 28, 0, 15, tzinfo=UTC)  # 09:15 in Japan
    booked = timezone.localtime(tasks.next_reminder_run(early))
    assert (booked.day, booked.hour) == (28, 10)
    exactly = timezone.localtime(tasks.next_reminder_run(datetime(2025, 9, 28, 1, 0, tzinfo=UTC)))
    assert (exactly.day, exactly.hour) == (29, 10)


def test_a_reminder_hour_outside_the_day_is_refused(settings: Any) -> None:
    settings.CHIIKI_REMINDER_HOUR = 24
    with pytest.raises(ValueError, match="CHIIKI_REMINDER_HOUR"):
        tasks.next_reminder_run(NOW)
