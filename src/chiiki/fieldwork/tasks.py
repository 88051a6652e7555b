"""Background work of fieldwork, run by `chiiki worker`.

Reminders go out daily without cron: ``send_due_reminders`` re-enqueues itself for the next day at
``CHIIKI_REMINDER_HOUR`` (Japan time) with django-tasks' ``run_after``, and ``chiiki worker`` starts the chain
with :func:`start_reminder_schedule`. At most one run is ever pending, checked on the task queue itself.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from chiiki.core.acting import Actor
from chiiki.fieldwork.actions import refresh_dashboard, send_reminders
from chiiki.fieldwork.models import ReminderSchedule
from chiiki.fieldwork.queries import open_schedules
from chiiki.surveys.models import Survey

ACTOR = "task fieldwork.send_due_reminders"


@task()
def send_survey_reminders(survey_id: int) -> int:
    """Send the reminders due today for one survey; returns how many were sent."""
    schedule = ReminderSchedule.objects.select_related("survey").filter(survey_id=survey_id).first()
    if schedule is None:
        return 0
    return send_reminders(schedule.survey, by=Actor.system(ACTOR)).sent


@task()
def send_due_reminders() -> int:
    """Send the reminders due today for every open survey with a schedule, then book tomorrow's run."""
    # Book the next run first: a failure while sending must not break the daily chain.
    schedule_next_reminders()
    sent = 0
    for schedule in open_schedules():
        sent += send_reminders(schedule.survey, by=Actor.system(ACTOR)).sent
    return sent


def reminder_hour() -> int:
    """The hour (0-23, Japan time) the daily reminders go out: CHIIKI_REMINDER_HOUR, 10 by default."""
    hour = int(getattr(settings, "CHIIKI_REMINDER_HOUR", 10))
    if not 0 <= hour <= 23:
        raise ValueError(f"CHIIKI_REMINDER_HOUR は 0〜23 にしてください (got {hour})")
    return hour


def next_reminder_run(now: datetime) -> datetime:
    """The next moment strictly after ``now`` at the reminder hour in local (Japan) time."""
    local = timezone.localtime(now)
    candidate = local.replace(hour=reminder_hour(), minute=0, second=0, microsecond=0)
    if candidate <= local:
        candidate += timedelta(days=1)
    return candidate


def pending_reminder_runs() -> int:
    """How many runs of ``send_due_reminders`` wait in the database queue."""
    return DBTaskResult.objects.filter(
        task_path=send_due_reminders.module_path, status=TaskResultStatus.READY
    ).count()


def schedule_next_reminders(now: datetime | None = None) -> datetime | None:
    """Enqueue one run of ``send_due_reminders`` at the next reminder hour, unless one is already pending.

    Returns the time booked, or None when a run was already waiting or the task backend cannot defer
    (e.g. the immediate backend), so calling it any number of times leaves one pending run.
    """
    backend = send_due_reminders.get_backend()
    if not backend.supports_defer:
        return None
    when = next_reminder_run(now or timezone.now())
    # Two workers starting in the same instant could both enqueue; that heals itself: the first copy to run
    # sees the other still pending and books nothing, and send_reminders never sends a round twice.
    if pending_reminder_runs():
        return None
    send_due_reminders.using(run_after=when).enqueue()
    return when


def start_reminder_schedule() -> datetime | None:
    """Start the daily reminder chain when the worker starts; a no-op when a run is already pending."""
    return schedule_next_reminders()


@task(queue_name="long")
def refresh_dashboard_snapshot(survey_id: int) -> float | None:
    """Aggregate a large survey's dashboard (seconds to minutes at a million households); returns the seconds."""
    survey = Survey.objects.select_related("municipality").filter(pk=survey_id).first()
    if survey is None:
        return None
    snapshot = refresh_dashboard(survey, by=Actor.system("task fieldwork.refresh_dashboard_snapshot"))
    return snapshot.seconds


def enqueue_dashboard_refresh(survey_id: int) -> None:
    """Queue the refresh: with the database backend inside the caller's transaction (committed with the request
    mark), with any other backend once it commits; a backend with one queue only runs it there."""
    task = refresh_dashboard_snapshot
    backend = task.get_backend()
    if backend.queues and task.queue_name not in backend.queues:
        task = task.using(queue_name=next(iter(backend.queues)))
    if backend.__class__.__module__.startswith("django_tasks_db"):
        task.enqueue(survey_id)
    else:
        transaction.on_commit(lambda: task.enqueue(survey_id))
