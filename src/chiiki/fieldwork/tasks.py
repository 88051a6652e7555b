"""Background work of fieldwork, run by `chiiki worker`."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from chiiki.fieldwork.actions import send_reminders
from chiiki.fieldwork.models import ReminderSchedule

ACTOR = "task fieldwork.send_due_reminders"


@task()
def send_survey_reminders(survey_id: int) -> int:
    """Send the reminders due today for one survey; returns how many were sent."""
    schedule = ReminderSchedule.objects.select_related("survey").filter(survey_id=survey_id).first()
    if schedule is None:
        return 0
    return send_reminders(schedule.survey, by=None, actor_label=ACTOR).sent


@task()
def send_due_reminders() -> int:
    """Send the reminders due today for every survey that is open and has a schedule (run daily)."""
    now = timezone.now()
    sent = 0
    for schedule in ReminderSchedule.objects.filter(survey__opens_at__lte=now, survey__closes_at__gt=now):
        sent += send_reminders(schedule.survey, by=None, actor_label=ACTOR).sent
    return sent
